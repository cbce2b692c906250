import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync, readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';
import { orderKeyOf, reportOrder, type OrderKey } from '../core/report/report-model.js';

/**
 * A report reads its discrepancies more than once: a first pass for the totals, the heat map and
 * the lists the PDF shows, then once per renderer, each time in the report's order (severity, then
 * money at stake, largest first). Whatever the input (a list, a file reader, a store's pages), the
 * first pass reads it exactly once: a list is kept as it is, anything else is copied to a temporary
 * NDJSON spool. Only a small key per discrepancy (its order and where its line lies in the spool)
 * stays in memory; the replay sorts the keys and reads each line back by its offset.
 */
export type DiscrepancyInput =
  | readonly Discrepancy[]
  | Iterable<Discrepancy>
  | AsyncIterable<Discrepancy>
  | (() => AsyncIterable<Discrepancy>);

export interface Replay {
  /** The discrepancies in the report's order. */
  read(): AsyncIterable<Discrepancy>;
  close(): Promise<void>;
}

interface Slot extends OrderKey {
  /** Index in the list, or byte offset in the spool. */
  at: number;
  length: number;
}

function sortSlots(slots: Slot[]): Slot[] {
  return slots.sort(reportOrder);
}

async function* fromList(list: readonly Discrepancy[], slots: readonly Slot[]): AsyncGenerator<Discrepancy> {
  for (const slot of slots) {
    const d = list[slot.at];
    if (d !== undefined) yield d;
  }
}

/** Spools up to this size are read back whole (one read, lines sliced out of memory). */
const WHOLE_READ_BYTES = 256 * 1024 * 1024;

/**
 * Lines read back by offset: from the whole file in memory when it is modest (100,000 discrepancies
 * make about 150 MB), else one positional read per line.
 */
async function* fromSpool(path: string, slots: readonly Slot[], size: number): AsyncGenerator<Discrepancy> {
  if (size <= WHOLE_READ_BYTES) {
    const whole = readFileSync(path);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      yield JSON.parse(whole.toString('utf8', slot.at, slot.at + slot.length)) as Discrepancy;
    }
    return;
  }
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.alloc(64 * 1024);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      if (slot.length > buffer.length) buffer = Buffer.alloc(slot.length * 2);
      const read = readSync(fd, buffer, 0, slot.length, slot.at);
      yield JSON.parse(buffer.toString('utf8', 0, read)) as Discrepancy;
    }
  } finally {
    closeSync(fd);
  }
}

async function* source(input: DiscrepancyInput): AsyncGenerator<Discrepancy> {
  if (typeof input === 'function') yield* input();
  else yield* input as AsyncIterable<Discrepancy> | Iterable<Discrepancy>;
}

/** Reads `input` once, handing each discrepancy to `visit`, and returns a way to read it again, in order. */
export async function firstPass(
  input: DiscrepancyInput,
  visit: (d: Discrepancy) => void,
  spoolParent: string = tmpdir(),
): Promise<Replay> {
  if (Array.isArray(input)) {
    const list = input as readonly Discrepancy[];
    const slots: Slot[] = [];
    list.forEach((d, at) => {
      visit(d);
      slots.push({ ...orderKeyOf(d), at, length: 0 });
    });
    sortSlots(slots);
    return { read: () => fromList(list, slots), close: async () => undefined };
  }
  const dir = await mkdtemp(join(spoolParent, 'stocktally-report-'));
  const path = join(dir, 'discrepancies.ndjson');
  const spool = createWriteStream(path);
  const slots: Slot[] = [];
  let offset = 0;
  try {
    for await (const d of source(input)) {
      visit(d);
      const line = Buffer.from(JSON.stringify(d) + '\n', 'utf8');
      slots.push({ ...orderKeyOf(d), at: offset, length: line.length - 1 });
      offset += line.length;
      if (!spool.write(line)) await once(spool, 'drain');
    }
    spool.end();
    await once(spool, 'finish');
  } catch (error) {
    spool.destroy();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  sortSlots(slots);
  return {
    read: () => fromSpool(path, slots, offset),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
