import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { duplicateColumn } from '../core/records/csv.js';
import { DEFAULT_CURRENCY } from '../core/records/rates.js';
import { formatDecimal } from '../core/shared/decimal.js';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';
import { DEFAULT_PARTITIONS } from '../core/records/partition.js';
import { periodWindow } from '../core/shared/period.js';
import type { Rejection, Source } from '../core/records/records.js';
import type { Settings } from '../core/reconcile/settings.js';
import { CsvSplitter } from '../core/records/splitter.js';
import { summaryFigures, type SummaryFigures } from '../core/reconcile/summary.js';
import { ZoneClock } from '../core/shared/zone-clock.js';
import { suggestMatches } from '../core/diagnosis/suggest-matches.js';
import {
  DiscrepancyFiles,
  discrepancyFields,
  parseJsonFragment,
  readFragment,
  renderFragments,
} from './output.js';
import type { InputFormat, JobContext, PartitionOutcome } from './partition-job.js';
import { Progress } from './progress.js';
import { UsageError } from './usage-error.js';
import { loadWorkflowFile } from './workflow-file.js';
import { writeCostVariance } from './cost-variance-files.js';
import { costVarianceAccount } from '../core/vouchers/cost-variance.js';
import { loadReferenceTables, type ReferenceTables } from './reference-tables.js';
import { mergeOutcomes, type MergedOutcomes } from './merged-outcomes.js';
import { defaultConfigPath } from '../adapters/cases/workflow-config-source.js';
import { defaultWorkerScript, runRangedShares, runShares } from './worker-pool.js';
import type { ShareMessage } from './worker-share.js';

import { systemClock } from '../clock.js';

/** Elapsed time for the summary's phases: a monotonic stopwatch, not the business clock (asOf). */
const stopwatch = (): number => Math.round(performance.now());

export interface ReconcileOptions {
  wms: string;
  finance: string;
  uom?: string | undefined;
  costs?: string | undefined;
  out: string;
  settings: Settings;
  /** `--period YYYY-MM`: the books as they stood at the end of it (CONTRACT §7). */
  period?: string | undefined;
  /** `--rates FILE`: exchange rates into the functional currency (CONTRACT §10). */
  rates?: string | undefined;
  /** `--accounts FILE`: the workflow configuration whose account mapping is checked (CONTRACT §10). */
  accounts?: string | undefined;
  /** `--currency CODE`: the functional currency; CNY when not given. */
  currency?: string | undefined;
  /** `--codes FILE`: the code mapping applied to both sides before grouping (统一编码). */
  codes?: string | undefined;
  /** `--variance-compensates`: a difference the cost variance explains whole agrees. */
  varianceCompensates?: boolean | undefined;
  /** Partition count; by default 64, more for inputs large enough to need them. */
  partitions?: number | undefined;
  /** Worker threads; by default one per core. 0 reconciles in this thread. */
  workers?: number | undefined;
  /** Raw records held in memory before spilling to a temp dir. */
  memoryBudgetBytes?: number | undefined;
  progress?: Progress | undefined;
  workerScript?: string | undefined;
}

export interface InputStats {
  file: string;
  rows: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** With --period: accepted records dated at or after the cut-off, which the run does not read. */
  afterCutOff?: number;
}

export interface Summary extends SummaryFigures {
  asOf: string;
  /** With --period only. */
  period?: string;
  timezone: string;
  lagHours: number;
  settings: Record<string, string>;
  inputs: Record<Source, InputStats> & {
    uom?: { file: string; rows: number; rejected: number };
    costs?: { file: string; rows: number; rejected: number };
    rates?: { file: string; rows: number; rejected: number };
    codes?: { file: string; rows: number; rejected: number };
  };
  /** With --variance-compensates only: groups whose amount difference the cost variance explained. */
  varianceCompensated?: number;
  rejected: { file: string; line: number; field: string | null; reason: string; source: string }[];
  conflicts: { file: string; line: number; id: string; reason: string }[];
  run: {
    partitions: number;
    workers: number;
    spilledBytes: number;
    durationMs: number;
    /**
     * Wall time until the first partition was reconciled (reading), then reconciling, suggesting
     * matches across partitions (diagnose), then writing.
     */
    phasesMs: { read: number; reconcile: number; diagnose: number; write: number };
    generatedAt: string;
  };
}

const REQUIRED: Record<Source, readonly string[]> = {
  wms: ['eventId', 'warehouseId', 'sku', 'type', 'quantity', 'documentRef', 'occurredAt'],
  finance: ['entryId', 'warehouseId', 'sku', 'type', 'quantity', 'amount', 'documentRef', 'postedAt'],
};

