import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Route } from '../standins/http-front.js';
import type { LambdaHandler } from '../standins/lambda-runtime.js';

export type ApiHandler = LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;

/** A feature's routes to its one function, as the stack wires them; the front resolves the user's token. */
export function bearerRoutes(
  fn: { localName: string; timeoutSeconds: number },
  routes: readonly { method: string; path: string }[],
  handler: ApiHandler,
): Route[] {
  const target = { name: fn.localName, timeoutMs: fn.timeoutSeconds * 1000, handler };
  return routes.map((route) => ({ method: route.method, path: route.path, auth: 'bearer', fn: target }));
}
