import type { UnpricedMovement, Voucher } from './vouchers.js';

/**
 * Pages of GET /v1/vouchers: a large period has more vouchers than one response may carry (API
 * Gateway and Lambda answer at most 6 MB), so the book is handed out `limit` items at a time, the
 * vouchers first and then the unpriced movements, each in the book's order. The cursor names the
 * last item handed out by its sort key, not by its position, so a movement stored between two
 * calls never makes a page skip or repeat an item before it.
 */
export const DEFAULT_VOUCHER_PAGE = 1000;
export const MAX_VOUCHER_PAGE = 5000;

type VoucherKey = [period: string, warehouseId: string, documentRef: string, type: string];
type UnpricedKey = [period: string, eventId: string];

export type VoucherCursor = { v: VoucherKey } | { u: UnpricedKey };

export interface VoucherPage<V extends Voucher, U extends UnpricedMovement> {
  vouchers: V[];
  unpriced: U[];
  /** The next page's cursor, or null on the last page. */
  cursor: string | null;
}

const voucherKey = (v: Voucher): VoucherKey => [v.period, v.warehouseId, v.documentRef, v.type];
const unpricedKey = (u: UnpricedMovement): UnpricedKey => [u.period, u.eventId];

function compare(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function encodeVoucherCursor(cursor: VoucherCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

const isStrings = (value: unknown, length: number): value is string[] =>
  Array.isArray(value) && value.length === length && value.every((x) => typeof x === 'string');

/** The cursor a page handed out, or undefined when the text is not one. */
export function decodeVoucherCursor(text: string): VoucherCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, u } = value as { v?: unknown; u?: unknown };
  if (isStrings(v, 4) && u === undefined) return { v: v as VoucherKey };
  if (isStrings(u, 2) && v === undefined) return { u: u as UnpricedKey };
  return undefined;
}

/** One page of a book already sorted (vouchers.ts sorts both lists), after `cursor`. */
export function voucherPage<V extends Voucher, U extends UnpricedMovement>(
  vouchers: readonly V[],
  unpriced: readonly U[],
  limit: number,
  cursor: VoucherCursor | undefined,
): VoucherPage<V, U> {
  const afterVouchers =
    cursor === undefined
      ? vouchers
      : 'v' in cursor
        ? vouchers.filter((x) => compare(voucherKey(x), cursor.v) > 0)
        : [];
  const afterUnpriced =
    cursor !== undefined && 'u' in cursor
      ? unpriced.filter((x) => compare(unpricedKey(x), cursor.u) > 0)
      : unpriced;
  const pageVouchers = afterVouchers.slice(0, limit);
  const pageUnpriced = afterUnpriced.slice(0, limit - pageVouchers.length);
  const more = afterVouchers.length > pageVouchers.length || afterUnpriced.length > pageUnpriced.length;
  const lastUnpriced = pageUnpriced.at(-1);
  const lastVoucher = pageVouchers.at(-1);
  const next: VoucherCursor | undefined = !more
    ? undefined
    : lastUnpriced !== undefined
      ? { u: unpricedKey(lastUnpriced) }
      : lastVoucher !== undefined
        ? { v: voucherKey(lastVoucher) }
        : undefined;
  return {
    vouchers: pageVouchers,
    unpriced: pageUnpriced,
    cursor: next === undefined ? null : encodeVoucherCursor(next),
  };
}
