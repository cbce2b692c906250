/**
 * What diagnosis adds to a discrepancy (CONTRACT §11), as written to discrepancies.json: no imports,
 * so the discrepancy type, the dashboard and the suggester all name the same shapes.
 */

/** A group of the other side that is probably the same transaction under a mistyped code. */
export interface SuggestedMatch {
  documentRef: string;
  sku: string;
  /** In (0, 1]: how sure the suggester is that the two groups are one transaction. */
  score: number;
  /** What the score is made of, in English and in Chinese (CONTRACT §6 names). */
  reason: string;
  reasonZh: string;
}

/** The root cause closed cases with similar facts had, and how sure the model is of it. */
export interface PredictedCause {
  /** A root-cause code (lib/core/root-cause.ts). */
  code: string;
  /** The model's probability for the code, in (0, 1]. */
  confidence: number;
  /** The fact that weighed most for it, in English and in Chinese. */
  basis: string;
  basisZh: string;
}

/** A suggestion this strong is named in alerts and offered first for linking. */
export const STRONG_SUGGESTION = 0.8;
