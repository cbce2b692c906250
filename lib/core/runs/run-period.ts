import { closedPeriod } from '../shared/period.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { RunMode } from './run-events.js';

/**
 * The period a run answers for (CONTRACT §7): a close's own period, or the one holding the instant
 * just before its asOf (a close at 2026-12-01T00:00 in the zone closes 2026-11); a continuous run is
 * the live view, the period holding its asOf.
 */
export function runPeriodOf(
  run: { mode: RunMode; asOf: string; period?: string | undefined },
  zone: ZoneClock,
): string {
  if (run.period !== undefined) return run.period;
  return run.mode === 'close' ? closedPeriod(run.asOf, zone) : zone.periodOf(Date.parse(run.asOf));
}

/**
 * Whether a run only records a snapshot (CONTRACT §7): the live cases, alert marks and lifecycle
 * move forward in time only, so a run as of an earlier instant than the live view's (a close of an
 * earlier period run again) records its own discrepancies and touches nothing live.
 */
export function isSnapshot(asOf: string, liveAsOf: string | undefined): boolean {
  return liveAsOf !== undefined && Date.parse(asOf) < Date.parse(liveAsOf);
}
