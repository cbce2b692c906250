import { ZoneClock } from '../../lib/core/shared/zone-clock.js';
import type { RunBrief } from './api.js';

/**
 * Which runs speak for the company, and for which period (issues 15 and 19). An ad-hoc run over one
 * sku or warehouse (`scope`) is a look at a corner: it never becomes the overview's headline or a
 * point of its trend, which follow the unscoped closes and continuous runs only. A period (YYYY-MM)
 * answers from its own runs, its figures from its latest unscoped close; `undefined` is the live
 * view (the latest unscoped run).
 */
export const isScoped = (run: RunBrief): boolean =>
  run.scope !== undefined && ((run.scope.skus?.length ?? 0) > 0 || (run.scope.warehouses?.length ?? 0) > 0);

/**
 * The period a run answers for: the one it was asked for (or its summary names); else a continuous
 * run's is the period holding its asOf (it is the live view of that period, CONTRACT §7). A close
 * started without a period reconciles everything stored, no one period: it belongs to none.
 */
export function periodOfRun(run: RunBrief): string | undefined {
  const named = run.period ?? (run.summary as { period?: string } | null)?.period;
  if (named !== undefined || run.mode === 'close') return named;
  const at = Date.parse(run.asOf);
  if (Number.isNaN(at)) return undefined;
  return new ZoneClock(run.summary?.timezone ?? 'UTC').periodOf(at);
}

/** The runs of a period, newest first (all of them in the live view). */
export function runsOf(runs: readonly RunBrief[], period: string | undefined): RunBrief[] {
  return period === undefined ? [...runs] : runs.filter((r) => periodOfRun(r) === period);
}

/** The runs the headline and the trend may use: unscoped, finished with a summary. */
export function companyRuns(runs: readonly RunBrief[]): RunBrief[] {
  return runs.filter((r) => !isScoped(r) && r.summary !== null);
}

/**
 * The run whose figures a view shows for `period`: the one asked for by id; else, for a period, the
 * close the periods API names (`lastCloseRunId`) or its latest unscoped close; live, liveRun().
 * Without a finished one, the newest unscoped run (still running): a scoped run heads no view.
 */
export function headlineRun(
  runs: readonly RunBrief[],
  period: string | undefined,
  wanted?: string,
  closeRunId?: string | null,
): RunBrief | undefined {
  if (wanted !== undefined) return runs.find((r) => r.runId === wanted);
  const own = runsOf(runs, period);
  const company = companyRuns(own);
  // A first run still running is named (its status shown); a scoped run never heads a view.
  const unfinished = own.find((r) => !isScoped(r));
  if (period !== undefined) {
    // The close the periods API names is the period's, whatever its own record says of its period.
    const named = closeRunId == null ? undefined : runs.find((r) => r.runId === closeRunId);
    return named ?? company.find((r) => r.mode === 'close') ?? company[0] ?? unfinished;
  }
  return liveRun(company) ?? unfinished;
}

/**
 * The live view's run: the latest continuous run (the live view, CONTRACT §7); without one, the
 * close as of the latest moment. A re-run of an earlier month's close starts later but looks at an
 * earlier moment: it never heads the live view.
 */
export function liveRun(company: readonly RunBrief[]): RunBrief | undefined {
  const continuous = company.find((r) => r.mode === 'continuous');
  if (continuous !== undefined) return continuous;
  return [...company].sort((a, b) => b.asOf.localeCompare(a.asOf))[0];
}

/** What a scoped run covered, for its label: `SKU-1`, `WH-01 · SKU-1`. */
export function scopeText(run: RunBrief): string {
  if (!isScoped(run)) return '';
  return [...(run.scope?.warehouses ?? []), ...(run.scope?.skus ?? [])].join(' · ');
}
