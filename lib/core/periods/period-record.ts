import { divide, formatDecimal, parseDecimal, roundHalfUp, ONE } from '../shared/decimal.js';
import { periodWindow } from '../shared/period.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * What the system keeps of one period (CONTRACT §7): that records are dated in it, its latest close
 * run's figures, and its lock. Ingest notes the period, the close run's summary records its close,
 * the periods API locks it; GET /v1/periods shows it through periodView().
 */
/** A period as GET /v1/periods shows it (CONTRACT §7 fixes the fields; lib/api/periods.ts). */
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

export interface PeriodClose {
  runId: string;
  finishedAt: string;
  groupsSeen: number;
  discrepancies: number;
  /** Exact decimal text. */
  moneyAtStake: string;
}

export interface PeriodLock {
  at: string;
  by: string;
  /** The run frozen by the lock: the period's latest close run then. */
  runId: string;
  /** Why the lock went ahead while the close-check failed; null when it passed. */
  override: string | null;
}

export interface PeriodRecord {
  period: string;
  lastClose: PeriodClose | null;
  lock: PeriodLock | null;
}

/** Digits of the error rate: a rate is shown to the basis point and below, never as a float. */
const RATE_DIGITS = 6;

/** discrepancies / groupsSeen, exact to six places (half up); "0" with no groups. */
export function errorRate(discrepancies: number, groupsSeen: number): string {
  if (groupsSeen === 0) return '0';
  const rate = divide(BigInt(discrepancies) * ONE, BigInt(groupsSeen) * ONE, RATE_DIGITS);
  return formatDecimal(rate ?? 0n);
}

/** An error rate as a percentage with two places ("0.0125" -> "1.25 %"), exact, half up. */
export function ratePercent(rate: string): string {
  const parsed = parseDecimal(rate);
  if (!parsed.ok) return rate;
  return `${formatDecimal(roundHalfUp(parsed.value * 100n, 2), 2)} %`;
}

/** Whole days from the period's end (the first instant of the next) to `at`; never negative. */
export function closeDays(period: string, at: string, zone: ZoneClock): number {
  const { end } = periodWindow(period, zone);
  return Math.max(0, Math.floor((Date.parse(at) - end) / 86_400_000));
}

export function periodView(record: PeriodRecord, lateArrivals: number, zone: ZoneClock): PeriodView {
  const close = record.lastClose;
  const lock = record.lock;
  if (close !== null && !parseDecimal(close.moneyAtStake).ok) {
    throw new Error(`period ${record.period} holds a bad amount: ${close.moneyAtStake}`);
  }
  return {
    period: record.period,
    status: lock === null ? 'open' : 'locked',
    lastCloseRunId: close?.runId ?? null,
    groupsSeen: close?.groupsSeen ?? 0,
    discrepancies: close?.discrepancies ?? 0,
    errorRate: close === null ? null : errorRate(close.discrepancies, close.groupsSeen),
    moneyAtStake: close?.moneyAtStake ?? null,
    lockedAt: lock?.at ?? null,
    lockedBy: lock?.by ?? null,
    override: lock?.override ?? null,
    closeDays: lock === null ? null : closeDays(record.period, lock.at, zone),
    lateArrivals,
  };
}
