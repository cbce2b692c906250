import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';
import {
  ReportModelBuilder,
  type PeriodFigures,
  type ReportModel,
  type ReportOptions,
  type ReportRunInfo,
  type ReportSummary,
  type Signatory,
  type SourceInput,
  type WorkflowLookup,
} from '../core/report/report-model.js';
import type { DueDays } from '../core/report/report-analysis.js';
import { csvRow, renderCsv } from './csv.js';
import { readDiscrepancyArray } from './discrepancy-file.js';
import { firstPass, type DiscrepancyInput, type SpooledRow } from './discrepancy-replay.js';
import type { ReportFonts } from './fonts.js';
import { renderPdf } from './pdf.js';
import { detailTemplate, renderXlsx } from './xlsx.js';
import { tee } from './tee.js';

/**
 * Writes report.pdf (and report.xlsx, report.csv on request) into a directory: one pass over the
 * discrepancies builds the model, then each renderer streams the rows again to its file. Files
 * are written under a temporary name and renamed when complete, so a failed render never leaves
 * a truncated report behind. The report Lambda will call the same renderers with a run's summary,
 * its discrepancies as an async iterable and S3 upload streams (see renderReport).
 */
export interface WriteReportsOptions {
  outDir: string;
  summary: ReportSummary;
  discrepancies: DiscrepancyInput;
  pdf: boolean;
  xlsx: boolean;
  csv?: boolean | undefined;
  /** The run's id; a local reconcile has no run, so one is made from the generation time. */
  runId?: string | undefined;
  company?: string | undefined;
  signatories?: readonly Signatory[] | undefined;
  period?: string | undefined;
  mode?: ReportRunInfo['mode'];
  generatedAt?: string | undefined;
  /** The run's inputs for the data-sources table (the pipeline's drops and webhooks). */
  sources?: readonly SourceInput[] | undefined;
  /** The previous period's close (null: there is none); left out, the report has no comparison. */
  previous?: PeriodFigures | null | undefined;
  workflow?: WorkflowLookup | undefined;
  fonts?: ReportFonts | undefined;
  topCount?: number | undefined;
  /** The formats that will be rendered (all three when left out): a PDF alone spools no rows. */
  formats?: readonly ReportFormat[] | undefined;
  /** Discrepancies the PDF's detail lists (500); the XLSX and the CSV list every one. */
  detailCount?: number | undefined;
  dueDays?: DueDays | undefined;
}

export interface WrittenReports {
  model: ReportModel;
  pdf?: { path: string; pages: number };
  xlsx?: { path: string };
  csv?: { path: string };
}

export type ReportFormat = 'pdf' | 'xlsx' | 'csv';

export const REPORT_FILES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'report.pdf',
  xlsx: 'report.xlsx',
  csv: 'report.csv',
};

/** The discrepancies.json that `stocktally reconcile` wrote into `outDir`, readable any number of times. */
export function discrepanciesIn(outDir: string): () => AsyncIterable<Discrepancy> {
  return () => readDiscrepancyArray(join(outDir, 'discrepancies.json'));
}

