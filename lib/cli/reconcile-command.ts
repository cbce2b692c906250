import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { loadCostsCsv, type CostRow } from '../core/records/costs.js';
import { duplicateColumn } from '../core/records/csv.js';
import { DEFAULT_CURRENCY, loadRatesCsv, type RateRow } from '../core/records/rates.js';
import { formatDecimal } from '../core/shared/decimal.js';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';
import type { Conflict } from '../core/reconcile/group.js';
import { DEFAULT_PARTITIONS } from '../core/records/partition.js';
import { periodWindow } from '../core/shared/period.js';
import type { Rejection, Source } from '../core/records/records.js';
import type { Settings } from '../core/reconcile/settings.js';
import { CsvSplitter } from '../core/records/splitter.js';
import { emptyTally, mergeTally, summaryFigures, type SummaryFigures } from '../core/reconcile/summary.js';
import { TableHeaderError } from '../core/records/table-text.js';
import { loadUomCsv, type UomRow } from '../core/records/uom.js';
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
import { loadCodesCsv, type CodeRow } from '../core/records/code-map.js';
import { costVarianceAccount, type CostVarianceBook } from '../core/vouchers/cost-variance.js';
import { defaultConfigPath } from '../adapters/cases/workflow-config-source.js';
import { runRangedShares, runShares } from './worker-pool.js';
import type { ShareMessage } from './worker-share.js';
import { systemClock } from '../clock.js';

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
/** Past this much input per partition, use more partitions so each stays small. */
const BYTES_PER_PARTITION = 256 * 1024;

export function formatOf(path: string): 'csv' | 'ndjson' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  throw new UsageError(`${path}: unknown file type ${ext || '(none)'}; use .csv, .ndjson or .jsonl`);
}

