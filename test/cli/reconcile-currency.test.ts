import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizeCsv } from '../../lib/core/records/csv.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { tempDir } from '../support/temp.js';

// `stocktally reconcile --currency --rates --accounts` (CONTRACT §10) end to end on the bundled CLI.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');
const WORKFLOW = join(process.cwd(), 'config', 'workflow.yaml');

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

const WMS = [
  'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost',
  // Worth 497.00: booked in USD as 70, which converts at 7.1 to exactly that.
  'E1,WH-01,SKU-1,RECEIPT,7,EA,PO-USD,2026-10-05T08:00:00Z,71',
  // Worth 70.00: booked in USD as 70, 497.00 once converted.
  'E2,WH-01,SKU-2,RECEIPT,7,EA,PO-70,2026-10-05T08:00:00Z,10',
  // Booked in USD before any rate: rejected, so finance lacks it.
  'E3,WH-01,SKU-3,RECEIPT,1,EA,PO-EARLY,2026-09-20T08:00:00Z,10',
  // Booked in CNY to 1405, an account a receipt never books.
  'E4,WH-01,SKU-4,RECEIPT,2,EA,PO-ACCT,2026-10-05T08:00:00Z,50',
].join('\n');

const FINANCE = [
  'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account',
  'F1,WH-01,SKU-1,RECEIPT,7,EA,70,USD,PO-USD,2026-10-06,1403',
  'F2,WH-01,SKU-2,RECEIPT,7,EA,70,USD,PO-70,2026-10-06,1403',
  'F3,WH-01,SKU-3,RECEIPT,1,EA,1.5,USD,PO-EARLY,2026-09-21,1403',
  'F4,WH-01,SKU-4,RECEIPT,2,EA,100,CNY,PO-ACCT,2026-10-06,1405',
].join('\n');

const RATES = ['currency,date,rate', 'USD,2026-10-01,7.1', 'EUR,2026-10-01,7.7'].join('\n');

function files(): { dir: string; wms: string; finance: string; rates: string } {
  const dir = tempDir('stocktally-currency-');
  const paths = {
    wms: join(dir, 'wms.csv'),
    finance: join(dir, 'finance.csv'),
    rates: join(dir, 'rates.csv'),
  };
  writeFileSync(paths.wms, WMS + '\n');
  writeFileSync(paths.finance, FINANCE + '\n');
  writeFileSync(paths.rates, RATES + '\n');
  return { dir, ...paths };
}

