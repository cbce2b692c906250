import type { PeriodRepository } from '../../core/periods/ports.js';
import { PeriodLockedError } from '../../errors/periods.js';

/** A close run of a locked period is refused (CONTRACT §7): its close is frozen. */
export async function refuseLocked(periods: PeriodRepository, period: string): Promise<void> {
  const lock = (await periods.get(period))?.lock;
  if (lock != null) {
    throw new PeriodLockedError(
      `period ${period} is locked since ${lock.at} by ${lock.by}; its close run ${lock.runId} is final`,
    );
  }
}

/**
 * The groups with a late arrival in a locked period up to `period`: the run lists them with
 * `lateArrival: true` where they still disagree (CONTRACT §7).
 */
export async function lateGroupsUpTo(periods: PeriodRepository, period: string): Promise<Set<string>> {
  const locked = (await periods.list())
    .filter((p) => p.lock !== null && p.period <= period)
    .map((p) => p.period);
  return locked.length === 0 ? new Set() : periods.lateGroups(locked);
}
