import { ZoneClock } from '../../lib/core/shared/zone-clock.js';
import { SCHEDULED_RUNS, type ScheduledRunName } from '../../lib/core/runs/schedules.js';

/**
 * When the scheduled closes run next, from the very expressions the stack gives EventBridge
 * Scheduler (lib/declarations/runs.ts), evaluated in the configured time zone as Scheduler does.
 * Only the cron forms those schedules use are understood: minute and hour numbers, day of month a
 * number, `*` or `?`, month `*`, day of week `*`, `?` or a day name, year `*`.
 */
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface NextRun {
  name: ScheduledRunName;
  at: string;
}

function fieldMatches(field: string, value: number, names: readonly string[] = []): boolean {
  if (field === '*' || field === '?') return true;
  return field.split(',').some((part) => {
    const named = names.indexOf(part.toUpperCase());
    return (named >= 0 ? named : Number(part)) === value;
  });
}

/** The first instant strictly after `afterMs` that the cron expression names, in the zone. */
export function nextCron(expression: string, timeZone: string, afterMs: number): number | undefined {
  const m = /^cron\((.+)\)$/.exec(expression.trim());
  if (m?.[1] === undefined) return undefined;
  const [minute, hour, dom, month, dow] = m[1].split(/\s+/);
  if (
    minute === undefined ||
    hour === undefined ||
    dom === undefined ||
    month === undefined ||
    dow === undefined
  )
    return undefined;
  const clock = new ZoneClock(timeZone);
  const localNow = afterMs + clock.offsetAt(afterMs);
  const startDay = Math.floor(localNow / 86_400_000);
  for (let day = startDay; day < startDay + 400; day++) {
    const date = new Date(day * 86_400_000);
    if (!fieldMatches(dom, date.getUTCDate())) continue;
    if (!fieldMatches(month, date.getUTCMonth() + 1)) continue;
    if (!fieldMatches(dow, date.getUTCDay(), DAYS)) continue;
    for (let h = 0; h < 24; h++) {
      if (!fieldMatches(hour, h)) continue;
      for (let min = 0; min < 60; min++) {
        if (!fieldMatches(minute, min)) continue;
        const at = clock.localToUtc(day * 86_400_000 + h * 3_600_000 + min * 60_000);
        if (at > afterMs) return at;
      }
    }
  }
  return undefined;
}

/** The closes' next times after `now`, soonest first (continuous runs come every 15 minutes). */
export function nextScheduledRuns(timeZone: string, now: number): NextRun[] {
  const runs: NextRun[] = [];
  for (const [name, run] of Object.entries(SCHEDULED_RUNS) as [
    ScheduledRunName,
    (typeof SCHEDULED_RUNS)[ScheduledRunName],
  ][]) {
    const at = nextCron(run.expression, timeZone, now);
    if (at !== undefined) runs.push({ name, at: new Date(at).toISOString() });
  }
  return runs.sort((a, b) => a.at.localeCompare(b.at));
}
