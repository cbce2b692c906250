import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { CASE_ROUTES, CASES_FUNCTION } from '../../declarations/cases.js';
import type { Route } from '../standins/http-front.js';
import type { LambdaHandler } from '../standins/lambda-runtime.js';

/** The cases API as the local pipeline runs it: one function behind every cases route. */
export interface CaseHandlers {
  casesApi: LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;
}

/** The cases routes, each to the cases API function; the front resolves the user's token. */
export function caseRoutes(handlers: CaseHandlers): Route[] {
  const fn = {
    name: CASES_FUNCTION.localName,
    timeoutMs: CASES_FUNCTION.timeoutSeconds * 1000,
    handler: handlers.casesApi,
  };
  return CASE_ROUTES.map((route) => ({ method: route.method, path: route.path, auth: 'bearer', fn }));
}
