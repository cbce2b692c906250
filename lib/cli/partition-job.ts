import { CostTable, type CostRow } from '../core/records/costs.js';
import type { Conflict } from '../core/reconcile/group.js';
import type { PeriodWindow } from '../core/shared/period.js';
import { readCsvRecords, readNdjsonRecords } from '../core/records/readers.js';
import type { Entry, Movement, Rejection, Source } from '../core/records/records.js';
import { RateTable, toFunctional, type CurrencySettings, type RateRow } from '../core/records/rates.js';
import { reconcilePartition } from '../core/reconcile/reconcile.js';
import { subjectOf, type MatchSubject } from '../core/diagnosis/suggest-matches.js';
import type { Settings } from '../core/reconcile/settings.js';
import type { Tally } from '../core/reconcile/summary.js';
import { UomTable, type UomRow } from '../core/records/uom.js';
import type { WorkflowConfig } from '../core/cases/workflow-config.js';
import { ZoneClock } from '../core/shared/zone-clock.js';
import { CodeMap, type CodeRow } from '../core/records/code-map.js';
import { costVariances, type CostVarianceBook } from '../core/vouchers/cost-variance.js';
import { discrepancyFields, renderFragments, type FragmentRef, type FragmentSink } from './output.js';
import type { SharePiece } from './partition-store.js';
import { FastCsvReader, readIndexedCsv, type IndexedRun } from '../core/records/fast-csv-records.js';

/** How one input file is read: CSV under its header, or NDJSON. */
export type InputFormat = { kind: 'csv'; header: string[]; file: string } | { kind: 'ndjson'; file: string };

/** What every partition job shares: the tables and settings, sent once to each worker. */
export interface JobContext {
  settings: Settings;
  uomRows: UomRow[];
  costRows: CostRow[];
  formats: Record<Source, InputFormat>;
  tmpDir: string;
  /** `--period`: the books at the end of this period (CONTRACT §7). */
  period?: PeriodWindow | undefined;
  /** The functional currency and `--rates` (CONTRACT §10); `shown` when asked for by a flag. */
  currency: { code: string; rateRows: RateRow[]; shown: boolean };
  /** `--accounts`: the workflow configuration whose mapping finance lines are checked against. */
  accounts?: WorkflowConfig | undefined;
  /** `--codes`: the code mapping rows, applied to every record as it is read (统一编码). */
  codeRows: CodeRow[];
  /** `--variance-compensates`. */
  varianceCompensates: boolean;
  /** With --costs and --period: the cost variance is valued, its entry booked on this mapping. */
  costVariance?: WorkflowConfig | undefined;
}

/**
 * One partition's records of one file, in file order: runs of whole records copied out with their
 * physical lines (made when the source is read, so one source's bytes are in memory at a time), or
 * where they lie in the whole file's bytes (ranged-share.ts).
 */
export type PartitionInput =
  | { kind: 'pieces'; pieces: () => Iterable<SharePiece> }
  | { kind: 'indexed'; data: Uint8Array; runs: IndexedRun[] };

export interface PartitionJob {
  partition: number;
  wms: PartitionInput;
  finance: PartitionInput;
}

export interface PartitionOutcome {
  partition: number;
  /** Rows routed to this partition, valid or not. */
  rows: Record<Source, number>;
  tally: Tally;
  records: Record<Source, number>;
  duplicates: Record<Source, number>;
  afterCutOff: Record<Source, number>;
  conflicts: Conflict[];
  rejected: Rejection[];
  /** Groups whose difference the cost variance explained (--variance-compensates). */
  compensated: number;
  /** The partition's items' cost variance, with --costs and --period. */
  costVariance?: CostVarianceBook | undefined;
  discrepancies: number;
  /** The document refs of its discrepancies, to find the ones a rejected row must be named in. */
  documentRefs: string[];
  /** Its one-sided discrepancies, for suggested matches across partitions (a sku typo moves one). */
  subjects: MatchSubject[];
  /** Where the partition's discrepancies, rendered as JSON lines and CSV rows, sit in its worker's files. */
  fragments: FragmentRef;
}

