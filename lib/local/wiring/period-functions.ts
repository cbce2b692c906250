import { PERIOD_ROUTES, PERIODS_FUNCTION } from '../../declarations/periods.js';
import type { Route } from '../standins/http-front.js';
import { bearerRoutes, type ApiHandler } from './api-routes.js';

/** GET /v1/periods and the lock as the local pipeline runs them: one function, as in the stack. */
export interface PeriodHandlers {
  periodsApi: ApiHandler;
}

export function periodRoutes(handlers: PeriodHandlers): Route[] {
  return bearerRoutes(PERIODS_FUNCTION, PERIOD_ROUTES, handlers.periodsApi);
}
