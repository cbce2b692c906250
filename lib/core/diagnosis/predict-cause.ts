import type { Discrepancy } from '../reconcile/discrepancy.js';
import { KIND_ZH, type Kind } from '../reconcile/discrepancy.js';
import { ROOT_CAUSE_ZH } from '../cases/root-cause.js';
import type { PredictedCause } from './diagnosis-facts.js';

/**
 * The likely root cause of a discrepancy from the closed cases with similar facts (CONTRACT §11): a
 * categorical naive Bayes over a handful of facts a reviewer would look at first (kind, warehouse,
 * movement type, sku family, money band, which side is there, whether a match is suggested). It is
 * small enough to keep as JSON, trains in one pass, and explains itself: the basis names the fact
 * whose closed cases most often had the predicted cause ("kind MISSING_IN_WMS: 14 of 20 ...").
 */
export const CAUSE_FEATURES = [
  'kind',
  'warehouseId',
  'type',
  'skuFamily',
  'amountBand',
  'sides',
  'suggested',
] as const;
export type CauseFeature = (typeof CAUSE_FEATURES)[number];
export type CauseFeatures = Readonly<Record<CauseFeature, string>>;

const FEATURE_ZH: Readonly<Record<CauseFeature, string>> = {
  kind: '差异类型',
  warehouseId: '仓库',
  type: '业务类型',
  skuFamily: '物料类别',
  amountBand: '涉及金额',
  sides: '记录情况',
  suggested: '疑似匹配',
};

/** The model as stored: counts only, so it merges, serialises and explains itself. */
export interface CauseModel {
  examples: number;
  /** Closed cases per root-cause code. */
  classes: Record<string, number>;
  /** feature -> value -> code -> closed cases. */
  counts: Record<string, Record<string, Record<string, number>>>;
}

export interface CauseExample {
  features: CauseFeatures;
  code: string;
}

/** Predictions need at least this many closed cases: fewer are no history to learn from. */
export const MIN_CAUSE_EXAMPLES = 10;

export type CauseFacts = Pick<
  Discrepancy,
  | 'kind'
  | 'warehouseId'
  | 'sku'
  | 'wmsTypes'
  | 'financeTypes'
  | 'moneyAtStake'
  | 'wmsEventIds'
  | 'financeEntryIds'
  | 'latestEventAt'
  | 'latestPostingAt'
  | 'suggestedMatches'
>;

/** The letters a sku starts with (`SKU-00082` -> SKU, `kg-0012` -> KG): items of one family share causes. */
function skuFamily(sku: string): string {
  const m = /^[^\p{N}]*/u.exec(sku.toUpperCase());
  const letters = (m?.[0] ?? '').replace(/[^\p{L}]/gu, '');
  return letters === '' ? '(digits)' : letters;
}

/** Powers of ten of the money at stake: <1k, 1k, 10k, 100k, 1m+ (a figure for grouping, not a sum). */
function amountBand(money: string): string {
  const value = Math.abs(Number(money));
  if (!Number.isFinite(value) || value < 1000) return '<1k';
  if (value < 10_000) return '1k-10k';
  if (value < 100_000) return '10k-100k';
  if (value < 1_000_000) return '100k-1m';
  return '>=1m';
}

/** Which side is there, and for both sides how the posting stands to the movement. */
function sides(f: CauseFacts): string {
  if (f.financeEntryIds.length === 0) return 'wms-only';
  if (f.wmsEventIds.length === 0) return 'finance-only';
  const event = Date.parse(f.latestEventAt ?? '');
  const posting = Date.parse(f.latestPostingAt ?? '');
  if (Number.isNaN(event) || Number.isNaN(posting)) return 'both';
  const hours = (posting - event) / 3_600_000;
  if (hours < 0) return 'posted-before-movement';
  return hours <= 24 ? 'posted-within-a-day' : 'posted-later';
}

export function causeFeatures(f: CauseFacts): CauseFeatures {
  return {
    kind: f.kind,
    warehouseId: f.warehouseId,
    type: f.wmsTypes[0] ?? f.financeTypes[0] ?? 'none',
    skuFamily: skuFamily(f.sku),
    amountBand: amountBand(f.moneyAtStake),
    sides: sides(f),
    suggested: (f.suggestedMatches?.length ?? 0) > 0 ? 'yes' : 'no',
  };
}

