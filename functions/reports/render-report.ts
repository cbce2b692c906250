import { RunIdSchema } from '../../lib/core/runs/run-events.js';
import { InvalidRunInputError } from '../../lib/errors/runs.js';
import type { ReportKeys } from '../../lib/adapters/runs/report-keys.js';
import { renderReport } from '../../lib/adapters/runs/run-report.js';
import { eventHandler, runIdOf } from '../../lib/adapters/aws/handlers.js';

/**
 * Renders a finished run's report (PDF, XLSX, CSV) again on demand; SummarizeRun renders it
 * in-process once the run is stored (lib/adapters/runs/run-report.ts).
 */
async function render(event: unknown): Promise<{ runId: string; reports: ReportKeys | null }> {
  const parsed = RunIdSchema.safeParse((event as { runId?: unknown } | null)?.runId);
  if (!parsed.success) throw new InvalidRunInputError('renderReport needs { runId }');
  return { runId: parsed.data, reports: (await renderReport(parsed.data)) ?? null };
}

export const handler = eventHandler(render, runIdOf);
