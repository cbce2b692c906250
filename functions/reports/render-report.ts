import { Upload } from '@aws-sdk/lib-storage';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { PassThrough, type Writable } from 'node:stream';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { ReportSummary, WorkflowLookup } from '../../lib/core/report/report-model.js';
import { RunIdSchema, type RunRecord } from '../../lib/core/runs/run-events.js';
import { loadReportFonts } from '../../lib/report/fonts.js';
import { prepareReport } from '../../lib/report/write-reports.js';
import { CASES_TABLE } from '../../lib/declarations/tables.js';
import { s3Client } from '../../lib/adapters/aws/aws-clients.js';
import { caseNotes } from '../../lib/adapters/cases/case-notes.js';
import { caseStore } from '../../lib/adapters/cases/containers.js';
import { config, optionalEnv } from '../../lib/adapters/aws/env.js';
import { InvalidRunInputError, RunNotFoundError } from '../../lib/adapters/http/run-errors.js';
import {
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  reportKeys,
  type ReportKeys,
  type ReportedRun,
} from '../../lib/adapters/runs/report-keys.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { correlationId, countFailures, logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';

/**
 * Renders a finished run's report (PDF, XLSX, CSV) to `reports/<runId>/report.<format>` in the data
 * bucket, each streamed to S3 as it is rendered (lib-storage Upload: multipart past 5 MB, nothing held
 * whole), then lists the keys on the run record. SummarizeRun calls `renderReport` in-process once the
 * run is stored; the handler renders a run again on demand.
 */

/** The run's discrepancies page by page, readable any number of times (no spool needed). */
function discrepanciesOf(runId: string): () => AsyncIterable<Discrepancy> {
  return async function* pages() {
    let cursor: string | undefined;
    do {
      const page = await runStore().listDiscrepancies(runId, {}, { cursor, limit: 1000 });
      yield* page.items;
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  };
}

function reportSummary(run: RunRecord): ReportSummary | undefined {
  const { summary } = run;
  if (summary === null) return undefined;
  return { ...summary, inputs: {}, run: { generatedAt: run.finishedAt ?? currentTime().toISOString() } };
}

/**
 * The cases of the run's discrepancies, for the report's cause / rectification / owner columns
 * (undefined where the function has no case tables: every item then shows as open). A failure to
 * read them is logged and the report renders without them rather than not at all.
 */
async function workflowOf(runId: string): Promise<WorkflowLookup | undefined> {
  if (optionalEnv(CASES_TABLE.env) === undefined) return undefined;
  try {
    const groupKeys = new Set<string>();
    for await (const d of discrepanciesOf(runId)()) groupKeys.add(d.groupKey);
    return await caseNotes(caseStore(), groupKeys);
  } catch (error) {
    logger.warn('cases unavailable: the report shows every item as open', { runId, error: error as Error });
    return undefined;
  }
}

/** Streams `render`'s output to one S3 object; a failed render aborts the upload, leaving nothing. */
async function uploadStreamed(
  key: string,
  contentType: string,
  render: (destination: Writable) => Promise<unknown>,
): Promise<void> {
  const body = new PassThrough();
  const upload = new Upload({
    client: s3Client(),
    params: { Bucket: config.bucket(), Key: key, Body: body, ContentType: contentType },
  });
  const done = upload.done();
  try {
    await render(body);
  } catch (error) {
    body.destroy(error as Error);
    await upload.abort().catch(() => undefined);
    await done.catch(() => undefined);
    throw error;
  }
  await done;
}

/** Renders the run's report in the three formats and records their keys on the run; returns them. */
export async function renderReport(runId: string): Promise<ReportKeys | undefined> {
  const stored = await runStore().getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`no run ${runId}`);
  const run: ReportedRun = stored.run;
  const summary = reportSummary(run);
  if (summary === undefined) {
    logger.info('run has no summary: no report', { runId, status: run.status });
    return undefined;
  }
  const keys = reportKeys(runId);
  const report = await prepareReport({
    runId,
    summary,
    discrepancies: discrepanciesOf(runId),
    period: run.period,
    fonts: loadReportFonts(),
    workflow: await workflowOf(runId),
  });
  try {
    for (const format of REPORT_FORMATS) {
      await uploadStreamed(keys[format], REPORT_CONTENT_TYPES[format], (out) => report.render(format, out));
    }
  } finally {
    await report.close();
  }
  await runStore().putRun({ ...stored, run: { ...run, reports: keys } as ReportedRun });
  logger.info('report rendered', { runId, keys });
  return keys;
}

async function render(event: unknown): Promise<{ runId: string; reports: ReportKeys | null }> {
  const parsed = RunIdSchema.safeParse((event as { runId?: unknown } | null)?.runId);
  if (!parsed.success) throw new InvalidRunInputError('renderReport needs { runId }');
  return { runId: parsed.data, reports: (await renderReport(parsed.data)) ?? null };
}

export const handler = middy<unknown, { runId: string; reports: ReportKeys | null }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(correlationId<unknown>((event) => (event as { runId?: string } | null)?.runId))
  .use(logMetrics(metrics))
  .use(countFailures())
  .handler(render);
