import { formatDecimal, mulRound, parseDecimal, type Decimal } from '../shared/decimal.js';
import type { Entry, Rejection } from './records.js';
import { readTableCsv } from './table-text.js';
import { formatInstant, parseInstant } from '../shared/timestamp.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { Result } from '../shared/result.js';

/**
 * Currencies (CONTRACT §10): the functional currency (`--currency`, default CNY) and a rates table
 * (`--rates`, CSV `currency,date,rate`: one unit of the currency is `rate` functional units). A
 * finance entry in another currency is converted at the rate of the latest date not after its
 * posting, before anything is compared; without a rate in effect it is rejected naming the currency
 * and the date: an amount is never compared unconverted.
 */
export const DEFAULT_CURRENCY = 'CNY';

/** ISO 4217 shaped: three capital letters. */
const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrencyCode(text: string): boolean {
  return CURRENCY_CODE.test(text);
}

export interface RateRow {
  currency: string;
  /** Epoch ms; a plain date is midnight at its start in the run's time zone. */
  date: number;
  rate: Decimal;
}

interface Step {
  from: number;
  rate: Decimal;
}

export class RateTable {
  private readonly steps = new Map<string, Step[]>();

  constructor(rows: readonly RateRow[] = []) {
    for (const row of rows) {
      let list = this.steps.get(row.currency);
      if (list === undefined) this.steps.set(row.currency, (list = []));
      list.push({ from: row.date, rate: row.rate });
    }
    for (const list of this.steps.values()) list.sort((a, b) => a.from - b.from);
  }

  /** The rate of the latest date not after `at`, or undefined when none is in effect. */
  rateAt(currency: string, at: number): Decimal | undefined {
    let found: Decimal | undefined;
    for (const step of this.steps.get(currency) ?? []) {
      if (step.from > at) break;
      found = step.rate;
    }
    return found;
  }

  get size(): number {
    return this.steps.size;
  }
}

export interface RateLoad {
  table: RateTable;
  rows: RateRow[];
  rejected: Rejection[];
}

/**
 * Reads a rates table. A row is refused with its field and reason (a currency not shaped like ISO
 * 4217, a rate that is not a positive decimal, a date that is not one, a second rate for the same
 * currency and date naming the line of the first); the other rows stand.
 */
export function loadRatesCsv(text: string, file: string, zone: ZoneClock): RateLoad {
  const { rows, rejected } = readTableCsv(text, file, 'rates', ['currency', 'date', 'rate']);
  const good: RateRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of rows) {
    const reject = (field: string, reason: string) =>
      rejected.push({ source: 'rates', file, line, field, reason: `${field} ${reason}` });
    const currency = cells.currency ?? '';
    const rate = parseDecimal(cells.rate ?? '');
    const date = parseInstant(cells.date ?? '', zone);
    if (!isCurrencyCode(currency)) reject('currency', `is not an ISO 4217 code: ${JSON.stringify(currency)}`);
    else if (!date.ok) reject('date', date.reason);
    else if (!rate.ok) reject('rate', rate.reason);
    else if (rate.value <= 0n) reject('rate', `must be positive: ${cells.rate ?? ''}`);
    else {
      const key = `${currency}\u0000${date.ms}`;
      const first = seen.get(key);
      if (first !== undefined) {
        reject('date', `repeats the rate of ${currency} on ${cells.date ?? ''} given at line ${first}`);
        continue;
      }
      seen.set(key, line);
      good.push({ currency, date: date.ms, rate: rate.value });
    }
  }
  return { table: new RateTable(good), rows: good, rejected };
}

export interface CurrencySettings {
  /** The functional currency, ISO 4217. */
  currency: string;
  rates: RateTable;
  /**
   * Whether discrepancies carry `currency` and `originalAmount` (asked for with --currency or
   * --rates); conversion happens either way, so without the flags the output reads as before.
   */
  shown?: boolean;
}

/** What a conversion keeps beside the converted amount, for the discrepancy to show. */
export interface OriginalAmount {
  currency: string;
  amount: Decimal;
  rate: Decimal;
}

export type Converted = Result<
  { entry: Entry; original: OriginalAmount | undefined },
  { rejection: Rejection }
>;

/**
 * An entry in the functional currency: itself. In another currency: its amount times the rate in
 * effect at its posting, rounded half-up to cents (the minor unit the books keep), with the
 * original kept; without a rate, a rejection of its row naming the currency and the date.
 */
export function toFunctional(entry: Entry, settings: CurrencySettings, zone: ZoneClock): Converted {
  const currency = entry.currency ?? settings.currency;
  if (currency === settings.currency) return { ok: true, entry, original: undefined };
  const refuse = (reason: string): Converted => ({
    ok: false,
    rejection: {
      source: 'finance',
      file: entry.file,
      line: entry.line,
      field: 'currency',
      reason,
      documentRef: entry.documentRef,
    },
  });
  if (!isCurrencyCode(currency)) {
    return refuse(`currency ${JSON.stringify(currency)} is not an ISO 4217 code`);
  }
  const rate = settings.rates.rateAt(currency, entry.at);
  const day = `${new Date(entry.at + zone.offsetAt(entry.at)).toISOString().slice(0, 10)}`;
  if (rate === undefined) {
    return refuse(
      `currency ${currency} has no rate to ${settings.currency} in effect on ${day} (posted ${formatInstant(entry.at)}); give one in --rates`,
    );
  }
  return {
    ok: true,
    entry: { ...entry, amount: mulRound(entry.amount, rate, 2), currency: settings.currency },
    original: { currency, amount: entry.amount, rate },
  };
}

export function describeOriginal(original: OriginalAmount): string {
  return `${formatDecimal(original.amount)} ${original.currency} at ${formatDecimal(original.rate)}`;
}