async function readTable(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
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

export async function runReconcile(options: ReconcileOptions): Promise<Summary> {
  const started = Date.now();
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
  const rejected: Rejection[] = [];

  let uomRows: UomRow[] = [];
  let costRows: CostRow[] = [];
  let rateRows: RateRow[] = [];
  let uomStats: Summary['inputs']['uom'];
  let costStats: Summary['inputs']['costs'];
  let rateStats: Summary['inputs']['rates'];
  let codeRows: CodeRow[] = [];
  let codeStats: Summary['inputs']['codes'];
  const accounts =
    options.accounts === undefined ? undefined : await loadWorkflowFile(options.accounts, '--accounts');
  try {
    if (options.uom !== undefined) {
      const file = basename(options.uom);
      const loaded = loadUomCsv(await readTable(options.uom), file);
      uomRows = loaded.rows;
      rejected.push(...loaded.rejected);
      uomStats = {
        file,
        rows: loaded.rows.length + loaded.rejected.length,
        rejected: loaded.rejected.length,
      };
    }
    if (options.costs !== undefined) {
      const file = basename(options.costs);
      const loaded = loadCostsCsv(await readTable(options.costs), file, zone);
      costRows = loaded.rows;
      rejected.push(...loaded.rejected);
      costStats = {
        file,
        rows: loaded.rows.length + loaded.rejected.length,
        rejected: loaded.rejected.length,
      };
    }
    if (options.rates !== undefined) {
      const file = basename(options.rates);
      const loaded = loadRatesCsv(await readTable(options.rates), file, zone);
      rateRows = loaded.rows;
      rejected.push(...loaded.rejected);
      rateStats = {
        file,
        rows: loaded.rows.length + loaded.rejected.length,
        rejected: loaded.rejected.length,
      };
    }
    if (options.codes !== undefined) {
      const file = basename(options.codes);
      const loaded = loadCodesCsv(await readTable(options.codes), file);
      // A code mapped two ways would make every figure of it a guess: the run does not start.
      if (!loaded.ok) throw new UsageError(`--codes ${loaded.reason}`);
      codeRows = loaded.rows;
      rejected.push(...loaded.rejected);
      codeStats = {
        file,
        rows: loaded.rows.length + loaded.rejected.length,
        rejected: loaded.rejected.length,
      };
    }
  } catch (error) {
    if (error instanceof TableHeaderError) throw new UsageError(error.message);
    throw error;
  }
  // The cost variance compares standard with the period's average: both must be given.
  const varianceConfig =
    period === undefined || options.costs === undefined
      ? undefined
      : (accounts ?? (await loadWorkflowFile(defaultConfigPath(), 'the default workflow configuration')));

  const totalBytes = sizes.wms + sizes.finance;
  let partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (options.partitions === undefined) {
    while (totalBytes / partitions > BYTES_PER_PARTITION) partitions *= 2;
  }
  const workers = options.workers ?? Math.min(availableParallelism(), partitions);
  const formats = { wms: inputFormat('wms', options.wms), finance: inputFormat('finance', options.finance) };
  await mkdir(options.out, { recursive: true });
  const tmpDir = await mkdtemp(join(tmpdir(), 'stocktally-'));
  try {
    const outcomes: (PartitionOutcome | undefined)[] = new Array<PartitionOutcome | undefined>(partitions);
    const rows = { read: 0 };
    let done = 0;
    let spilledBytes = 0;
    const phaseStart = Date.now();
    const phases = { read: 0, reconcile: 0, diagnose: 0, write: 0 };
    progress.start('read');
    const onMessage = (message: ShareMessage) => {
      if (message.type === 'progress') {
        rows.read += message.rows;
        progress.addRows(message.rows);
      } else if (message.type === 'malformed') rejected.push(...message.rejected);
      else if (message.type === 'spilled') spilledBytes += message.bytes;
      else {
        if (done === 0) {
          phases.read = Date.now() - phaseStart;
          progress.start('reconcile');
        }
        outcomes[message.outcome.partition] = message.outcome;
        progress.note(`${++done}/${partitions} partitions`);
      }
    };
    const context: JobContext = {
      settings,
      uomRows,
      costRows,
      formats,
      tmpDir,
      period,
      currency: { code: options.currency ?? DEFAULT_CURRENCY, rateRows, shown: currencyShown },
      accounts,
      codeRows,
      varianceCompensates: options.varianceCompensates === true,
      costVariance: varianceConfig,
    };
    const memoryBudgetBytes = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
    if (formats.wms.kind === 'csv' && formats.finance.kind === 'csv' && totalBytes <= memoryBudgetBytes) {
      // Both files fit the memory budget: held whole and split once, each worker a range of them.
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
    const malformedBy = (source: Source) =>
      rejected.filter((r) => r.source === source && r.reason.startsWith('row ')).length;

    const tally = emptyTally();
    let compensated = 0;
    const variance: CostVarianceBook = { items: [], unvalued: [] };
    const conflicts: Conflict[] = [];
    const routed = { wms: 0, finance: 0 };
    const afterCutOff = { wms: 0, finance: 0 };
    const counts = {
      wms: { accepted: 0, duplicates: 0, conflicts: 0 },
      finance: { accepted: 0, duplicates: 0, conflicts: 0 },
    };
    for (const outcome of outcomes) {
      if (outcome === undefined) continue;
      mergeTally(tally, outcome.tally);
      compensated += outcome.compensated;
      if (outcome.costVariance !== undefined) {
        variance.items.push(...outcome.costVariance.items);
        variance.unvalued.push(...outcome.costVariance.unvalued);
      }
      rejected.push(...outcome.rejected);
      conflicts.push(...outcome.conflicts);
      for (const source of ['wms', 'finance'] as const) {
        routed[source] += outcome.rows[source];
        counts[source].accepted += outcome.records[source] - outcome.duplicates[source];
        counts[source].duplicates += outcome.duplicates[source];
        afterCutOff[source] += outcome.afterCutOff[source];
      }
    }
    for (const c of conflicts) counts[c.source].conflicts++;
    const order = (a: { file: string; line: number }, b: { file: string; line: number }) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
    rejected.sort(order);
    conflicts.sort(order);

    // A rejected row that names a group's document is the likeliest cause of its discrepancy.
    const rejectedByDocument = new Map<string, Rejection[]>();
    for (const r of rejected) {
      if (r.documentRef === undefined) continue;
      const list = rejectedByDocument.get(r.documentRef);
      if (list === undefined) rejectedByDocument.set(r.documentRef, [r]);
      else list.push(r);
    }
    phases.reconcile = Date.now() - phaseStart - phases.read;
    // Suggested matches need every partition's one-sided groups: a sku typo lands in another one.
    const diagnoseStart = Date.now();
    const suggestions = suggestMatches(
      outcomes.flatMap((o) => o?.subjects ?? []),
      { settings },
    );
    phases.diagnose = Date.now() - diagnoseStart;
    const writeStart = Date.now();
    progress.start('write');
    const files = new DiscrepancyFiles(
      join(options.out, 'discrepancies.json'),
      join(options.out, 'discrepancies.csv'),
      fields,
    );
    for (const outcome of outcomes) {
      if (outcome === undefined || outcome.discrepancies === 0) continue;
      if (
        !outcome.documentRefs.some((ref) => rejectedByDocument.has(ref)) &&
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
        const related = rejectedByDocument.get(d.documentRef);
        if (related !== undefined) annotate(d, related);
        const matches = suggestions.get(d.groupKey);
        if (matches !== undefined) d.suggestedMatches = matches;
      }
      const rendered = renderFragments(found, fields);
      files.append(Buffer.from(rendered.json), Buffer.from(rendered.csv));
    }
    files.close();
    if (period !== undefined && varianceConfig !== undefined) {
      await writeCostVariance(options.out, variance, {
        period: period.period,
        timezone: settings.timeZone,
        currency: options.currency ?? DEFAULT_CURRENCY,
        varianceAccount: costVarianceAccount(varianceConfig),
      });
    }
    phases.write = Date.now() - writeStart;

    const inputStats = (source: Source, path: string, rows: number): InputStats => ({
      file: basename(path),
      rows,
      accepted: counts[source].accepted - counts[source].conflicts,
      duplicates: counts[source].duplicates,
      conflicts: counts[source].conflicts,
      rejected: rejected.filter((r) => r.source === source).length,
      ...(period === undefined ? {} : { afterCutOff: afterCutOff[source] }),
    });
    const summary: Summary = {
      asOf: new Date(settings.asOf).toISOString(),
      ...(period === undefined ? {} : { period: period.period }),
      timezone: settings.timeZone,
      lagHours: settings.lagHours,
      settings: {
        amountTolerance: formatDecimal(settings.amountTolerance),
        amountToleranceRate: formatDecimal(settings.amountToleranceRate),
        red: formatDecimal(settings.red),
        yellow: formatDecimal(settings.yellow),
        yellowRate: formatDecimal(settings.yellowRate),
      },
      ...summaryFigures(tally, accounts === undefined ? [] : ['ACCOUNT_MISMATCH']),
      inputs: {
        wms: inputStats('wms', options.wms, routed.wms + malformedBy('wms')),
        finance: inputStats('finance', options.finance, routed.finance + malformedBy('finance')),
        ...(uomStats === undefined ? {} : { uom: uomStats }),
        ...(costStats === undefined ? {} : { costs: costStats }),
        ...(rateStats === undefined ? {} : { rates: rateStats }),
        ...(codeStats === undefined ? {} : { codes: codeStats }),
      },
      ...(options.varianceCompensates === true ? { varianceCompensated: compensated } : {}),
      rejected: rejected.map((r) => ({
        file: r.file,
        line: r.line,
        field: r.field ?? null,
        reason: r.reason,
        source: r.source,
      })),
      conflicts: conflicts.map((c) => ({ file: c.file, line: c.line, id: c.id, reason: c.reason })),
      run: {
        partitions,
        workers,
        spilledBytes,
        durationMs: Date.now() - started,
        phasesMs: phases,
        generatedAt: systemClock().toISOString(),
      },
    };
    await writeFile(join(options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    progress.done(
      `reconciled ${rows.read.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.groupsSeen} groups, ${summary.discrepancies} discrepancies, ${summary.rejected.length} rows rejected`,
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
