import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { VOUCHER_ROUTES, VOUCHERS_FUNCTION } from '../../declarations/vouchers.js';
import type { Route } from '../standins/http-front.js';
import type { LambdaHandler } from '../standins/lambda-runtime.js';

/** GET /v1/vouchers as the local pipeline runs it: one function behind the route, as in the stack. */
export interface VoucherHandlers {
  vouchersApi: LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;
}

/** The vouchers route to its function; the front resolves the user's token. */
export function voucherRoutes(handlers: VoucherHandlers): Route[] {
  const fn = {
    name: VOUCHERS_FUNCTION.localName,
    timeoutMs: VOUCHERS_FUNCTION.timeoutSeconds * 1000,
    handler: handlers.vouchersApi,
  };
  return VOUCHER_ROUTES.map((route) => ({ method: route.method, path: route.path, auth: 'bearer', fn }));
}
