import type { PeriodHandlers } from './period-functions.js';

/**
 * The real periods API handler (HANDLERS.periodsApi), imported once the local environment is set.
 * A literal path, so esbuild bundles it into the CLI's start chunk.
 */
export async function loadRealPeriodHandlers(): Promise<PeriodHandlers> {
  const periodsApi = await import('../../../functions/periods/periods-api.js');
  return { periodsApi: periodsApi.handler };
}
