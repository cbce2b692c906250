import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Rejection, Source } from '../core/records/records.js';
import { CodeMap } from '../core/records/code-map.js';
import { CsvSplitter, type SplitSink } from '../core/records/splitter.js';
import { partitionRecords, RecordIndexBuilder } from '../core/records/record-index.js';
import { csvBody, lineAlignedRanges } from '../core/records/line-ranges.js';
import { FragmentSink } from './output.js';
import { prepare, type JobContext, type PartitionInput } from './partition-job.js';
import type { ShareMessage } from './worker-share.js';

/**
 * The CSV share of a reconciliation, split once: both files sit in shared memory, cut into
 * line-aligned byte ranges (line-ranges.ts), one per worker. Each worker splits only its ranges,
 * indexing every record by partition (record-index.ts); the indexes are exchanged through the main
 * thread (shared memory, no copy), and each worker then reads and reconciles the partitions it owns
 * (partition % workers === index), their records taken from every range in file order.
 */
export interface RangedInit extends JobContext {
  /** Each CSV file's bytes, whole. */
  data: Record<Source, SharedArrayBuffer>;
  /** Per file, workers + 1 byte boundaries; worker i splits [bounds[i], bounds[i + 1]). */
  bounds: Record<Source, number[]>;
  partitions: number;
  index: number;
  workers: number;
}

/** What a worker found in its range of one file, its lines relative to the range's start. */
export interface RangeIndex {
  packed: SharedArrayBuffer;
  /** Physical lines the range spans. */
  lines: number;
  /** Records whose boundaries cannot be trusted (an unterminated quote), at relative lines. */
  malformed: Rejection[];
  records: number;
  /** Whether the range ended at a record boundary (always, for the file's last range). */
  complete: boolean;
}

/** A range's index as every worker reads it: with the physical line its range starts at. */
export interface PlacedIndex {
  packed: SharedArrayBuffer;
  firstLine: number;
}

export type RangedMessage =
  ShareMessage | { type: 'indexed'; index: number; wms: RangeIndex; finance: RangeIndex };

/** A file's byte ranges, one per worker, cut after line feeds; with the file's first record line. */
export function fileRanges(
  data: SharedArrayBuffer,
  workers: number,
): { bounds: number[]; firstLine: number } {
  const bytes = new Uint8Array(data);
  const body = csvBody(bytes);
  return { bounds: lineAlignedRanges(bytes, body.start, workers), firstLine: body.line };
}

/** Splits range `range` of the file's `bounds` into an index by partition. */
export function indexRange(
  source: Source,
  init: Omit<RangedInit, 'index' | 'workers'>,
  bounds: readonly number[],
  range: number,
): RangeIndex {
  const format = init.formats[source];
  if (format.kind !== 'csv') throw new Error(`${format.file}: only CSV is split by ranges`);
  const start = bounds[range] ?? 0;
  const end = bounds[range + 1] ?? start;
  const builder = new RecordIndexBuilder(init.partitions);
  const malformed: Rejection[] = [];
  const sink: SplitSink = {
    record: (partition, _data, from, to, line) => builder.add(partition, start + from, start + to, line),
    malformed: (line, reason) =>
      malformed.push({ source, file: format.file, line, field: undefined, reason: `row ${reason}` }),
  };
  // With --codes a record is routed by its unified sku, where the other side's records of it go.
  const skus = init.codeRows.length === 0 ? undefined : new CodeMap(init.codeRows).skus(source);
  const splitter = new CsvSplitter(init.partitions, sink, skus).resumeAt(format.header, 0);
  const last = range === bounds.length - 2;
  const complete = splitter.splitRange(new Uint8Array(init.data[source], start, end - start), last);
  return {
    packed: builder.pack(),
    lines: splitter.linesSeen,
    malformed,
    records: splitter.records,
    complete,
  };
}

