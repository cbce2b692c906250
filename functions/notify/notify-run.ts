import { z } from 'zod';
import { RunIdSchema } from '../../lib/core/runs/run-events.js';
import { notifyRun, type NotifyOutput } from '../../lib/app/alerts/notify-run.js';
import { alertWork } from '../../lib/adapters/alerts/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/** The Notify task's input: the run (the state machine passes `{ runId }`). */
const NotifyInputSchema = z.object({ runId: RunIdSchema });

/** After SummarizeRun: the run's alerts planned and published once (lib/app/alerts/notify-run.ts). */
async function notify(event: unknown): Promise<NotifyOutput> {
  const { runId } = taskInput(NotifyInputSchema, event, 'Notify');
  return notifyRun(alertWork, runId);
}

export const handler = taskHandler(notify);