/** The entries in the functional currency; one that cannot be converted is the reconciliation's to reject. */
function inFunctional(entries: readonly Entry[], currency: CurrencySettings, zone: ZoneClock): Entry[] {
  return entries.flatMap((e) => {
    const converted = toFunctional(e, currency, zone);
    return converted.ok ? [converted.entry] : [];
  });
}

export function prepare(context: JobContext, sink: FragmentSink): (job: PartitionJob) => PartitionOutcome {
  const zone = new ZoneClock(context.settings.timeZone);
  const ctx = {
    settings: context.settings,
    uom: new UomTable(context.uomRows),
    costs: new CostTable(context.costRows),
    zone,
    period: context.period,
    currency: {
      currency: context.currency.code,
      rates: new RateTable(context.currency.rateRows),
      shown: context.currency.shown,
    },
    accounts: context.accounts,
    varianceCompensates: context.varianceCompensates,
  };
  const codes = context.codeRows.length === 0 ? undefined : new CodeMap(context.codeRows);
  const fields = discrepancyFields({
    period: context.period !== undefined,
    currency: context.currency.shown,
    accounts: context.accounts !== undefined,
  });
  const fast: Partial<Record<Source, FastCsvReader>> = {};
  const read = <R extends Movement | Entry>(source: Source, input: PartitionInput) => {
    const format = context.formats[source];
    const records: R[] = [];
    const rejected: Rejection[] = [];
    let rows = 0;
    const keep = (read: { records: R[]; rejected: Rejection[] }) => {
      // Mapped as read: grouping, pricing and every output see the unified codes only.
      for (const r of read.records) records.push(codes === undefined ? r : codes.apply(r));
      for (const r of read.rejected) rejected.push(r);
    };
    if (input.kind === 'indexed') {
      if (format.kind !== 'csv') throw new Error(`${format.file}: only CSV records are read where they lie`);
      const reader = (fast[source] ??= new FastCsvReader(source, format.header, format.file, zone));
      const read = readIndexedCsv<R>(input.data, input.runs, format.header, reader, {
        source,
        file: format.file,
        zone,
      });
      keep(read);
      return { records, rejected, rows: read.rows };
    }
    for (const piece of input.pieces()) {
      // Byte-for-byte decoding: four times faster than UTF-8, fixed up per record by the readers.
      const text = Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength).toString(
        'latin1',
      );
      const options = { source, file: format.file, zone, lines: piece.lines, latin1: true };
      keep(
        format.kind === 'csv'
          ? readCsvRecords<R>(text, format.header, options)
          : readNdjsonRecords<R>(text, options),
      );
      rows += piece.lines.length;
    }
    return { records, rejected, rows };
  };
  return (job) => {
    const movements = read<Movement>('wms', job.wms);
    const entries = read<Entry>('finance', job.finance);
    const result = reconcilePartition(movements.records, entries.records, ctx);
    const costVariance =
      context.costVariance === undefined || ctx.period === undefined
        ? undefined
        : costVariances(movements.records, inFunctional(entries.records, ctx.currency, zone), {
            ...ctx,
            window: ctx.period,
            config: context.costVariance,
          });
    const fragments = sink.write(renderFragments(result.discrepancies, fields));
    return {
      partition: job.partition,
      rows: { wms: movements.rows, finance: entries.rows },
      tally: result.tally,
      records: result.records,
      duplicates: result.duplicates,
      afterCutOff: result.afterCutOff,
      conflicts: result.conflicts,
      rejected: [...movements.rejected, ...entries.rejected, ...result.rejected],
      compensated: result.compensated,
      costVariance,
      discrepancies: result.discrepancies.length,
      documentRefs: result.discrepancies.map((d) => d.documentRef),
      subjects: result.discrepancies.flatMap((d) => subjectOf(d) ?? []),
      fragments,
    };
  };
}
