import type { Discrepancy } from '../reconcile/discrepancy.js';
import type { AgeBucket, LifecycleState, RunDiscrepancy } from './run-events.js';

/**
 * The life of a discrepancy across runs. Its identity is its group (warehouseId, sku, documentRef),
 * whatever its kind becomes (a TIMING_LAG that outlives the lag window turns MISSING_IN_FINANCE and
 * stays the same discrepancy). Each run that covers the group's partition moves it:
 *
 *   found, not open before            -> NEW        (firstSeen = lastSeen = the run's asOf)
 *   found, open before                -> NEW during its first day, PERSISTING after; lastSeen moves
 *   open before, in scope, not found  -> RESOLVED   (it agrees now, or its records are gone)
 *
 * NEW is "appeared within the last day", not "appeared in this very run": continuous runs come
 * every 15 minutes, and a second run over unchanged data must change nothing but lastSeen. A
 * resolved group that disagrees again opens as NEW with a fresh firstSeen.
 */
export interface Lifecycle {
  state: LifecycleState;
  /** ISO 8601: the asOf of the first run that found it (this occurrence). */
  firstSeen: string;
  /** ISO 8601: the asOf of the latest run that found it. */
  lastSeen: string;
  /** ISO 8601: the asOf of the run that resolved it. */
  resolvedAt?: string;
}

/** What the runs know of one group: its lifecycle and the discrepancy as last found. */
export interface GroupStatus {
  lifecycle: Lifecycle;
  discrepancy: Discrepancy;
}

const DAY_MS = 86_400_000;
/** A discrepancy is NEW during this long after it was first seen. */
export const NEW_FOR_MS = DAY_MS;

const ms = (iso: string): number => Date.parse(iso);
const isoOf = (t: number): string => new Date(t).toISOString();

/** Whole days from firstSeen to asOf (never negative). */
export function ageDays(firstSeen: string, asOf: string): number {
  return Math.max(0, Math.floor((ms(asOf) - ms(firstSeen)) / DAY_MS));
}

export function ageBucket(firstSeen: string, asOf: string): AgeBucket {
  const days = ageDays(firstSeen, asOf);
  if (days <= 1) return '0-1';
  if (days <= 7) return '2-7';
  if (days <= 30) return '8-30';
  return '>30';
}

export function isOpen(lifecycle: Lifecycle | undefined): boolean {
  return lifecycle !== undefined && lifecycle.state !== 'RESOLVED';
}

/** The group disagrees in a run at `asOf`. */
export function found(prior: Lifecycle | undefined, asOf: string): Lifecycle {
  const at = isoOf(ms(asOf));
  if (prior === undefined || !isOpen(prior)) return { state: 'NEW', firstSeen: at, lastSeen: at };
  // A run dated before what is known (a back-dated close) widens the span, never shrinks it.
  const firstSeen = isoOf(Math.min(ms(prior.firstSeen), ms(at)));
  const lastSeen = isoOf(Math.max(ms(prior.lastSeen), ms(at)));
  const state = ms(at) - ms(firstSeen) < NEW_FOR_MS ? 'NEW' : 'PERSISTING';
  return { state, firstSeen, lastSeen };
}

/**
 * The group was open and a run at `asOf` covering it did not find it: RESOLVED, or undefined when
 * nothing changes (it was not open, or the run looked at a moment before it was last seen).
 */
export function notFound(prior: Lifecycle | undefined, asOf: string): Lifecycle | undefined {
  if (prior === undefined || !isOpen(prior) || ms(asOf) < ms(prior.lastSeen)) return undefined;
  return {
    state: 'RESOLVED',
    firstSeen: prior.firstSeen,
    lastSeen: prior.lastSeen,
    resolvedAt: isoOf(ms(asOf)),
  };
}

export interface Transition {
  groupKey: string;
  /** What was known before this run (undefined: never seen). */
  prior: GroupStatus | undefined;
  next: GroupStatus;
}

/**
 * One run over one partition: every discrepancy found gets its lifecycle, and every group open
 * before that the run covered (in its scope) and did not find is resolved. Groups outside the scope,
 * or already resolved, do not change.
 */
export function advance(
  before: ReadonlyMap<string, GroupStatus>,
  discrepancies: readonly Discrepancy[],
  covers: (discrepancy: Discrepancy) => boolean,
  asOf: string,
): Transition[] {
  const transitions: Transition[] = [];
  const seen = new Set<string>();
  for (const d of discrepancies) {
    seen.add(d.groupKey);
    const prior = before.get(d.groupKey);
    transitions.push({
      groupKey: d.groupKey,
      prior,
      next: { lifecycle: found(prior?.lifecycle, asOf), discrepancy: d },
    });
  }
  for (const [groupKey, prior] of before) {
    if (seen.has(groupKey) || !covers(prior.discrepancy)) continue;
    const lifecycle = notFound(prior.lifecycle, asOf);
    if (lifecycle !== undefined) {
      transitions.push({ groupKey, prior, next: { lifecycle, discrepancy: prior.discrepancy } });
    }
  }
  return transitions;
}

/** A group as a run shows it: the discrepancy (as last found) with its lifecycle at the run's asOf. */
export function toRunDiscrepancy(status: GroupStatus, asOf: string): RunDiscrepancy {
  const { state, firstSeen, lastSeen, resolvedAt } = status.lifecycle;
  return {
    ...status.discrepancy,
    state,
    firstSeen,
    lastSeen,
    ageBucket: ageBucket(firstSeen, asOf),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
  };
}

/** The inverse of toRunDiscrepancy. */
export function toGroupStatus(shown: RunDiscrepancy): GroupStatus {
  const { state, firstSeen, lastSeen, ageBucket: _age, resolvedAt, ...discrepancy } = shown;
  return {
    lifecycle: { state, firstSeen, lastSeen, ...(resolvedAt === undefined ? {} : { resolvedAt }) },
    discrepancy,
  };
}
