import type { Api, PeriodList, RunBrief } from './api.js';
import type { AppConfig, Session } from './auth.js';
import type { LocalUser } from './case-types.js';
import { headlineRun } from './run-choice.js';
import type { Route } from './routes.js';

/** What every view gets: the API, who is signed in, navigation and a few shared look-ups. */
export interface Context {
  api: Api;
  config: AppConfig;
  session: Session;
  navigate(route: Route): void;
  /** Recent runs, newest first (cached for the current page view). */
  runs(): Promise<RunBrief[]>;
  /** Whether the case workflow answers on this service (cached). */
  workflow(): Promise<boolean>;
  /** Local users (for assignment and the user switcher); [] where there are none. */
  users(): Promise<LocalUser[]>;
  /** True while this render is still the current one (a newer navigation cancels it). */
  current(): boolean;
  /** The period every view answers for (YYYY-MM), or undefined: the live view. */
  period: string | undefined;
  /** GET /v1/periods (cached); undefined while the API has no periods (404). */
  periods(): Promise<PeriodList | undefined>;
}

/**
 * The run a view shows: the one asked for; else, in the live view, the latest unscoped run with a
 * summary; for a period, its latest close (run-choice.ts).
 */
export function pickRun(
  runs: readonly RunBrief[],
  wanted: string | undefined,
  period?: string,
  closeRunId?: string | null,
): RunBrief | undefined {
  return headlineRun(runs, period, wanted, closeRunId);
}

/** The run of the context's period a view shows by default (the periods API names its close). */
export async function periodRun(
  ctx: Pick<Context, 'period' | 'periods'>,
  runs: readonly RunBrief[],
  wanted: string | undefined,
): Promise<RunBrief | undefined> {
  if (wanted !== undefined || ctx.period === undefined) return pickRun(runs, wanted, ctx.period);
  const list = await ctx.periods().catch(() => undefined);
  const named = list?.items.find((p) => p.period === ctx.period)?.lastCloseRunId;
  return pickRun(runs, undefined, ctx.period, named);
}
