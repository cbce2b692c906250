import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine, tokenizeCsv } from '../../lib/core/records/csv.js';
import { parseDecimal } from '../../lib/core/shared/decimal.js';
import { MOVEMENT_TYPES, type MovementType } from '../../lib/core/records/movement-type.js';
import type { UnpricedMovement, Voucher } from '../../lib/core/vouchers/vouchers.js';
import { sampleDir } from '../support/acceptance.js';
import { tempDir } from '../support/temp.js';

// `stocktally vouchers` end to end, as `npx stocktally vouchers` runs it: the bundled dist/stocktally.js.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

interface VouchersFile {
  vouchers: Voucher[];
  unpriced: UnpricedMovement[];
  rejected: { file: string; line: number; field: string | null; reason: string }[];
  conflicts: { id: string }[];
  summary: { movements: Record<string, number>; debit: string; credit: string; vouchers: number };
}

function readOut(out: string): { json: VouchersFile; csv: string[][] } {
  const json = JSON.parse(readFileSync(join(out, 'vouchers.json'), 'utf8')) as VouchersFile;
  const text = readFileSync(join(out, 'vouchers.csv'), 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const csv: string[][] = [];
  tokenizeCsv(text.slice(1), { record: (f) => csv.push(f), malformed: (l, r) => expect.fail(`${l}: ${r}`) });
  return { json, csv };
}

const money = (text: string): bigint => {
  const parsed = parseDecimal(text === '' ? '0' : text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

const WMS_HEADER = [
  'eventId',
  'warehouseId',
  'sku',
  'type',
  'quantity',
  'uom',
  'documentRef',
  'occurredAt',
  'unitCost',
];

const row = fc.record({
  warehouseId: fc.constantFrom('WH-01', 'WH-08', 'WH-上海-02'),
  sku: fc.constantFrom('SKU-1', 'SKU-2', '物料-3'),
  documentRef: fc.constantFrom('PO-1', 'SO-"2",rush', '调拨单-3'),
  type: fc.constantFrom<MovementType>(...MOVEMENT_TYPES),
  quantity: fc.integer({ min: -30, max: 120 }).map(String),
  day: fc.constantFrom('2026-09-30T20:00:00Z', '2026-10-15T08:00:00+08:00', '2026-10-31T17:30:00Z'),
  unitCost: fc.constantFrom('', '10', '0.005', '3.333333', '1999.99'),
  retried: fc.boolean(),
  malformed: fc.constantFrom<'no' | 'type' | 'quantity' | 'fields'>(
    'no',
    'no',
    'no',
    'no',
    'type',
    'quantity',
    'fields',
  ),
});

describe('stocktally vouchers on generated movements', () => {
  it('books every priced movement exactly once in balanced vouchers, rejecting malformed rows by line', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), fc.boolean(), (rows, ndjson) => {
        const dir = tempDir('stocktally-vouchers-');
        const lines: string[] = [];
        const good = new Map<string, { priced: boolean }>();
        const badLines: number[] = [];
        rows.forEach((r, i) => {
          const id = `E${i}`;
          const fields: Record<string, string> = {
            eventId: id,
            warehouseId: r.warehouseId,
            sku: r.sku,
            type: r.malformed === 'type' ? 'TELEPORT' : r.type,
            quantity: r.malformed === 'quantity' ? '1,5' : r.quantity,
            uom: 'EA',
            documentRef: r.documentRef,
            occurredAt: r.day,
            unitCost: r.unitCost,
          };
          const copies = r.retried ? 2 : 1;
          for (let c = 0; c < copies; c++) {
            if (ndjson) {
              const { unitCost, ...rest } = fields;
              const object = unitCost === '' ? rest : fields;
              lines.push(r.malformed === 'fields' ? `{"eventId": "${id}",` : JSON.stringify(object));
            } else {
              const cells = WMS_HEADER.map((h) => fields[h] ?? '');
              lines.push(csvLine(r.malformed === 'fields' ? cells.slice(0, 4) : cells).replace(/\r\n$/, ''));
            }
            // Physical lines: a CSV header is line 1; the first NDJSON line is line 1.
            if (r.malformed !== 'no') badLines.push(lines.length + (ndjson ? 0 : 1));
          }
          if (r.malformed === 'no') good.set(id, { priced: r.unitCost !== '' });
        });
        const file = join(dir, ndjson ? 'wms.ndjson' : 'wms.csv');
        writeFileSync(file, (ndjson ? '' : csvLine(WMS_HEADER)) + lines.join('\n') + '\n');
        const out = join(dir, 'out');
        const result = cli([
          'vouchers',
          '--wms',
          file,
          '--timezone',
          'Asia/Shanghai',
          '--out',
          out,
          '--quiet',
        ]);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const { json, csv } = readOut(out);

        const booked = json.vouchers.flatMap((v) => v.eventIds);
        expect(new Set(booked).size).toBe(booked.length);
        const priced = [...good].filter(([, g]) => g.priced).map(([id]) => id);
        expect([...booked].sort()).toEqual([...priced].sort());
        expect(json.unpriced.map((u) => u.eventId).sort()).toEqual(
          [...good]
            .filter(([, g]) => !g.priced)
            .map(([id]) => id)
            .sort(),
        );
        expect(json.rejected.map((r) => r.line)).toEqual(badLines);
        for (const v of json.vouchers) {
          let balance = 0n;
          for (const l of v.lines) balance += money(l.debit) - money(l.credit);
          expect(balance).toBe(0n);
        }
        // The CSV holds the same lines and the same totals.
        expect(csv.slice(1)).toHaveLength(json.vouchers.reduce((n, v) => n + v.lines.length, 0));
        const debit = csv.slice(1).reduce((s, f) => s + money(f[6] ?? ''), 0n);
        const credit = csv.slice(1).reduce((s, f) => s + money(f[7] ?? ''), 0n);
        expect(debit).toBe(credit);
        expect(debit).toBe(money(json.summary.debit));
        expect(json.summary.movements.booked).toBe(priced.length);
      }),
      { numRuns: 12 },
    );
  });
});

