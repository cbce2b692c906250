import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Writable } from 'node:stream';
import type { Discrepancy } from '../../core/reconcile/discrepancy.js';
import type { ReportSummary, WorkflowLookup } from '../../core/report/report-model.js';
import { type RunRecord } from '../../core/runs/run-events.js';
import { loadReportFonts } from '../../report/fonts.js';
import { prepareReport } from '../../report/write-reports.js';
import { CASES_TABLE } from '../../declarations/tables.js';
import { s3Client } from '../aws/aws-clients.js';
import { caseNotes } from '../cases/case-notes.js';
import { caseStore } from '../cases/containers.js';
import { config, optionalEnv } from '../aws/env.js';
import { RunNotFoundError } from '../../errors/runs.js';
import {
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  reportKeys,
  type ReportKeys,
  type ReportedRun,
} from '../runs/report-keys.js';
import { runStore } from '../runs/containers.js';
import { logger } from '../aws/telemetry.js';
import { currentTime } from '../aws/clock.js';

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