export function emptyCauseModel(): CauseModel {
  return { examples: 0, classes: {}, counts: {} };
}

export function addCauseExample(model: CauseModel, example: CauseExample): void {
  model.examples++;
  model.classes[example.code] = (model.classes[example.code] ?? 0) + 1;
  for (const feature of CAUSE_FEATURES) {
    const byValue = (model.counts[feature] ??= {});
    const byCode = (byValue[example.features[feature]] ??= {});
    byCode[example.code] = (byCode[example.code] ?? 0) + 1;
  }
}

export function trainCauseModel(examples: readonly CauseExample[]): CauseModel {
  const model = emptyCauseModel();
  for (const e of examples) addCauseExample(model, e);
  return model;
}

/** Log-probability of each code given the facts, Laplace-smoothed (an unseen value is one more value). */
function logPosteriors(model: CauseModel, features: CauseFeatures): Map<string, number> {
  const codes = Object.keys(model.classes);
  const out = new Map<string, number>();
  for (const code of codes) {
    const n = model.classes[code] ?? 0;
    let log = Math.log((n + 1) / (model.examples + codes.length));
    for (const feature of CAUSE_FEATURES) {
      const byValue = model.counts[feature] ?? {};
      const values = Object.keys(byValue).length + 1;
      const seen = byValue[features[feature]]?.[code] ?? 0;
      log += Math.log((seen + 1) / (n + values));
    }
    out.set(code, log);
  }
  return out;
}

const codeZh = (code: string): string =>
  code in ROOT_CAUSE_ZH ? ROOT_CAUSE_ZH[code as keyof typeof ROOT_CAUSE_ZH] : code;

/** The fact whose closed cases most often had `code`, for the prediction's basis. */
function basisOf(model: CauseModel, features: CauseFeatures, code: string): { en: string; zh: string } {
  let best: { feature: CauseFeature; hits: number; total: number } | undefined;
  for (const feature of CAUSE_FEATURES) {
    const byCode = model.counts[feature]?.[features[feature]];
    if (byCode === undefined) continue;
    const total = Object.values(byCode).reduce((a, b) => a + b, 0);
    const hits = byCode[code] ?? 0;
    if (hits === 0) continue;
    const better =
      best === undefined ||
      hits * best.total > best.hits * total ||
      (hits * best.total === best.hits * total && hits > best.hits);
    if (better) best = { feature, hits, total };
  }
  if (best === undefined) {
    const hits = model.classes[code] ?? 0;
    return {
      en: `${hits} of ${model.examples} closed cases were ${code}`,
      zh: `${model.examples} 个已关闭案件中 ${hits} 个为${codeZh(code)}`,
    };
  }
  const value = features[best.feature];
  const valueZh = best.feature === 'kind' && value in KIND_ZH ? KIND_ZH[value as Kind] : value;
  return {
    en: `${best.feature} ${value}: ${best.hits} of ${best.total} closed cases were ${code}`,
    zh: `${FEATURE_ZH[best.feature]} ${valueZh}:${best.total} 个已关闭案件中 ${best.hits} 个为${codeZh(code)}`,
  };
}

/** The likeliest root cause with its probability, or undefined without enough history. */
export function predictCause(
  model: CauseModel,
  features: CauseFeatures,
  minExamples = MIN_CAUSE_EXAMPLES,
): PredictedCause | undefined {
  if (model.examples < minExamples) return undefined;
  const logs = logPosteriors(model, features);
  let bestCode: string | undefined;
  let bestLog = -Infinity;
  for (const [code, log] of [...logs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (log > bestLog) {
      bestLog = log;
      bestCode = code;
    }
  }
  if (bestCode === undefined) return undefined;
  let sum = 0;
  for (const log of logs.values()) sum += Math.exp(log - bestLog);
  const confidence = Math.min(1, Math.max(0.01, Math.round((1 / sum) * 100) / 100));
  const basis = basisOf(model, features, bestCode);
  return { code: bestCode, confidence, basis: basis.en, basisZh: basis.zh };
}

/** The code most closed cases had: the baseline a model must beat. */
export function majorityCause(model: CauseModel): string | undefined {
  let best: string | undefined;
  for (const [code, n] of Object.entries(model.classes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (best === undefined || n > (model.classes[best] ?? 0)) best = code;
  }
  return best;
}
