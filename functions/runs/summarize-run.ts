import { summarizeRun } from '../../lib/app/runs/summarize-run.js';
import { objectStore } from '../../lib/adapters/ingest/containers.js';
import { runWork } from '../../lib/adapters/runs/containers.js';
import type { ReportedRun } from '../../lib/adapters/runs/report-keys.js';
import { summarizeInput } from '../../lib/adapters/runs/map-results.js';
import { renderReport } from '../../lib/adapters/runs/run-report.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * The run's last task: the partitions' results merged and the run closed, then its report rendered
 * in-process and listed on the run (lib/app/runs/summarize-run.ts).
 */
async function summarize(event: unknown): Promise<ReportedRun> {
  return summarizeRun(runWork, await summarizeInput(event, objectStore), renderReport);
}

export const handler = taskHandler(summarize);