export const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;
/** A record index holds byte offsets as uint32 (record-index.ts): a larger file streams. */
const MAX_INDEXED_BYTES = 2 ** 32 - 1;
/** Past this much input per partition, use more partitions so each stays small. */
const BYTES_PER_PARTITION = 256 * 1024;

export function formatOf(path: string): 'csv' | 'ndjson' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  throw new UsageError(`${path}: unknown file type ${ext || '(none)'}; use .csv, .ndjson or .jsonl`);
}

export async function checkReadable(path: string, flag: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UsageError(`${flag} ${path} is not a file`);
    return s.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** Reads the CSV header of an input (first 1 MB at most) and checks the required columns. */
function inputFormat(source: Source, path: string): InputFormat {
  const file = basename(path);
  if (formatOf(path) === 'ndjson') return { kind: 'ndjson', file };
  const splitter = new CsvSplitter(1, { record: () => undefined, malformed: () => undefined });
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    splitter.push(buffer.subarray(0, n));
    if (n < buffer.length) splitter.end();
  } finally {
    closeSync(fd);
  }
  const header = splitter.header ?? [];
  const missing = REQUIRED[source].filter((name) => !header.includes(name));
  if (missing.length > 0)
    throw new UsageError(`--${source} ${path}: the CSV header lacks ${missing.join(', ')}`);
  const twice = duplicateColumn(header);
  if (twice !== undefined)
    throw new UsageError(
      `--${source} ${path}: the CSV header names ${twice} twice; which column is meant cannot be known`,
    );
  return { kind: 'csv', header, file };
}

/** A whole file in memory the worker threads share. */
function readShared(path: string, size: number): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(size);
  const bytes = new Uint8Array(shared);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) throw new UsageError(`${path} changed while it was read`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return shared;
}

function describeReject(r: Rejection): string {
  const side =
    r.source === 'wms' ? 'a WMS row' : r.source === 'finance' ? 'a finance row' : `a ${r.source} row`;
  return `${side} for this document was rejected at ${r.file} line ${r.line} (${r.reason})`;
}

/** What the partitions gave back, as the workers reported it. */
interface SharesRun {
  outcomes: (PartitionOutcome | undefined)[];
  rowsRead: number;
  spilledBytes: number;
  /** Wall time until the first partition was reconciled, and until the last. */
  readMs: number;
  reconcileMs: number;
}

/** Partitions: the default, doubled while a partition would hold more than BYTES_PER_PARTITION. */
function partitionCount(options: ReconcileOptions, totalBytes: number): number {
  let partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (options.partitions === undefined) {
    while (totalBytes / partitions > BYTES_PER_PARTITION) partitions *= 2;
  }
  return partitions;
}

/**
 * Splits, reads and reconciles the inputs on the worker threads. Two CSV files that fit the memory
 * budget are held whole and split once by ranges (ranged-share.ts); anything else streams through
 * each worker's partition store, spilling past the budget (worker-share.ts).
 */
async function reconcileShares(
  options: ReconcileOptions,
  context: JobContext,
  run: { partitions: number; workers: number; sizes: Record<Source, number>; rejected: Rejection[] },
  progress: Progress,
): Promise<SharesRun> {
  const { partitions, workers, sizes, rejected } = run;
  const result: SharesRun = {
    outcomes: new Array<PartitionOutcome | undefined>(partitions),
    rowsRead: 0,
    spilledBytes: 0,
    readMs: 0,
    reconcileMs: 0,
  };
  let done = 0;
  const phaseStart = stopwatch();
  progress.start('read');
  const onMessage = (message: ShareMessage) => {
    if (message.type === 'progress') {
      result.rowsRead += message.rows;
      progress.addRows(message.rows);
    } else if (message.type === 'malformed') rejected.push(...message.rejected);
    else if (message.type === 'spilled') result.spilledBytes += message.bytes;
    else {
      if (done === 0) {
        result.readMs = stopwatch() - phaseStart;
        progress.start('reconcile');
      }
      result.outcomes[message.outcome.partition] = message.outcome;
      progress.note(`${++done}/${partitions} partitions`);
    }
  };
  const memoryBudgetBytes = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  const { formats } = context;
  if (
    formats.wms.kind === 'csv' &&
    formats.finance.kind === 'csv' &&
    sizes.wms + sizes.finance <= memoryBudgetBytes &&
    Math.max(sizes.wms, sizes.finance) <= MAX_INDEXED_BYTES
  ) {
    const data = {
      wms: readShared(options.wms, sizes.wms),
      finance: readShared(options.finance, sizes.finance),
    };
    await runRangedShares({ ...context, data, partitions }, workers, onMessage, options.workerScript);
  } else {
    await runShares(
      { ...context, files: { wms: options.wms, finance: options.finance }, partitions, memoryBudgetBytes },
      workers,
      onMessage,
      options.workerScript,
    );
  }
  result.reconcileMs = stopwatch() - phaseStart - result.readMs;
  return result;
}

