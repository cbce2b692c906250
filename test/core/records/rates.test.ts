import { describe, expect, it } from 'vitest';
import { loadRatesCsv, RateTable, toFunctional } from '../../../lib/core/records/rates.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { d, entry } from '../factories.js';

// Currencies (CONTRACT §10): the rates table, and converting an entry before anything is compared.

const UTC = new ZoneClock('UTC');
const SHANGHAI = new ZoneClock('Asia/Shanghai');

describe('the rates table', () => {
  it('takes the rate of the latest date not after the moment', () => {
    const { table, rejected } = loadRatesCsv(
      'currency,date,rate\nUSD,2026-10-01,7.10\nUSD,2026-10-15,7.20\nEUR,2026-10-01,7.75\n',
      'rates.csv',
      UTC,
    );
    expect(rejected).toEqual([]);
    expect(table.rateAt('USD', Date.parse('2026-09-30T23:59:59Z'))).toBeUndefined();
    expect(table.rateAt('USD', Date.parse('2026-10-01T00:00:00Z'))).toBe(d('7.10'));
    expect(table.rateAt('USD', Date.parse('2026-10-14T23:59:59Z'))).toBe(d('7.10'));
    expect(table.rateAt('USD', Date.parse('2026-10-15T00:00:00Z'))).toBe(d('7.20'));
    expect(table.rateAt('EUR', Date.parse('2027-01-01T00:00:00Z'))).toBe(d('7.75'));
    expect(table.rateAt('JPY', Date.parse('2027-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('starts a plain date at midnight in the zone', () => {
    const { table } = loadRatesCsv('currency,date,rate\nUSD,2026-10-15,7.20\n', 'rates.csv', SHANGHAI);
    // Midnight in Shanghai is 16:00 UTC the day before.
    expect(table.rateAt('USD', Date.parse('2026-10-14T15:59:59Z'))).toBeUndefined();
    expect(table.rateAt('USD', Date.parse('2026-10-14T16:00:00Z'))).toBe(d('7.20'));
  });

  it('refuses bad rows with field and line and keeps the others', () => {
    const { rows, rejected } = loadRatesCsv(
      [
        'currency,date,rate',
        'usd,2026-10-01,7.1',
        'USD,2026-13-01,7.1',
        'USD,2026-10-01,0',
        'USD,2026-10-01,abc',
        'USD,2026-10-01,7.1',
        'USD,2026-10-01,7.2',
        'EUR,2026-10-01,7.75',
      ].join('\n'),
      'rates.csv',
      UTC,
    );
    expect(rows.map((r) => r.currency)).toEqual(['USD', 'EUR']);
    expect(rejected.map((r) => [r.line, r.field, r.reason])).toEqual([
      [2, 'currency', 'currency is not an ISO 4217 code: "usd"'],
      [3, 'date', expect.stringContaining('impossible date')],
      [4, 'rate', 'rate must be positive: 0'],
      [5, 'rate', expect.stringContaining('is not a decimal number')],
      [7, 'date', 'date repeats the rate of USD on 2026-10-01 given at line 6'],
    ]);
  });
});

describe('converting an entry to the functional currency', () => {
  const rates = loadRatesCsv('currency,date,rate\nUSD,2026-10-01,7.1234\n', 'rates.csv', UTC).table;

  it('leaves an entry in the functional currency, or with none, exactly as it is', () => {
    for (const currency of ['CNY', undefined]) {
      const e = { ...entry({ amount: '70' }), currency };
      expect(toFunctional(e, { currency: 'CNY', rates }, UTC)).toEqual({
        ok: true,
        entry: e,
        original: undefined,
      });
    }
  });

  it('converts at the rate in effect at the posting, to the cent, and keeps the original', () => {
    const e = { ...entry({ amount: '70', at: '2026-10-05T10:00:00Z' }), currency: 'USD' };
    const converted = toFunctional(e, { currency: 'CNY', rates }, UTC);
    // 70 x 7.1234 = 498.638 -> 498.64
    expect(converted).toEqual({
      ok: true,
      entry: { ...e, amount: d('498.64'), currency: 'CNY' },
      original: { currency: 'USD', amount: d('70'), rate: d('7.1234') },
    });
  });

  it('rejects an entry whose currency has no rate in effect, naming the currency and the date', () => {
    const early = { ...entry({ amount: '70', at: '2026-09-30T20:00:00Z' }), currency: 'USD' };
    const converted = toFunctional(early, { currency: 'CNY', rates }, SHANGHAI);
    expect(converted.ok).toBe(false);
    if (!converted.ok) {
      expect(converted.rejection).toMatchObject({ field: 'currency', line: early.line, documentRef: 'PO-1' });
      // 20:00 UTC on 30 September is 1 October in Shanghai: the local day is named.
      expect(converted.rejection.reason).toBe(
        'currency USD has no rate to CNY in effect on 2026-10-01 (posted 2026-09-30T20:00:00.000Z); give one in --rates',
      );
    }
    const none = toFunctional(
      { ...early, currency: 'EUR' },
      { currency: 'CNY', rates: new RateTable() },
      UTC,
    );
    expect(none.ok ? '' : none.rejection.reason).toContain(
      'currency EUR has no rate to CNY in effect on 2026-09-30',
    );
    const odd = toFunctional({ ...early, currency: 'US$' }, { currency: 'CNY', rates }, UTC);
    expect(odd.ok ? '' : odd.rejection.reason).toBe('currency "US$" is not an ISO 4217 code');
  });

  it('converts into another functional currency, the CNY entries too', () => {
    const table = loadRatesCsv('currency,date,rate\nCNY,2026-10-01,0.14\n', 'rates.csv', UTC).table;
    const e = { ...entry({ amount: '100' }), currency: 'CNY' };
    const converted = toFunctional(e, { currency: 'USD', rates: table }, UTC);
    expect(converted.ok && converted.entry.amount).toBe(d('14'));
  });
});
