import type { PeriodList, PeriodView } from '../../api/periods.js';
import type { CaseRepository } from '../../core/cases/ports.js';
import { hasAnyRole, type Caller, type Role } from '../../core/cases/roles.js';
import { decideLock, OVERRIDE_MAX_LENGTH } from '../../core/periods/period-lock.js';
import { periodView } from '../../core/periods/period-record.js';
import type { PeriodRepository } from '../../core/periods/ports.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { ForbiddenError } from '../../errors/access.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { CloseCheckFailedError, PeriodLockedError, PeriodNotClosedError } from '../../errors/periods.js';
import { periodCloseCheck } from '../cases/case-work.js';

/** Who may lock a period (CONTRACT §7: a finance reviewer). */
export const PERIOD_LOCK_ROLES: readonly Role[] = ['finance-reviewer', 'admin'];

/** GET /v1/periods: every period with records, newest first, with its latest close and its lock. */
export async function listPeriods(periods: PeriodRepository, zone: ZoneClock): Promise<PeriodList> {
  const records = await periods.list();
  const late = await periods.lateArrivalCounts(records.filter((r) => r.lock !== null).map((r) => r.period));
  return { items: records.map((r) => periodView(r, late.get(r.period) ?? 0, zone)) };
}

/**
 * POST /v1/periods/{P}/lock: the close-check is the gate (CONTRACT §7); a failing check needs an
 * override reason, kept with the lock. The lock freezes P's latest close run: later close runs of
 * P are refused, and records dated in P that arrive afterwards are counted as late arrivals.
 */
export async function lockPeriod(
  deps: { periods: PeriodRepository; cases: CaseRepository; zone: ZoneClock },
  request: { period: string; override?: string | undefined; caller: Caller; now: Date },
): Promise<PeriodView> {
  const { period, caller } = request;
  if (!hasAnyRole(caller, PERIOD_LOCK_ROLES)) {
    throw new ForbiddenError(
      'role_required',
      `locking a period needs one of the roles ${PERIOD_LOCK_ROLES.join(', ')}`,
    );
  }
  if (request.override !== undefined && request.override.length > OVERRIDE_MAX_LENGTH) {
    throw new InvalidRequestError(`override: at most ${OVERRIDE_MAX_LENGTH} characters`);
  }
  const [record, check] = await Promise.all([deps.periods.get(period), periodCloseCheck(deps.cases, period)]);
  const decision = decideLock(record, check, {
    by: caller.username,
    at: request.now.toISOString(),
    override: request.override,
  });
  if (!decision.ok) {
    if (decision.why === 'locked') throw new PeriodLockedError(decision.message);
    if (decision.why === 'not-closed') throw new PeriodNotClosedError(decision.message);
    throw new CloseCheckFailedError(
      decision.message,
      check.blockers.map(({ groupKey, reason, message }) => ({ groupKey, reason, message })),
    );
  }
  if (!(await deps.periods.lock(period, decision.lock))) {
    throw new PeriodLockedError(`period ${period} was locked by another reviewer meanwhile`);
  }
  const locked = { period, lastClose: record?.lastClose ?? null, lock: decision.lock };
  return periodView(locked, 0, deps.zone);
}
