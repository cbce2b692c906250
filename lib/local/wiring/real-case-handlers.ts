import type { CaseHandlers } from './case-functions.js';

/**
 * The real cases API handler (HANDLERS.casesApi), imported once the local environment is set (it
 * reads it on first use). A literal path, so esbuild bundles it into the CLI's start chunk.
 */
export async function loadRealCaseHandlers(): Promise<CaseHandlers> {
  const casesApi = await import('../../../functions/cases/cases-api.js');
  return { casesApi: casesApi.handler };
}
