import type { Api, RunBrief } from './api.js';
import type { AppConfig, Session } from './auth.js';
import type { LocalUser } from './case-types.js';
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
}

/** The run a view shows: the one asked for, else the latest that finished with a summary. */
export function pickRun(runs: readonly RunBrief[], wanted: string | undefined): RunBrief | undefined {
  if (wanted !== undefined) return runs.find((r) => r.runId === wanted) ?? undefined;
  return runs.find((r) => r.summary !== null) ?? runs[0];
}
