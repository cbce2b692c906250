import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AlertPublisher } from '../../adapters/alerts/alert-publisher.js';
import type { RunStarter } from '../../core/runs/run-events.js';
import { RUN_FUNCTIONS, RUN_ROUTES } from '../../declarations/runs.js';
import type { Route } from '../standins/http-front.js';
import type { LambdaHandler } from '../standins/lambda-runtime.js';
import type { RunTaskHandlers } from './run-starter-local.js';

/**
 * The run functions as the local pipeline runs them: the task handlers the state machine invokes
 * (Notify's included), the runs API behind the bearer token, and the port through which the runs API
 * starts a run (the local state machine runner instead of Step Functions).
 */
export interface RunHandlers extends RunTaskHandlers {
  runsApi: LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;
  setRunStarter(starter: RunStarter | undefined): void;
  /** Alerts (issue 7): the chat delivery handler behind the topics, and the port Notify publishes through. */
  deliverChat: LambdaHandler<SQSEvent, SQSBatchResponse>;
  setAlertPublisher(publisher: AlertPublisher | undefined): void;
}

/** The runs routes of CONTRACT §4, each to the runs API function; the front checks the token. */
export function runRoutes(handlers: RunHandlers): Route[] {
  const fn = {
    name: RUN_FUNCTIONS.runsApi.localName,
    timeoutMs: RUN_FUNCTIONS.runsApi.timeoutSeconds * 1000,
    handler: handlers.runsApi,
  };
  return RUN_ROUTES.map((route) => ({ method: route.method, path: route.path, auth: 'bearer', fn }));
}
