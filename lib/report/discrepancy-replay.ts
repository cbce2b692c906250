import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync, readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';
import { orderKeyOf, reportOrder, type OrderKey } from '../core/report/report-model.js';

/**
 * A report reads its discrepancies once. The first pass builds the model (totals, heat map, the
 * lists the PDF shows) and renders each discrepancy's XLSX row and CSV line there and then, into a
 * temporary spool; only a small key per discrepancy (its order and where its rows lie in the spool)
 * stays in memory. The XLSX and the CSV then take the rows back in the report's order (severity,
 * then money at stake, largest first), as bytes: nothing is parsed or rendered twice.
 */
export type DiscrepancyInput =
  | readonly Discrepancy[]
  | Iterable<Discrepancy>
  | AsyncIterable<Discrepancy>
  | (() => AsyncIterable<Discrepancy>);

/** One discrepancy's rows: the XLSX row template and the CSV line. */
export interface RenderedRow {
  xlsx: string;
  csv: string;
}

export interface SpooledRow {
  xlsx: string;
  csv: Buffer;
}

export interface Replay {
  /** The rendered rows in the report's order (none when the first pass rendered none). */
  read(): AsyncIterable<SpooledRow>;
  close(): Promise<void>;
}

interface Slot extends OrderKey {
  at: number;
  xlsxBytes: number;
  csvBytes: number;
}

/** Spools up to this size are read back whole (one read, rows sliced out of memory). */
const WHOLE_READ_BYTES = 256 * 1024 * 1024;

async function* fromSpool(path: string, slots: readonly Slot[], size: number): AsyncGenerator<SpooledRow> {
  if (size <= WHOLE_READ_BYTES) {
    const whole = size === 0 ? Buffer.alloc(0) : readFileSync(path);
    for (const slot of slots) {
      const mid = slot.at + slot.xlsxBytes;
      yield { xlsx: whole.toString('utf8', slot.at, mid), csv: whole.subarray(mid, mid + slot.csvBytes) };
    }
    return;
  }
  const fd = openSync(path, 'r');
  try {
    for (const slot of slots) {
      const buffer = Buffer.allocUnsafe(slot.xlsxBytes + slot.csvBytes);
      readSync(fd, buffer, 0, buffer.length, slot.at);
      yield { xlsx: buffer.toString('utf8', 0, slot.xlsxBytes), csv: buffer.subarray(slot.xlsxBytes) };
    }
  } finally {
    closeSync(fd);
  }
}

async function* source(input: DiscrepancyInput): AsyncGenerator<Discrepancy> {
  if (typeof input === 'function') yield* input();
  else yield* input as AsyncIterable<Discrepancy> | Iterable<Discrepancy>;
}

/**
 * Reads `input` once, handing each discrepancy to `visit`; what it renders is spooled and read
 * back in order. A visit that renders nothing (a PDF alone) spools nothing.
 */
export async function firstPass(
  input: DiscrepancyInput,
  visit: (d: Discrepancy) => RenderedRow | undefined,
  spoolParent: string = tmpdir(),
): Promise<Replay> {
  const dir = await mkdtemp(join(spoolParent, 'stocktally-report-'));
  const path = join(dir, 'rows.spool');
  const spool = createWriteStream(path);
  const slots: Slot[] = [];
  let offset = 0;
  // Rows go to the spool a megabyte at a time: a write per row would cost more than the row.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (!spool.write(chunk)) await once(spool, 'drain');
  };
  try {
    for await (const d of source(input)) {
      const rendered = visit(d);
      if (rendered === undefined) continue;
      const xlsx = Buffer.from(rendered.xlsx, 'utf8');
      const csv = Buffer.from(rendered.csv, 'utf8');
      const key = orderKeyOf(d);
      slots.push({
        severity: key.severity,
        money: key.money,
        groupKey: key.groupKey,
        rank: key.rank,
        approx: key.approx,
        at: offset,
        xlsxBytes: xlsx.length,
        csvBytes: csv.length,
      });
      offset += xlsx.length + csv.length;
      pending.push(xlsx, csv);
      pendingBytes += xlsx.length + csv.length;
      if (pendingBytes >= 1024 * 1024) await flush();
    }
    await flush();
    spool.end();
    await once(spool, 'finish');
  } catch (error) {
    // Writes still queued fail once it is destroyed: the first error is the one to report.
    spool.on('error', () => undefined);
    spool.destroy();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  slots.sort(reportOrder);
  return {
    read: () => fromSpool(path, slots, offset),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
