import { closeSync, openSync, readSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Rejection, Source } from '../core/records/records.js';
import { CodeMap } from '../core/records/code-map.js';
import { CsvSplitter, NdjsonSplitter, type SplitSink } from '../core/records/splitter.js';
import { FragmentSink } from './output.js';
import { prepare, type JobContext, type PartitionOutcome } from './partition-job.js';
import { loadShare, PartitionStore } from './partition-store.js';

/**
 * One worker's share of a reconciliation: it reads both input files itself, keeps the raw records
 * of the partitions it owns (partition % workers === index), and reconciles them one by one.
 * Every worker scans all bytes (a cheap pass: only record boundaries and the sku are read), so
 * the split runs in parallel and no record crosses a thread.
 */
export interface ShareInit extends JobContext {
  files: Record<Source, string>;
  partitions: number;
  index: number;
  workers: number;
  memoryBudgetBytes: number;
}

export type ShareMessage =
  | { type: 'progress'; rows: number; phase: 'read' | 'reconcile' }
  | { type: 'malformed'; rejected: Rejection[] }
  | { type: 'outcome'; outcome: PartitionOutcome }
  | { type: 'spilled'; bytes: number };

const CHUNK = 1 << 20;

function splitFile(
  source: Source,
  init: ShareInit,
  store: PartitionStore,
  emit: (m: ShareMessage) => void,
): Rejection[] {
  const format = init.formats[source];
  const malformed: Rejection[] = [];
  const sink: SplitSink = {
    record: (partition, data, start, end, line) => {
      if (partition % init.workers === init.index) store.append(source, partition, data, start, end, line);
    },
    malformed: (line, reason) =>
      malformed.push({ source, file: format.file, line, field: undefined, reason: `row ${reason}` }),
  };
  // With --codes a record is routed by its unified sku, where the other side's records of it go.
  const skus = init.codeRows.length === 0 ? undefined : new CodeMap(init.codeRows).skus(source);
  const splitter =
    format.kind === 'csv'
      ? new CsvSplitter(init.partitions, sink, skus)
      : new NdjsonSplitter(init.partitions, sink, skus);
  const fd = openSync(init.files[source], 'r');
  try {
    let reported = 0;
    // One reading buffer for the whole file: the store copies what it keeps.
    let buffer = Buffer.allocUnsafe(CHUNK * 2);
    for (;;) {
      const carry = splitter.pending;
      const kept = carry?.length ?? 0;
      if (kept + CHUNK > buffer.length) buffer = Buffer.allocUnsafe(kept + CHUNK);
      if (carry !== undefined) buffer.set(carry, 0);
      const n = readSync(fd, buffer, kept, CHUNK, null);
      if (n === 0) break;
      splitter.pushJoined(buffer.subarray(0, kept + n));
      if (init.index === 0) {
        emit({ type: 'progress', rows: splitter.records - reported, phase: 'read' });
        reported = splitter.records;
      }
    }
    splitter.end();
    if (init.index === 0) emit({ type: 'progress', rows: splitter.records - reported, phase: 'read' });
  } finally {
    closeSync(fd);
  }
  return malformed;
}

export function reconcileShare(init: ShareInit, emit: (m: ShareMessage) => void): void {
  const dir = join(init.tmpDir, `worker-${init.index}`);
  mkdirSync(dir, { recursive: true });
  const store = new PartitionStore(init.partitions, init.memoryBudgetBytes, dir);
  const malformed = [...splitFile('wms', init, store, emit), ...splitFile('finance', init, store, emit)];
  // Every worker sees the same malformed records; one reports them.
  if (init.index === 0) emit({ type: 'malformed', rejected: malformed });
  emit({ type: 'spilled', bytes: store.spilledBytes });
  const sink = new FragmentSink(join(dir, 'discrepancies.json'), join(dir, 'discrepancies.csv'));
  try {
    const run = prepare(init, sink);
    for (let p = init.index; p < init.partitions; p += init.workers) {
      const wms = store.take('wms', p);
      const finance = store.take('finance', p);
      const outcome = run({
        partition: p,
        wms: { kind: 'pieces', pieces: () => loadShare(wms) },
        finance: { kind: 'pieces', pieces: () => loadShare(finance) },
      });
      emit({ type: 'outcome', outcome });
    }
  } finally {
    sink.close();
    store.close();
  }
}
