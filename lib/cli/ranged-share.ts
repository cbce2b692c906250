import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Rejection, Source } from '../core/records/records.js';
import { CodeMap } from '../core/records/code-map.js';
import { CsvSplitter, type SplitSink } from '../core/records/splitter.js';
import { INDEX_FIELDS, partitionRecords, RecordIndexBuilder } from '../core/records/record-index.js';
import { csvBody, isQuoteFree, lineAlignedRanges } from '../core/records/line-ranges.js';
import { FragmentSink } from './output.js';
import { prepare, type JobContext } from './partition-job.js';
import type { SharePiece } from './partition-store.js';
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
}

/** A range's index as every worker reads it: with the physical line its range starts at. */
export interface PlacedIndex {
  packed: SharedArrayBuffer;
  firstLine: number;
}

export type RangedMessage =
  ShareMessage | { type: 'indexed'; index: number; wms: RangeIndex; finance: RangeIndex };

/**
 * A file's byte ranges, one per worker: line-aligned cuts when no quote can hide a line feed inside a
 * record, else the whole file to the first worker (the others' ranges empty). With its first line.
 */
export function fileRanges(
  data: SharedArrayBuffer,
  workers: number,
): { bounds: number[]; firstLine: number } {
  const bytes = new Uint8Array(data);
  const body = csvBody(bytes);
  const bounds = isQuoteFree(bytes)
    ? lineAlignedRanges(bytes, body.start, workers)
    : [body.start, ...Array.from({ length: workers }, () => bytes.length)];
  return { bounds, firstLine: body.line };
}

function indexRange(source: Source, init: RangedInit, emit: (m: ShareMessage) => void): RangeIndex {
  const format = init.formats[source];
  if (format.kind !== 'csv') throw new Error(`${format.file}: only CSV is split by ranges`);
  const start = init.bounds[source][init.index] ?? 0;
  const end = init.bounds[source][init.index + 1] ?? start;
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
  splitter.splitAll(new Uint8Array(init.data[source], start, end - start));
  emit({ type: 'progress', rows: splitter.records, phase: 'read' });
  return { packed: builder.pack(), lines: splitter.linesSeen, malformed };
}

/** Splits this worker's range of each file. */
export function indexShare(
  init: RangedInit,
  emit: (m: ShareMessage) => void,
): { wms: RangeIndex; finance: RangeIndex } {
  return { wms: indexRange('wms', init, emit), finance: indexRange('finance', init, emit) };
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

/** A partition's records of one file, copied into one run of bytes with their physical lines. */
function* partitionPieces(
  data: SharedArrayBuffer,
  ranges: readonly PlacedIndex[],
  partitions: number,
  partition: number,
): Generator<SharePiece> {
  const bytes = new Uint8Array(data);
  for (const range of ranges) {
    const records = partitionRecords(range.packed, partitions, partition);
    const count = records.length / INDEX_FIELDS;
    if (count === 0) continue;
    let size = 0;
    for (let k = 0; k < records.length; k += INDEX_FIELDS) {
      const end = records[k + 1] ?? 0;
      size += end - (records[k] ?? 0) + (bytes[end - 1] === 10 ? 0 : 1);
    }
    const out = new Uint8Array(size);
    const lines = new Int32Array(count);
    let at = 0;
    for (let k = 0, r = 0; k < records.length; k += INDEX_FIELDS, r++) {
      const start = records[k] ?? 0;
      const end = records[k + 1] ?? 0;
      out.set(bytes.subarray(start, end), at);
      at += end - start;
      // The last record of a file may lack its line feed; the readers expect one per record.
      if (bytes[end - 1] !== 10) out[at++] = 10;
      lines[r] = (records[k + 2] ?? 0) + range.firstLine;
    }
    yield { bytes: out, lines };
  }
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
    for (let p = init.index; p < init.partitions; p += init.workers) {
      const outcome = run({
        partition: p,
        wms: () => partitionPieces(init.data.wms, placed.wms, init.partitions, p),
        finance: () => partitionPieces(init.data.finance, placed.finance, init.partitions, p),
      });
      emit({ type: 'outcome', outcome });
    }
  } finally {
    sink.close();
  }
}
