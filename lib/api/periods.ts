/**
 * The periods API's wire shapes (GET /v1/periods, POST /v1/periods/{period}/lock), shared by the
 * API and the dashboard; CONTRACT §7 fixes the fields. A period is a calendar month (YYYY-MM) in
 * the stack's zone.
 */

export type PeriodStatus = 'open' | 'locked';

export interface PeriodView {
  period: string;
  status: PeriodStatus;
  /** The latest close run of the period (its figures are the period's), or null before its first close. */
  lastCloseRunId: string | null;
  groupsSeen: number;
  discrepancies: number;
  /** discrepancies / groupsSeen of the latest close, exact decimal text ("0.0125"); null before a close. */
  errorRate: string | null;
  /** Money at stake of the latest close, exact decimal text; null before a close. */
  moneyAtStake: string | null;
  lockedAt: string | null;
  lockedBy: string | null;
  /** Set when the lock overrode a failing close-check. */
  override: string | null;
  /** Whole days from the period's end to its lock; null while open. */
  closeDays: number | null;
  /** Records dated in the period that arrived after it was locked. */
  lateArrivals: number;
}

export interface PeriodList {
  /** Every period with records, newest first. */
  items: PeriodView[];
}

/** POST /v1/periods/{period}/lock's body: `override` (a reason) is needed only while the close-check fails. */
export interface PeriodLockRequest {
  override?: string;
}
