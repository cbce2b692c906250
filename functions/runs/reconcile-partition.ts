import { PartitionTaskSchema, type ReconcilePartitionOutput } from '../../lib/core/runs/run-events.js';
import { reconcilePartition } from '../../lib/app/runs/reconcile-partition.js';
import { runWork } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/** One partition of a run, the Map's task (lib/app/runs/reconcile-partition.ts). */
async function reconcile(event: unknown): Promise<ReconcilePartitionOutput> {
  return reconcilePartition(runWork, taskInput(PartitionTaskSchema, event, 'ReconcilePartition'));
}

export const handler = taskHandler(reconcile);
