/**
 * The vouchers feature's names that the CDK stack and the local pipeline share, beside
 * lib/declarations/tables.ts (HANDLERS.vouchersApi): the route of CONTRACT §9 and its function. Nothing here
 * imports CDK or an AWS SDK.
 */

/** GET /v1/vouchers: the JWT authorizer in the cloud, a local user's bearer token locally. */
export const VOUCHER_ROUTES = [{ method: 'GET', path: '/v1/vouchers' }] as const;

/** API Gateway gives up on an integration after 30 s; answer before it does. */
export const VOUCHERS_FUNCTION = { localName: 'stocktally-vouchers-api', timeoutSeconds: 29 } as const;
