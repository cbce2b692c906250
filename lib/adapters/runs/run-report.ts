import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Writable } from 'node:stream';
import type { Discrepancy } from '../../core/reconcile/discrepancy.js';
import {
  reportPeriod,
  type ReportSummary,
  type WorkflowLookup,
  type WorkflowNote,
} from '../../core/report/report-model.js';
import { DEFAULT_REPORT_CONFIG, type ReportConfig } from '../../core/cases/workflow-config.js';
import { type RunRecord } from '../../core/runs/run-events.js';
import { loadReportFonts } from '../../report/fonts.js';
import { prepareReport } from '../../report/write-reports.js';
import { CASES_TABLE } from '../../declarations/tables.js';
import { s3Client } from '../aws/aws-clients.js';
import { caseNotes } from '../cases/case-notes.js';
import { caseStore, workflowConfig } from '../cases/containers.js';
import { objectStore } from '../ingest/containers.js';
import { deliveriesOf, deliveryWindow, previousClose } from './report-inputs.js';
import { config, optionalEnv } from '../aws/env.js';
import { RunNotFoundError } from '../../errors/runs.js';
import {
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  reportKeys,
  type ReportKeys,
  type ReportedRun,
} from './report-keys.js';
import { runStore } from './containers.js';
import { logger } from '../aws/telemetry.js';
import { currentTime } from '../aws/clock.js';

/**
 * Renders a finished run's report (PDF, XLSX, CSV) to `reports/<runId>/report.<format>` in the data
 * bucket, each streamed to S3 as it is rendered (lib-storage Upload: multipart past 5 MB, nothing held
 * whole), then lists the keys on the run record. SummarizeRun calls `renderReport` in-process once the
 * run is stored; the handler renders a run again on demand.
 */

/**
 * The run's discrepancies page by page, read once (the report spools what it needs), each page's
 * cases read before its items are handed on: the report's cause / rectification / owner columns
 * look a group up as it passes (`cases`), so the run's discrepancies are read once, not twice.
 */
async function* discrepanciesOf(runId: string, cases: CaseNotes | undefined): AsyncGenerator<Discrepancy> {
  let cursor: string | undefined;
  do {
    const page = await runStore().listDiscrepancies(runId, {}, { cursor, limit: 1000 });
    await cases?.load(page.items.map((d) => d.groupKey));
    yield* page.items;
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * The cases of the run's discrepancies (undefined where the function has no case tables: every item
 * then shows as open). A failure to read them is logged and the items show as open rather than the
 * report not rendering at all.
 */
class CaseNotes {
  private readonly notes = new Map<string, WorkflowNote>();
  private failed = false;

  constructor(private readonly runId: string) {}

  readonly lookup: WorkflowLookup = (groupKey) => this.notes.get(groupKey);

  async load(groupKeys: readonly string[]): Promise<void> {
    if (this.failed) return;
    try {
      const found = await caseNotes(caseStore(), groupKeys);
      for (const key of groupKeys) {
        const note = found(key);
        if (note !== undefined) this.notes.set(key, note);
      }
    } catch (error) {
      this.failed = true;
      logger.warn('cases unavailable: the report shows items as open', {
        runId: this.runId,
        error: error as Error,
      });
    }
  }
}

function reportSummary(run: RunRecord): ReportSummary | undefined {
  const { summary } = run;
  if (summary === null) return undefined;
  return { ...summary, inputs: {}, run: { generatedAt: run.finishedAt ?? currentTime().toISOString() } };
}

/** The report section of the workflow configuration; its default when the configuration is unreadable. */
async function reportConfig(runId: string): Promise<ReportConfig> {
  try {
    return (await workflowConfig().current()).config.report;
  } catch (error) {
    logger.warn('workflow configuration unavailable: the report takes its defaults', {
      runId,
      error: error as Error,
    });
    return DEFAULT_REPORT_CONFIG;
  }
}

/**
 * The deliveries of the run's period (the data-sources table, the rows rejected at ingest) and the
 * previous period's close. Either failing leaves its part out, logged, rather than the report.
 */
async function runInputs(run: RunRecord, period: string | undefined) {
  const zone = config.zone();
  const [deliveries, previous] = await Promise.all([
    period === undefined
      ? undefined
      : deliveriesOf(objectStore(), config.bucket(), deliveryWindow(period, run, zone)).catch(
          (error: unknown) => {
            logger.warn('ingest reports unavailable: the report lists no data sources', {
              runId: run.runId,
              error: error as Error,
            });
            return undefined;
          },
        ),
    period === undefined
      ? null
      : previousClose(runStore(), period).catch((error: unknown) => {
          logger.warn('runs unavailable: the report compares with no previous period', {
            runId: run.runId,
            error: error as Error,
          });
          return null;
        }),
  ]);
  return { deliveries, previous };
}

/** The three uploads at once, fed by one rendering; a failure aborts every one of them. */
async function uploadAll(
  keys: ReportKeys,
  render: (destinations: Record<(typeof REPORT_FORMATS)[number], Writable>) => Promise<unknown>,
): Promise<void> {
  const bodies = Object.fromEntries(REPORT_FORMATS.map((f) => [f, new PassThrough()])) as Record<
    (typeof REPORT_FORMATS)[number],
    PassThrough
  >;
  const uploads = REPORT_FORMATS.map(
    (f) =>
      new Upload({
        client: s3Client(),
        params: {
          Bucket: config.bucket(),
          Key: keys[f],
          Body: bodies[f],
          ContentType: REPORT_CONTENT_TYPES[f],
        },
      }),
  );
  const done = uploads.map((u) => u.done());
  try {
    await render(bodies);
  } catch (error) {
    for (const body of Object.values(bodies)) body.destroy(error as Error);
    await Promise.all(uploads.map((u) => u.abort().catch(() => undefined)));
    await Promise.all(done.map((d) => d.catch(() => undefined)));
    throw error;
  }
  await Promise.all(done);
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
  const settings = await reportConfig(runId);
  const cases = optionalEnv(CASES_TABLE.env) === undefined ? undefined : new CaseNotes(runId);
  const period = reportPeriod(run, run.asOf, summary.timezone);
  const { deliveries, previous } = await runInputs(run, period);
  const report = await prepareReport({
    runId,
    // The rows rejected at ingest are the run's too: its records are what ingest kept.
    summary: { ...summary, rejected: [...(deliveries?.rejected ?? []), ...summary.rejected] },
    discrepancies: discrepanciesOf(runId, cases),
    period,
    mode: run.mode,
    company: settings.company,
    signatories: settings.signatories,
    detailCount: settings.pdfDetailRows,
    dueDays: settings.dueDays,
    sources: deliveries?.sources,
    previous,
    fonts: loadReportFonts(),
    workflow: cases?.lookup,
  });
  try {
    await uploadAll(keys, (destinations) => report.renderAll(destinations));
  } finally {
    await report.close();
  }
  await runStore().putRun({ ...stored, run: { ...run, reports: keys } as ReportedRun });
  logger.info('report rendered', { runId, keys });
  return keys;
}
