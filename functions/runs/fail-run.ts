import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunRecord } from '../../lib/core/runs/run-events.js';
import { failedRun, RunFailureInputSchema } from '../../lib/core/runs/run-failure.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

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

export const handler = taskHandler(failRun);
