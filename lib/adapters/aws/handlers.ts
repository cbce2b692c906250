import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpErrorHandler } from '../http/error-handler.js';
import { boundedErrors } from './bounded-errors.js';
import { correlationId, countFailures, logger, metrics } from './telemetry.js';

/**
 * The three middleware chains every function is one of, written once: each handler file is then
 * its parse-call-answer and one line naming its kind.
 */

type Work<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/** An API Gateway route: correlated by request id, every failure answered as JSON (exposed or `internal`). */
export function httpHandler(
  work: Work<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>,
): MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationId<APIGatewayProxyEventV2>((event) => event.requestContext?.requestId))
    .use(logMetrics(metrics))
    .use(httpErrorHandler(logger, metrics))
    .handler(work);
}

const runIdOf = (event: unknown): string | undefined => (event as { runId?: string } | null)?.runId;

/**
 * A Step Functions task of a run: correlated by the run id, failures counted, and a task's error
 * bounded, because it becomes the state's Cause and a failing Map must stay under 256 KiB.
 */
export function taskHandler<TResult>(work: Work<unknown, TResult>): MiddyfiedHandler<unknown, TResult> {
  return middy<unknown, TResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(boundedErrors(logger))
    .use(correlationId<unknown>(runIdOf))
    .use(logMetrics(metrics))
    .use(countFailures())
    .handler(work);
}

/** An event source (S3, SQS, a direct call): failures counted, correlated by `idOf` when given (else the request id). */
export function eventHandler<TEvent, TResult>(
  work: Work<TEvent, TResult>,
  idOf: (event: TEvent) => string | undefined = () => undefined,
): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationId<TEvent>(idOf))
    .use(logMetrics(metrics))
    .use(countFailures())
    .handler(work);
}

export { runIdOf };