/** Splits this worker's range of each file. */
export function indexShare(
  init: RangedInit,
  emit: (m: ShareMessage) => void,
): { wms: RangeIndex; finance: RangeIndex } {
  const wms = indexRange('wms', init, init.bounds.wms, init.index);
  const finance = indexRange('finance', init, init.bounds.finance, init.index);
  emit({ type: 'progress', rows: wms.records + finance.records, phase: 'read' });
  return { wms, finance };
}

/**
 * Every range's index of both files; a file one of whose cuts fell inside a record (a quoted line
 * feed) is split again here, whole, and its ranges' indexes give way to that one.
 */
export function checkedIndexes(
  init: Omit<RangedInit, 'index' | 'workers'>,
  found: readonly { wms: RangeIndex; finance: RangeIndex }[],
  emit: (m: ShareMessage) => void,
): { wms: RangeIndex; finance: RangeIndex }[] {
  const out = found.map((f) => ({ ...f }));
  for (const source of ['wms', 'finance'] as const) {
    if (found.every((f) => f[source].complete)) continue;
    const bounds = init.bounds[source];
    const whole = indexRange(source, init, [bounds[0] ?? 0, bounds[bounds.length - 1] ?? 0], 0);
    const before = found.reduce((n, f) => n + f[source].records, 0);
    emit({ type: 'progress', rows: whole.records - before, phase: 'read' });
    out.forEach((f, i) => {
      f[source] = i === 0 ? whole : emptyIndex(init.partitions);
    });
  }
  return out;
}

function emptyIndex(partitions: number): RangeIndex {
  return {
    packed: new RecordIndexBuilder(partitions).pack(),
    lines: 0,
    malformed: [],
    records: 0,
    complete: true,
  };
}

/**
 * Where each range starts, from the lines every range before it spans; the malformed rows of every
 * range at their physical lines.
 */
export function placeIndexes(
  firstLine: Record<Source, number>,
  found: readonly { wms: RangeIndex; finance: RangeIndex }[],
): { placed: Record<Source, PlacedIndex[]>; malformed: Rejection[] } {
  const placed: Record<Source, PlacedIndex[]> = { wms: [], finance: [] };
  const malformed: Rejection[] = [];
  for (const source of ['wms', 'finance'] as const) {
    let line = firstLine[source];
    for (const range of found) {
      const index = range[source];
      placed[source].push({ packed: index.packed, firstLine: line });
      for (const m of index.malformed) malformed.push({ ...m, line: m.line + line });
      line += index.lines;
    }
  }
  return { placed, malformed };
}

/** A partition's records of one file in every range, in file order. */
function partitionInput(
  data: Buffer,
  ranges: readonly PlacedIndex[],
  partitions: number,
  partition: number,
): PartitionInput {
  return {
    kind: 'indexed',
    data,
    runs: ranges.map((range) => ({
      records: partitionRecords(range.packed, partitions, partition),
      firstLine: range.firstLine,
    })),
  };
}

/** Reads and reconciles the partitions this worker owns, from every range's index. */
export function reconcileIndexed(
  init: RangedInit,
  placed: Record<Source, PlacedIndex[]>,
  emit: (m: ShareMessage) => void,
): void {
  const dir = join(init.tmpDir, `worker-${init.index}`);
  mkdirSync(dir, { recursive: true });
  emit({ type: 'spilled', bytes: 0 });
  const sink = new FragmentSink(join(dir, 'discrepancies.json'), join(dir, 'discrepancies.csv'));
  try {
    const run = prepare(init, sink);
    // Buffers over the shared bytes (no copy), for their native text slices.
    const wms = Buffer.from(init.data.wms);
    const finance = Buffer.from(init.data.finance);
    for (let p = init.index; p < init.partitions; p += init.workers) {
      const outcome = run({
        partition: p,
        wms: partitionInput(wms, placed.wms, init.partitions, p),
        finance: partitionInput(finance, placed.finance, init.partitions, p),
      });
      emit({ type: 'outcome', outcome });
    }
  } finally {
    sink.close();
  }
}
