import { ListPartitionsInputSchema, type ListPartitionsOutput } from '../../lib/core/runs/run-events.js';
import { listPartitions } from '../../lib/app/runs/list-partitions.js';
import { runWork } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/** The run's first task: the partitions it reconciles, recorded on the run (lib/app/runs/list-partitions.ts). */
async function listPartitionsTask(event: unknown): Promise<ListPartitionsOutput> {
  return listPartitions(runWork, taskInput(ListPartitionsInputSchema, event, 'ListPartitions'));
}

export const handler = taskHandler(listPartitionsTask);
