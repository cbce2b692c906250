import type { RunRecord } from '../../lib/core/runs/run-events.js';
import { RunFailureInputSchema } from '../../lib/core/runs/run-failure.js';
import { failRun } from '../../lib/app/runs/fail-run.js';
import { runWork } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/** MarkRunFailed, the Catch of ListPartitions and SummarizeRun: the run closed FAILED (lib/app/runs/fail-run.ts). */
async function markRunFailed(event: unknown): Promise<RunRecord> {
  return failRun(runWork, taskInput(RunFailureInputSchema, event, 'MarkRunFailed'));
}

export const handler = taskHandler(markRunFailed);
