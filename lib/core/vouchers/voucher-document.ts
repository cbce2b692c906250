import { formatMoney, parseDecimal } from '../shared/decimal.js';
import type { Rejection } from '../records/records.js';
import type { VoucherBook } from './vouchers.js';

/**
 * vouchers.json (CONTRACT §9): `vouchers` and `unpriced` as the contract fixes them, then what a
 * reader needs to trust them: the rows rejected (file, line, field, reason), the eventIds that
 * repeated with other content, and the counts and totals. One voucher per line, so a large book
 * stays greppable and diffable.
 */
export interface VoucherSummary {
  period: string | null;
  timezone: string;
  movements: {
    rows: number;
    booked: number;
    unpriced: number;
    duplicates: number;
    conflicts: number;
    rejected: number;
  };
  vouchers: number;
  lines: number;
  debit: string;
  credit: string;
}

export interface VoucherRunMeta {
  period: string | null;
  timezone: string;
  /** Data rows read (records and rejections). */
  rows: number;
  rejected: readonly Rejection[];
}

export function voucherSummary(book: VoucherBook, meta: VoucherRunMeta): VoucherSummary {
  let debit = 0n;
  let credit = 0n;
  let lines = 0;
  let booked = 0;
  const money = (text: string) => {
    const parsed = parseDecimal(text);
    return parsed.ok ? parsed.value : 0n;
  };
  for (const v of book.vouchers) {
    booked += v.eventIds.length;
    for (const line of v.lines) {
      lines++;
      debit += money(line.debit);
      credit += money(line.credit);
    }
  }
  return {
    period: meta.period,
    timezone: meta.timezone,
    movements: {
      rows: meta.rows,
      booked,
      unpriced: book.unpriced.length,
      duplicates: book.duplicates,
      conflicts: book.conflicts.length,
      rejected: meta.rejected.length,
    },
    vouchers: book.vouchers.length,
    lines,
    debit: formatMoney(debit),
    credit: formatMoney(credit),
  };
}

function* list(items: readonly unknown[]): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  yield '[\n';
  for (let i = 0; i < items.length; i++) yield (i === 0 ? '' : ',\n') + JSON.stringify(items[i]);
  yield '\n]';
}

/** vouchers.json in pieces, a voucher at a time, so a large book is never one string in memory. */
export function* vouchersJsonChunks(book: VoucherBook, meta: VoucherRunMeta): Generator<string> {
  const rejected = meta.rejected.map((r) => ({
    file: r.file,
    line: r.line,
    field: r.field ?? null,
    reason: r.reason,
  }));
  const conflicts = book.conflicts.map((c) => ({ file: c.file, line: c.line, id: c.id, reason: c.reason }));
  yield '{\n"vouchers": ';
  yield* list(book.vouchers);
  yield ',\n"unpriced": ';
  yield* list(book.unpriced);
  yield ',\n"rejected": ';
  yield* list(rejected);
  yield ',\n"conflicts": ';
  yield* list(conflicts);
  yield `,\n"summary": ${JSON.stringify(voucherSummary(book, meta), null, 2)}\n}\n`;
}

export function vouchersJson(book: VoucherBook, meta: VoucherRunMeta): string {
  return [...vouchersJsonChunks(book, meta)].join('');
}