describe('stocktally vouchers on the public samples', () => {
  it('books the NDJSON sample with its cost table, listing what it could not price', () => {
    const s = sampleDir('sample-2');
    const out = tempDir('stocktally-vouchers-');
    const result = cli([
      'vouchers',
      '--wms',
      join(s, 'wms.ndjson'),
      '--costs',
      join(s, 'costs.csv'),
      '--timezone',
      'Asia/Shanghai',
      '--period',
      '2026-10',
      '--out',
      out,
      '--quiet',
    ]);
    expect(result.status).toBe(0);
    const { json } = readOut(out);
    expect(json.vouchers.length).toBeGreaterThan(100);
    expect(json.vouchers.every((v) => v.period === '2026-10')).toBe(true);
    expect(json.summary.debit).toBe(json.summary.credit);
    expect(json.rejected.map((r) => r.line)).toEqual([1, 175, 349, 523]);
    expect(json.unpriced.every((u) => u.reason.startsWith('no unit cost'))).toBe(true);
  });
});

describe('stocktally vouchers arguments', () => {
  it('prints its help', () => {
    const result = cli(['vouchers', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: stocktally vouchers --wms FILE');
  });

  it('exits 2 with one line naming the problem', () => {
    const dir = tempDir('stocktally-vouchers-');
    const wms = join(dir, 'wms.csv');
    writeFileSync(wms, 'eventId,sku\nE1,SKU-1\n');
    const workflow = join(dir, 'workflow.yaml');
    writeFileSync(workflow, 'version: 1\naccounts: {}\n');
    const cases: [string[], RegExp][] = [
      [['vouchers', '--out', dir], /--wms is required/],
      [
        ['vouchers', '--wms', wms, '--out', dir, '--period', '2026-13'],
        /--period must be a month as YYYY-MM/,
      ],
      [['vouchers', '--wms', wms, '--out', dir, '--timezone', 'Mars/Olympus'], /not an IANA time zone/],
      [['vouchers', '--wms', join(dir, 'none.csv'), '--out', dir], /--wms .*none\.csv: cannot read it/],
      [['vouchers', '--wms', wms, '--out', dir], /the header lacks warehouseId/],
      [
        ['vouchers', '--wms', wms, '--out', dir, '--workflow', workflow],
        /--workflow .*workflow\.yaml: owners/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = cli(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