/** `local-20261102T000000Z` from an ISO instant. */
export function localRunId(generatedAt: string): string {
  return `local-${generatedAt.replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
}

/**
 * The rendering the report Lambda needs: a model from a run's summary and discrepancies, and
 * `render(format, destination)` to stream any of the three formats to any writable (an S3
 * upload). `close()` removes the replay spool, if one was needed.
 */
export async function prepareReport(
  options: Omit<WriteReportsOptions, 'outDir' | 'pdf' | 'xlsx' | 'csv'>,
): Promise<{
  model: ReportModel;
  render(format: ReportFormat, destination: Writable): Promise<{ pages?: number }>;
  /** Several formats at once: the rows are read once for the XLSX and the CSV together. */
  renderAll(destinations: Partial<Record<ReportFormat, Writable>>): Promise<{ pages?: number }>;
  close(): Promise<void>;
}> {
  // Time is the caller's: a report says when its run was made, never when it happened to be drawn.
  const generatedAt = options.generatedAt ?? options.summary.run?.generatedAt;
  if (generatedAt === undefined) throw new Error('a report needs generatedAt (or summary.run.generatedAt)');
  const modelOptions: ReportOptions = { workflow: options.workflow, dueDays: options.dueDays };
  if (options.topCount !== undefined) modelOptions.topCount = options.topCount;
  if (options.detailCount !== undefined) modelOptions.detailCount = options.detailCount;
  const builder = new ReportModelBuilder(
    {
      runId: options.runId ?? localRunId(generatedAt),
      company: options.company,
      signatories: options.signatories,
      period: options.period,
      mode: options.mode,
      generatedAt,
      sources: options.sources,
      previous: options.previous,
    },
    options.summary,
    modelOptions,
  );
  // The XLSX's and the CSV's rows are rendered in the first pass, unless only a PDF is wanted.
  const rowsWanted = options.formats === undefined || options.formats.some((f) => f !== 'pdf');
  const replay = await firstPass(options.discrepancies, (d) => {
    builder.add(d);
    if (!rowsWanted) return undefined;
    const row = builder.detailRow(d);
    return { xlsx: detailTemplate(row), csv: csvRow(row) };
  });
  const model = builder.build();
  const xlsxRows = (rows: AsyncIterable<SpooledRow>) => map(rows, (r) => r.xlsx);
  const csvRows = (rows: AsyncIterable<SpooledRow>) => map(rows, (r) => r.csv);
  return {
    model,
    async render(format, destination) {
      switch (format) {
        case 'pdf':
          // The PDF lists what a person reads (model.detail); the rows are not read again.
          return renderPdf(model, destination, { fonts: options.fonts });
        case 'xlsx':
          await renderXlsx(model, xlsxRows(replay.read()), destination);
          return {};
        case 'csv':
          await renderCsv(csvRows(replay.read()), destination);
          return {};
      }
    },
    async renderAll(destinations) {
      const jobs: Promise<{ pages?: number }>[] = [];
      if (destinations.pdf !== undefined)
        jobs.push(renderPdf(model, destinations.pdf, { fonts: options.fonts }));
      const streamed = (['xlsx', 'csv'] as const).filter((f) => destinations[f] !== undefined);
      const reads = tee(replay.read(), streamed.length);
      streamed.forEach((format, i) => {
        const destination = destinations[format] as Writable;
        const read = reads[i] as AsyncIterable<SpooledRow>;
        jobs.push(
          format === 'xlsx'
            ? renderXlsx(model, xlsxRows(read), destination).then(() => ({}))
            : renderCsv(csvRows(read), destination).then(() => ({})),
        );
      });
      const results = await Promise.all(jobs);
      return results[0] ?? {};
    },
    close: () => replay.close(),
  };
}

async function* map<T, R>(items: AsyncIterable<T>, f: (item: T) => R): AsyncGenerator<R> {
  for await (const item of items) yield f(item);
}

async function toFile<T>(path: string, render: (out: Writable) => Promise<T>): Promise<T> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  try {
    const result = await render(out);
    await rename(partial, path);
    return result;
  } catch (error) {
    // Closed first: a stream still opening would create the file again after it was removed.
    if (!out.closed) {
      out.destroy();
      // A late write of the failed renderer may make the stream emit an error: not the one to report.
      await once(out, 'close').catch(() => undefined);
    }
    await rm(partial, { force: true });
    throw error;
  }
}

export async function writeReports(options: WriteReportsOptions): Promise<WrittenReports> {
  const formats = (['pdf', 'xlsx', 'csv'] as const).filter((f) =>
    f === 'csv' ? options.csv === true : options[f],
  );
  const report = await prepareReport({ ...options, formats });
  try {
    const written: WrittenReports = { model: report.model };
    if (options.pdf) {
      const path = join(options.outDir, REPORT_FILES.pdf);
      const { pages } = await toFile(path, (out) => report.render('pdf', out));
      written.pdf = { path, pages: pages ?? 0 };
    }
    if (options.xlsx) {
      const path = join(options.outDir, REPORT_FILES.xlsx);
      await toFile(path, (out) => report.render('xlsx', out));
      written.xlsx = { path };
    }
    if (options.csv === true) {
      const path = join(options.outDir, REPORT_FILES.csv);
      await toFile(path, (out) => report.render('csv', out));
      written.csv = { path };
    }
    return written;
  } finally {
    await report.close();
  }
}
