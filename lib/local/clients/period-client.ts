import type { PeriodList, PeriodView } from '../../api/periods.js';
import { call, RunApiError, type RunApi } from './run-client.js';

/** The periods routes of CONTRACT §7 as a caller uses them: list the months, lock one. */
export async function listPeriods(client: RunApi): Promise<PeriodView[]> {
  return ((await call(client, 'GET', '/v1/periods')) as PeriodList).items;
}

/**
 * POST /v1/periods/{P}/lock: locked as asked, or, while the close-check fails and a reason is
 * given, locked again with that reason as its override. Answers the locked period.
 */
export async function lockPeriod(client: RunApi, period: string, override?: string): Promise<PeriodView> {
  const path = `/v1/periods/${encodeURIComponent(period)}/lock`;
  try {
    return (await call(client, 'POST', path, {})) as PeriodView;
  } catch (error) {
    if (!(error instanceof RunApiError) || error.code !== 'close_check_failed' || override === undefined)
      throw error;
    return (await call(client, 'POST', path, { override })) as PeriodView;
  }
}