/** Each discrepancy's rejected rows of its document: the likeliest cause of it. */
function rejectedByDocument(rejected: readonly Rejection[]): Map<string, Rejection[]> {
  const byDocument = new Map<string, Rejection[]>();
  for (const r of rejected) {
    if (r.documentRef === undefined) continue;
    const list = byDocument.get(r.documentRef);
    if (list === undefined) byDocument.set(r.documentRef, [r]);
    else list.push(r);
  }
  return byDocument;
}

/**
 * discrepancies.json and .csv in partition order: a partition's rendered fragments as they are,
 * re-rendered only when a discrepancy of it gains rejected rows or suggested matches.
 */
function writeDiscrepancyFiles(
  out: string,
  outcomes: readonly (PartitionOutcome | undefined)[],
  related: ReadonlyMap<string, Rejection[]>,
  suggestions: ReturnType<typeof suggestMatches>,
  fields: ReturnType<typeof discrepancyFields>,
): void {
  const files = new DiscrepancyFiles(join(out, 'discrepancies.json'), join(out, 'discrepancies.csv'), fields);
  for (const outcome of outcomes) {
    if (outcome === undefined || outcome.discrepancies === 0) continue;
    if (
      !outcome.documentRefs.some((ref) => related.has(ref)) &&
      !outcome.subjects.some((subject) => suggestions.has(subject.groupKey))
    ) {
      files.appendRef(outcome.fragments);
      continue;
    }
    const { fragments } = outcome;
    const found = parseJsonFragment(
      readFragment(fragments.json, fragments.jsonStart, fragments.jsonBytes).toString('utf8'),
    );
    for (const d of found) {
      const rows = related.get(d.documentRef);
      if (rows !== undefined) annotate(d, rows);
      const matches = suggestions.get(d.groupKey);
      if (matches !== undefined) d.suggestedMatches = matches;
    }
    const rendered = renderFragments(found, fields);
    files.append(Buffer.from(rendered.json), Buffer.from(rendered.csv));
  }
  files.close();
}

/** The run as summary.json tells it (CONTRACT §3). */
function summaryOf(
  options: ReconcileOptions,
  merged: MergedOutcomes,
  tables: ReferenceTables,
  run: {
    period: string | undefined;
    partitions: number;
    workers: number;
    spilledBytes: number;
    started: number;
    phases: Summary['run']['phasesMs'];
  },
  accountsChecked: boolean,
): Summary {
  const { settings } = options;
  const { rejected, counts, afterCutOff, routed } = merged;
  const period = run.period;
  const malformedBy = (source: Source) =>
    rejected.filter((r) => r.source === source && r.reason.startsWith('row ')).length;
  const inputStats = (source: Source, path: string, rows: number): InputStats => ({
    file: basename(path),
    rows,
    accepted: counts[source].accepted - counts[source].conflicts,
    duplicates: counts[source].duplicates,
    conflicts: counts[source].conflicts,
    rejected: rejected.filter((r) => r.source === source).length,
    ...(period === undefined ? {} : { afterCutOff: afterCutOff[source] }),
  });
  const { stats } = tables;
  return {
    asOf: new Date(settings.asOf).toISOString(),
    ...(period === undefined ? {} : { period }),
    timezone: settings.timeZone,
    lagHours: settings.lagHours,
    settings: {
      amountTolerance: formatDecimal(settings.amountTolerance),
      amountToleranceRate: formatDecimal(settings.amountToleranceRate),
      red: formatDecimal(settings.red),
      yellow: formatDecimal(settings.yellow),
      yellowRate: formatDecimal(settings.yellowRate),
    },
    ...summaryFigures(merged.tally, accountsChecked ? ['ACCOUNT_MISMATCH'] : []),
    inputs: {
      wms: inputStats('wms', options.wms, routed.wms + malformedBy('wms')),
      finance: inputStats('finance', options.finance, routed.finance + malformedBy('finance')),
      ...(stats.uom === undefined ? {} : { uom: stats.uom }),
      ...(stats.costs === undefined ? {} : { costs: stats.costs }),
      ...(stats.rates === undefined ? {} : { rates: stats.rates }),
      ...(stats.codes === undefined ? {} : { codes: stats.codes }),
    },
    ...(options.varianceCompensates === true ? { varianceCompensated: merged.compensated } : {}),
    rejected: rejected.map((r) => ({
      file: r.file,
      line: r.line,
      field: r.field ?? null,
      reason: r.reason,
      source: r.source,
    })),
    conflicts: merged.conflicts.map((c) => ({ file: c.file, line: c.line, id: c.id, reason: c.reason })),
    run: {
      partitions: run.partitions,
      workers: run.workers,
      spilledBytes: run.spilledBytes,
      durationMs: stopwatch() - run.started,
      phasesMs: run.phases,
      generatedAt: systemClock().toISOString(),
    },
  };
}

