import { VOUCHER_ROUTES, VOUCHERS_FUNCTION } from '../../declarations/vouchers.js';
import type { Route } from '../standins/http-front.js';
import { bearerRoutes, type ApiHandler } from './api-routes.js';

/** GET /v1/vouchers as the local pipeline runs it: one function behind the route, as in the stack. */
export interface VoucherHandlers {
  vouchersApi: ApiHandler;
}

export function voucherRoutes(handlers: VoucherHandlers): Route[] {
  return bearerRoutes(VOUCHERS_FUNCTION, VOUCHER_ROUTES, handlers.vouchersApi);
}
