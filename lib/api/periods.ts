/**
 * The periods API's wire shapes (GET /v1/periods, POST /v1/periods/{period}/lock), shared by the
 * API and the dashboard. A period is a calendar month (YYYY-MM) in the stack's zone (CONTRACT §7).
 */

/** OPEN: no close run yet; CLOSED: closed at least once, may be closed again; LOCKED: frozen. */
export type PeriodStatus = 'OPEN' | 'CLOSED' | 'LOCKED';

export interface PeriodView {
  period: string;
  status: PeriodStatus;
  /** The latest close run of the period (its figures are the period's), if any. */
  closeRunId: string | null;
  /** When that close run finished. */
  closedAt: string | null;
  lockedAt: string | null;
  lockedBy: string | null;
  /** Set when the lock overrode a failing close-check. */
  overrideReason: string | null;
  groupsSeen: number;
  discrepancies: number;
  /** discrepancies / groupsSeen as an exact decimal fraction ("0.0125"); "0" with no groups. */
  errorRate: string;
  /** Money at stake of the period's open items, exact decimal text. */
  moneyAtStake: string;
  /** Whole days from the period's last day to its lock (or, unlocked, to its latest close); null if neither. */
  closeDays: number | null;
  /** Records dated in the period that arrived after it was locked. */
  lateArrivals: number;
}

export interface PeriodList {
  /** Newest period first. */
  items: PeriodView[];
}

/** POST /v1/periods/{period}/lock's body: the override reason is needed only when the close-check fails. */
export interface PeriodLockRequest {
  overrideReason?: string;
}
