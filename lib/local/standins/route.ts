import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { LambdaFunction } from './lambda-runtime.js';

/** A handler the local HTTP API invokes, as API Gateway would. */
export type ApiHandler = LambdaFunction<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;

/** One route of the local HTTP API. */
export interface Route {
  method: string;
  /** `/v1/runs/{runId}`: `{name}` matches one path segment, `{name+}` the rest of the path. */
  path: string;
  /** `signed`: the handler verifies the request's signature itself; `bearer`: the front checks the token. */
  auth: 'signed' | 'bearer';
  fn: ApiHandler;
}