function run(extra: string[]): {
  discrepancies: Discrepancy[];
  summary: Record<string, unknown>;
  csv: string[][];
} {
  const f = files();
  const out = join(f.dir, 'out');
  const result = cli([
    'reconcile',
    '--wms',
    f.wms,
    '--finance',
    f.finance,
    '--as-of',
    '2026-11-02T00:00:00Z',
    '--no-report',
    '--quiet',
    '--out',
    out,
    ...extra.map((a) => (a === 'RATES' ? f.rates : a)),
  ]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const csv: string[][] = [];
  tokenizeCsv(readFileSync(join(out, 'discrepancies.csv'), 'utf8').slice(1), {
    record: (fields) => csv.push(fields),
    malformed: (line, reason) => expect.fail(`${line}: ${reason}`),
  });
  return {
    discrepancies: JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Discrepancy[],
    summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>,
    csv,
  };
}

const byDocument = (ds: Discrepancy[]) => Object.fromEntries(ds.map((d) => [d.documentRef, d]));

describe('reconcile with --rates and --accounts', () => {
  it('converts before comparing, rejects what has no rate, keeps the original, and checks accounts', () => {
    const { discrepancies, summary, csv } = run(['--rates', 'RATES', '--accounts', WORKFLOW]);
    const found = byDocument(discrepancies);
    // 70 USD at 7.1 = 497.00 = 7 x 71: agrees.
    expect(found['PO-USD']).toBeUndefined();
    expect(found['PO-70']).toMatchObject({
      kind: 'AMOUNT_MISMATCH',
      financeAmount: '497.00',
      expectedAmount: '70.00',
      currency: 'USD',
      originalAmount: '70.00',
    });
    expect(found['PO-EARLY']).toMatchObject({
      kind: 'MISSING_IN_FINANCE',
      currency: null,
      originalAmount: null,
    });
    expect(found['PO-ACCT']).toMatchObject({
      kind: 'ACCOUNT_MISMATCH',
      misbookedEntryIds: ['F4'],
      currency: 'CNY',
      originalAmount: '100.00',
    });
    expect(summary.rejected).toEqual([
      {
        file: 'finance.csv',
        line: 4,
        field: 'currency',
        reason:
          'currency USD has no rate to CNY in effect on 2026-09-21 (posted 2026-09-21T00:00:00.000Z); give one in --rates',
        source: 'finance',
      },
    ]);
    expect((summary.inputs as Record<string, unknown>).rates).toEqual({
      file: 'rates.csv',
      rows: 2,
      rejected: 0,
    });
    expect(summary.byKind).toMatchObject({ ACCOUNT_MISMATCH: 1, AMOUNT_MISMATCH: 1, MISSING_IN_FINANCE: 1 });
    // The CSV carries the same columns, each beside the figure it qualifies.
    const header = csv[0] ?? [];
    expect(header.slice(header.indexOf('financeAmount'), header.indexOf('financeAmount') + 3)).toEqual([
      'financeAmount',
      'currency',
      'originalAmount',
    ]);
    expect(header[header.indexOf('duplicateEntryIds') + 1]).toBe('misbookedEntryIds');
  });

  it('without the new flags matches the USD entry of 70 no more: it is rejected, never compared unconverted', () => {
    const { discrepancies, summary, csv } = run([]);
    const found = byDocument(discrepancies);
    // No rates: every USD line is refused by currency and date; CNY lines read as they always did.
    expect((summary.rejected as { line: number; field: string }[]).map((r) => [r.line, r.field])).toEqual([
      [2, 'currency'],
      [3, 'currency'],
      [4, 'currency'],
    ]);
    expect(found['PO-70']?.kind).toBe('MISSING_IN_FINANCE');
    // No account check and none of the new fields or columns.
    expect(found['PO-ACCT']).toBeUndefined();
    expect(discrepancies.every((d) => !('currency' in d) && !('misbookedEntryIds' in d))).toBe(true);
    expect(csv[0]).not.toContain('currency');
    expect(summary.byKind).not.toHaveProperty('ACCOUNT_MISMATCH');
    expect(summary.inputs).not.toHaveProperty('rates');
  });

  it('converts into another functional currency with --currency', () => {
    const { discrepancies } = run(['--currency', 'USD', '--rates', 'RATES']);
    // The CNY line of PO-ACCT has no CNY rate into USD: rejected; the USD lines are functional now.
    expect(byDocument(discrepancies)['PO-70']).toBeUndefined();
    expect(byDocument(discrepancies)['PO-USD']).toMatchObject({ kind: 'AMOUNT_MISMATCH', currency: 'USD' });
  });

  it('exits 2 on an unusable currency, rates table or account mapping', () => {
    const f = files();
    const base = ['reconcile', '--wms', f.wms, '--finance', f.finance, '--out', join(f.dir, 'x'), '--quiet'];
    const badRates = join(f.dir, 'bad-rates.csv');
    writeFileSync(badRates, 'currency,rate\nUSD,7\n');
    const badWorkflow = join(f.dir, 'workflow.yaml');
    writeFileSync(badWorkflow, 'version: 1\n');
    for (const [args, message] of [
      [['--currency', 'usd'], /--currency must be an ISO 4217 code/],
      [['--rates', badRates], /bad-rates\.csv: the header lacks date/],
      [['--rates', join(f.dir, 'none.csv')], /none\.csv/],
      [['--accounts', badWorkflow], /--accounts .*workflow\.yaml/],
    ] as const) {
      const result = cli([...base, ...args]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
