import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';

/**
 * A report reads its discrepancies more than once: a first pass for the totals, the heat map and
 * the top list (which the PDF shows before the detail), then once per renderer. Lists and
 * factories can simply be read again; a one-shot async iterable (a store's cursor) is copied to a
 * temporary NDJSON file during the first pass and replayed from there, so memory stays bounded.
 */
export type DiscrepancyInput =
  | readonly Discrepancy[]
  | Iterable<Discrepancy>
  | AsyncIterable<Discrepancy>
  | (() => AsyncIterable<Discrepancy>);

export interface Replay {
  read(): AsyncIterable<Discrepancy>;
  close(): Promise<void>;
}

async function* fromList(list: Iterable<Discrepancy>): AsyncGenerator<Discrepancy> {
  yield* list;
}

async function* fromSpool(path: string): AsyncGenerator<Discrepancy> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as Discrepancy;
}

/** Reads `input` once, handing each discrepancy to `visit`, and returns a way to read it again. */
export async function firstPass(
  input: DiscrepancyInput,
  visit: (d: Discrepancy) => void,
  spoolParent: string = tmpdir(),
): Promise<Replay> {
  if (typeof input === 'function') {
    for await (const d of input()) visit(d);
    return { read: input, close: async () => undefined };
  }
  if (Array.isArray(input)) {
    const list = input as readonly Discrepancy[];
    for (const d of list) visit(d);
    return { read: () => fromList(list), close: async () => undefined };
  }
  if (Symbol.iterator in input) {
    // A synchronous iterable may be a one-shot generator: keep what it gave.
    const list = [...(input as Iterable<Discrepancy>)];
    for (const d of list) visit(d);
    return { read: () => fromList(list), close: async () => undefined };
  }
  const dir = await mkdtemp(join(spoolParent, 'stocktally-report-'));
  const path = join(dir, 'discrepancies.ndjson');
  const spool = createWriteStream(path, 'utf8');
  try {
    for await (const d of input as AsyncIterable<Discrepancy>) {
      visit(d);
      if (!spool.write(JSON.stringify(d) + '\n')) await once(spool, 'drain');
    }
    spool.end();
    await once(spool, 'finish');
  } catch (error) {
    spool.destroy();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    read: () => fromSpool(path),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