export async function runReconcile(options: ReconcileOptions): Promise<Summary> {
  const started = stopwatch();
  const progress = options.progress ?? new Progress(false);
  const { settings } = options;
  const zone = new ZoneClock(settings.timeZone);
  const period = options.period === undefined ? undefined : periodWindow(options.period, zone);
  const currencyShown = options.currency !== undefined || options.rates !== undefined;
  const fields = discrepancyFields({
    period: period !== undefined,
    currency: currencyShown,
    accounts: options.accounts !== undefined,
  });
  const sizes = {
    wms: await checkReadable(options.wms, '--wms'),
    finance: await checkReadable(options.finance, '--finance'),
  };
  formatOf(options.wms);
  formatOf(options.finance);
  const accounts =
    options.accounts === undefined ? undefined : await loadWorkflowFile(options.accounts, '--accounts');
  const tables = await loadReferenceTables(options, zone);
  // The cost variance compares standard with the period's average: both must be given.
  const varianceConfig =
    period === undefined || options.costs === undefined
      ? undefined
      : (accounts ?? (await loadWorkflowFile(defaultConfigPath(), 'the default workflow configuration')));
  const partitions = partitionCount(options, sizes.wms + sizes.finance);
  // Without the bundled worker script the shares run on this thread: the summary says 0 workers then.
  const script = options.workerScript ?? defaultWorkerScript();
  const workers =
    script === undefined ? 0 : (options.workers ?? Math.min(availableParallelism(), partitions));
  const formats = { wms: inputFormat('wms', options.wms), finance: inputFormat('finance', options.finance) };
  await mkdir(options.out, { recursive: true });
  const tmpDir = await mkdtemp(join(tmpdir(), 'stocktally-'));
  try {
    const context: JobContext = {
      settings,
      uomRows: tables.uomRows,
      costRows: tables.costRows,
      formats,
      tmpDir,
      period,
      currency: {
        code: options.currency ?? DEFAULT_CURRENCY,
        rateRows: tables.rateRows,
        shown: currencyShown,
      },
      accounts,
      codeRows: tables.codeRows,
      varianceCompensates: options.varianceCompensates === true,
      costVariance: varianceConfig,
    };
    const shares = await reconcileShares(
      options,
      context,
      { partitions, workers, sizes, rejected: tables.rejected },
      progress,
    );
    const merged = mergeOutcomes(shares.outcomes, tables.rejected);
    const phases = { read: shares.readMs, reconcile: shares.reconcileMs, diagnose: 0, write: 0 };
    // Suggested matches need every partition's one-sided groups: a sku typo lands in another one.
    const diagnoseStart = stopwatch();
    const suggestions = suggestMatches(
      shares.outcomes.flatMap((o) => o?.subjects ?? []),
      { settings },
    );
    phases.diagnose = stopwatch() - diagnoseStart;
    const writeStart = stopwatch();
    progress.start('write');
    writeDiscrepancyFiles(
      options.out,
      shares.outcomes,
      rejectedByDocument(merged.rejected),
      suggestions,
      fields,
    );
    if (period !== undefined && varianceConfig !== undefined) {
      await writeCostVariance(options.out, merged.variance, {
        period: period.period,
        timezone: settings.timeZone,
        currency: options.currency ?? DEFAULT_CURRENCY,
        varianceAccount: costVarianceAccount(varianceConfig),
      });
    }
    phases.write = stopwatch() - writeStart;
    const summary = summaryOf(
      options,
      merged,
      tables,
      { period: period?.period, partitions, workers, spilledBytes: shares.spilledBytes, started, phases },
      accounts !== undefined,
    );
    await writeFile(join(options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    progress.done(
      `reconciled ${shares.rowsRead.toLocaleString('en-US')} rows in ${((stopwatch() - started) / 1000).toFixed(1)} s: ${summary.groupsSeen} groups, ${summary.discrepancies} discrepancies, ${summary.rejected.length} rows rejected`,
    );
    return summary;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function annotate(d: Discrepancy, related: readonly Rejection[]): void {
  d.rejectedRows = related.map((r) => ({ file: r.file, line: r.line, reason: r.reason }));
  const first = related[0];
  if (first !== undefined) {
    d.explanation += `; ${describeReject(first)}${related.length > 1 ? ` and ${related.length - 1} more` : ''}`;
  }
}
