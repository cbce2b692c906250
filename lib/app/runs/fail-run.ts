import type { RunRecord } from '../../core/runs/run-events.js';
import { failedRun, type RunFailureInput } from '../../core/runs/run-failure.js';
import type { RunWork } from '../../core/runs/ports.js';

/**
 * The state machine's Catch of ListPartitions and SummarizeRun: closes the run FAILED with the step
 * and its cause, so GET /v1/runs/{runId} says what happened instead of RUNNING for ever.
 */
export async function failRun(
  work: Pick<RunWork, 'runs' | 'now' | 'telemetry'>,
  input: RunFailureInput,
): Promise<RunRecord> {
  const stored = await work.runs.getRun(input.runId);
  const run = failedRun(stored?.run, input, work.now());
  await work.runs.putRun({ run, dirtyVersions: stored?.dirtyVersions ?? {} });
  work.telemetry.count('runsFailedInStep');
  work.telemetry.error('run failed', {
    runId: run.runId,
    step: input.step,
    error: input.error,
    cause: input.cause,
  });
  return run;
}
