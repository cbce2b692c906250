import type { CloseCheck } from '../cases/close-check.js';
import type { PeriodLock, PeriodRecord } from './period-record.js';

/** An override reason is a sentence a reviewer answers for: short text, not empty. */
export const OVERRIDE_MAX_LENGTH = 500;

export type LockDecision =
  | { ok: true; lock: PeriodLock }
  | { ok: false; why: 'locked' | 'not-closed' | 'close-check'; message: string };

/**
 * Whether period P may be locked now (CONTRACT §7): it must have a close run to freeze, must not be
 * locked already, and its close-check must pass unless the reviewer gives an override reason,
 * which the lock keeps beside the run it froze.
 */
export function decideLock(
  record: PeriodRecord | undefined,
  check: CloseCheck,
  request: { by: string; at: string; override?: string | undefined },
): LockDecision {
  const period = check.period;
  if (record?.lock != null) {
    return { ok: false, why: 'locked', message: `period ${period} is locked since ${record.lock.at}` };
  }
  const close = record?.lastClose;
  if (close == null) {
    return {
      ok: false,
      why: 'not-closed',
      message: `period ${period} has no close run to lock; run its close first`,
    };
  }
  const override = request.override?.trim() ?? '';
  if (!check.canClose && override === '') {
    return {
      ok: false,
      why: 'close-check',
      message: `period ${period} fails its close-check (${check.blockers.length} blocker(s)); resolve them or give an override reason`,
    };
  }
  return {
    ok: true,
    lock: { at: request.at, by: request.by, runId: close.runId, override: check.canClose ? null : override },
  };
}
