import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { RunRecord } from '../../lib/core/runs/run-events.js';
import { failedRun, RunFailureInputSchema } from '../../lib/core/runs/run-failure.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { correlationId, countFailures, logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { boundedErrors } from '../../lib/adapters/aws/bounded-errors.js';

/**
 * The state machine's Catch of ListPartitions and SummarizeRun: closes the run FAILED with the step
 * and its cause, so GET /v1/runs/{runId} says what happened instead of RUNNING for ever.
 */
async function failRun(event: unknown): Promise<RunRecord> {
  const input = taskInput(RunFailureInputSchema, event, 'MarkRunFailed');
  const stored = await runStore().getRun(input.runId);
  const run = failedRun(stored?.run, input, currentTime());
  await runStore().putRun({ run, dirtyVersions: stored?.dirtyVersions ?? {} });
  metrics.addMetric('runsFailedInStep', MetricUnit.Count, 1);
  logger.error('run failed', { runId: run.runId, step: input.step, error: input.error, cause: input.cause });
  return run;
}

export const handler = middy<unknown, RunRecord>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // A task's error becomes the state's Cause: bounded, so a failing Map stays under 256 KiB.
  .use(boundedErrors(logger))
  .use(correlationId<unknown>((event) => (event as { runId?: string } | null)?.runId))
  .use(logMetrics(metrics))
  .use(countFailures())
  .handler(failRun);
