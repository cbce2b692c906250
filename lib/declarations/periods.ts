/**
 * The periods feature's names that the CDK stack and the local pipeline share, beside
 * lib/declarations/tables.ts (HANDLERS.periodsApi, the period items of RECORDS_TABLE): the routes of
 * CONTRACT §7 and their function. Nothing here imports CDK or an AWS SDK.
 */

/** The JWT authorizer in the cloud, a local user's bearer token locally. */
export const PERIOD_ROUTES = [
  { method: 'GET', path: '/v1/periods' },
  { method: 'POST', path: '/v1/periods/{period}/lock' },
] as const;

export const PERIODS_FUNCTION = { localName: 'stocktally-periods-api', timeoutSeconds: 29 } as const;
