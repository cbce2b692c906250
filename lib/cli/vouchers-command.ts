import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CostTable, loadCostsCsv } from '../core/records/costs.js';
import type { Movement, Rejection } from '../core/records/records.js';
import { RecordStream } from '../core/records/record-stream.js';
import { TableHeaderError } from '../core/records/table-text.js';
import { voucherCsvChunks } from '../core/vouchers/voucher-csv.js';
import { vouchersJsonChunks } from '../core/vouchers/voucher-document.js';
import { bookVouchers, type VoucherBook } from '../core/vouchers/vouchers.js';
import { ZoneClock } from '../core/shared/zone-clock.js';
import { defaultConfigPath } from '../adapters/cases/workflow-config-source.js';
import { checkReadable, formatOf } from './reconcile-command.js';
import { UsageError } from './usage-error.js';
import { loadWorkflowFile } from './workflow-file.js';

export const VOUCHERS_HELP = `Usage: stocktally vouchers --wms FILE [options] --out DIR

Proposes the accounting entry of every WMS movement (CONTRACT.md section 9, 自动生成会计分录):
one voucher per (warehouse, document, movement type, period), per sku a debit and a credit on the
accounts the workflow configuration maps for that warehouse and type, for the sum of quantity x
unit cost (each movement priced at its own occurredAt: the standard cost in effect, else its own
unitCost), exact, rounded half-up to cents. A movement with no unit cost is listed under
"unpriced", never booked at zero. Writes vouchers.json and vouchers.csv (UTF-8 with BOM, for an
ERP's voucher import) into DIR.

  --wms FILE        WMS movements (.csv, .ndjson or .jsonl)
  --costs FILE      standard costs: warehouseId,sku,standardCost,effectiveFrom
  --workflow FILE   the workflow configuration holding the account mapping
                    (default: config/workflow.yaml)
  --period P        only the movements of this period (YYYY-MM in --timezone); default all
  --timezone TZ     IANA zone of periods, voucher dates and plain dates (default UTC)
  --out DIR         where the files go (created if missing)
  --quiet           no summary line on stderr
  -h, --help        this help

A malformed row is rejected with its file, line, field and reason (listed in vouchers.json under
"rejected"); the rest is booked. Exit status 0 when the run completed, 2 for unusable arguments or
files.
`;

export interface VouchersArgs {
  help: boolean;
  quiet: boolean;
  wms: string;
  costs: string | undefined;
  workflow: string | undefined;
  period: string | undefined;
  timeZone: string;
  out: string;
}

export function parseVouchersArgs(argv: readonly string[]): VouchersArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        wms: { type: 'string' },
        costs: { type: 'string' },
        workflow: { type: 'string' },
        period: { type: 'string' },
        timezone: { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? (error.message.split('\n')[0] ?? 'bad arguments') : String(error),
    );
  }
  const v = parsed.values;
  const help = v.help === true;
  const timeZone = v.timezone ?? 'UTC';
  const args: VouchersArgs = {
    help,
    quiet: v.quiet === true,
    wms: v.wms ?? '',
    costs: v.costs,
    workflow: v.workflow,
    period: v.period,
    timeZone,
    out: v.out ?? '',
  };
  if (help) return args;
  for (const name of ['wms', 'out'] as const) {
    if (v[name] === undefined || v[name] === '') throw new UsageError(`--${name} is required (see --help)`);
  }
  if (!ZoneClock.isValid(timeZone)) throw new UsageError(`--timezone ${timeZone} is not an IANA time zone`);
  if (args.period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(args.period)) {
    throw new UsageError(`--period must be a month as YYYY-MM: ${args.period}`);
  }
  return args;
}

/** Streams the WMS file through the same row reader as the S3 drops: rows validated, rejections kept. */
async function readMovements(
  path: string,
  zone: ZoneClock,
): Promise<{ movements: Movement[]; rejected: Rejection[]; rows: number }> {
  const stream = new RecordStream({ source: 'wms', format: formatOf(path), file: basename(path), zone });
  const movements: Movement[] = [];
  const rejected: Rejection[] = [];
  const take = (batch: ReturnType<RecordStream['push']>) => {
    for (const r of batch.records) if (r.source === 'wms') movements.push(r);
    rejected.push(...batch.rejected);
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) take(stream.push(chunk as string));
  take(stream.end());
  if (stream.unusableHeader) {
    throw new UsageError(`--wms ${path}: ${rejected[0]?.reason ?? 'the CSV header lacks required columns'}`);
  }
  return { movements, rejected, rows: stream.rows };
}

/** Writes the pieces through a stream, waiting when it is full, so no whole file is one string. */
async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => {
    throw new UsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  });
  const write = async () => {
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length < 1 << 16) continue;
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
    out.end(pending);
    await once(out, 'finish');
  };
  await Promise.race([write(), failed]);
}

export interface VouchersOutcome {
  book: VoucherBook;
  rejected: Rejection[];
  rows: number;
}

export async function runVouchers(args: VouchersArgs): Promise<VouchersOutcome> {
  await checkReadable(args.wms, '--wms');
  formatOf(args.wms);
  if (args.costs !== undefined) await checkReadable(args.costs, '--costs');
  const zone = new ZoneClock(args.timeZone);
  const config = await loadWorkflowFile(args.workflow ?? defaultConfigPath(), '--workflow');
  const rejected: Rejection[] = [];
  let costs = new CostTable();
  if (args.costs !== undefined) {
    try {
      const loaded = loadCostsCsv(await readFile(args.costs, 'utf8'), basename(args.costs), zone);
      costs = loaded.table;
      rejected.push(...loaded.rejected);
    } catch (error) {
      if (error instanceof TableHeaderError) throw new UsageError(error.message);
      throw error;
    }
  }
  const read = await readMovements(args.wms, zone);
  rejected.push(...read.rejected);
  const book = bookVouchers(read.movements, { config, costs, zone, period: args.period });
  await mkdir(args.out, { recursive: true });
  const meta = { period: args.period ?? null, timezone: args.timeZone, rows: read.rows, rejected };
  await writeChunks(join(args.out, 'vouchers.json'), vouchersJsonChunks(book, meta));
  await writeChunks(join(args.out, 'vouchers.csv'), voucherCsvChunks(book.vouchers));
  return { book, rejected, rows: read.rows };
}
