import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostTable, type CostRow } from '../../../lib/core/records/costs.js';
import { divRoundHalfUp, formatMoney } from '../../../lib/core/shared/decimal.js';
import { MOVEMENT_TYPES, type MovementType } from '../../../lib/core/records/movement-type.js';
import type { Movement } from '../../../lib/core/records/records.js';
import { voucherCsv } from '../../../lib/core/vouchers/voucher-csv.js';
import {
  bookVouchers,
  voucherIdOf,
  voucherImbalance,
  type VoucherBook,
  type VoucherOptions,
} from '../../../lib/core/vouchers/vouchers.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { defaultConfig } from '../cases/case-factories.js';
import { d, movement } from '../factories.js';

// Vouchers for every movement (CONTRACT §9): pricing, grouping, balancing, reversals, unpriced, retries.

const CONFIG = defaultConfig();
const UTC = new ZoneClock('UTC');

function costs(rows: { warehouseId?: string; sku?: string; standardCost: string; effectiveFrom: string }[]) {
  const table: CostRow[] = rows.map((r) => ({
    warehouseId: r.warehouseId ?? '*',
    sku: r.sku ?? 'SKU-1',
    standardCost: d(r.standardCost),
    effectiveFrom: Date.parse(r.effectiveFrom),
  }));
  return new CostTable(table);
}

function book(movements: Movement[], options: Partial<VoucherOptions> = {}): VoucherBook {
  return bookVouchers(movements, { config: CONFIG, costs: new CostTable(), zone: UTC, ...options });
}

describe('pricing each movement at its own moment', () => {
  it('takes the standard cost in effect at each occurredAt, across a price change inside one voucher', () => {
    const table = costs([
      { standardCost: '10', effectiveFrom: '2026-10-01T00:00:00Z' },
      { standardCost: '12.5', effectiveFrom: '2026-10-15T00:00:00Z' },
    ]);
    const b = book(
      [
        movement({ quantity: '4', at: '2026-10-14T23:59:59Z', unitCost: '99' }),
        movement({ quantity: '2', at: '2026-10-15T00:00:00Z', unitCost: '99' }),
      ],
      { costs: table },
    );
    // 4 x 10 + 2 x 12.5: the WMS unitCost loses to the standard cost in effect.
    expect(b.vouchers).toHaveLength(1);
    expect(b.vouchers[0]!.lines).toEqual([
      { sku: 'SKU-1', quantity: '6', account: '1403', accountName: '原材料', debit: '65.00', credit: '0.00' },
      {
        sku: 'SKU-1',
        quantity: '6',
        account: '2202',
        accountName: '应付账款',
        debit: '0.00',
        credit: '65.00',
      },
    ]);
  });

  it("uses the movement's own unitCost before the first standard cost takes effect", () => {
    const table = costs([{ standardCost: '10', effectiveFrom: '2026-10-15T00:00:00Z' }]);
    const b = book([movement({ quantity: '3', at: '2026-10-10T00:00:00Z', unitCost: '7.25' })], {
      costs: table,
    });
    expect(b.vouchers[0]!.total).toBe('21.75');
  });

  it("prefers the warehouse's own standard cost to the * row", () => {
    const table = costs([
      { standardCost: '10', effectiveFrom: '2026-10-01' },
      { warehouseId: 'WH-02', standardCost: '11', effectiveFrom: '2026-09-01' },
    ]);
    const b = book(
      [
        movement({ warehouseId: 'WH-01', quantity: '1', unitCost: null }),
        movement({ warehouseId: 'WH-02', quantity: '1', unitCost: null }),
      ],
      { costs: table },
    );
    expect(b.vouchers.map((v) => [v.warehouseId, v.total])).toEqual([
      ['WH-01', '10.00'],
      ['WH-02', '11.00'],
    ]);
  });

  it('sums exactly and rounds half-up once per line, not once per movement', () => {
    // Three times 0.005: per-movement rounding would give 0.03; the exact sum 0.015 rounds to 0.02.
    const b = book([1, 2, 3].map((i) => movement({ id: `R${i}`, quantity: '1', unitCost: '0.005' })));
    expect(b.vouchers[0]!.total).toBe('0.02');
    // Six places times six places: 0.333333 x 3 = 0.999999 -> 1.00.
    expect(book([movement({ quantity: '3', unitCost: '0.333333' })]).vouchers[0]!.total).toBe('1.00');
  });
});

describe('grouping', () => {
  it('makes one voucher per warehouse, document, type and period, with a line pair per sku', () => {
    const b = book([
      movement({ sku: 'SKU-2', quantity: '1', unitCost: '5' }),
      movement({ sku: 'SKU-1', quantity: '2', unitCost: '5' }),
      movement({ sku: 'SKU-1', quantity: '3', unitCost: '5' }),
      movement({ type: 'VENDOR_RETURN', quantity: '1', unitCost: '5' }),
      movement({ warehouseId: 'WH-02', quantity: '1', unitCost: '5' }),
      movement({ documentRef: 'PO-2', quantity: '1', unitCost: '5' }),
      movement({ quantity: '1', unitCost: '5', at: '2026-11-01T00:00:00Z' }),
    ]);
    expect(b.vouchers.map((v) => [v.warehouseId, v.documentRef, v.type, v.period])).toEqual([
      ['WH-01', 'PO-1', 'RECEIPT', '2026-10'],
      ['WH-01', 'PO-1', 'VENDOR_RETURN', '2026-10'],
      ['WH-01', 'PO-2', 'RECEIPT', '2026-10'],
      ['WH-02', 'PO-1', 'RECEIPT', '2026-10'],
      ['WH-01', 'PO-1', 'RECEIPT', '2026-11'],
    ]);
    const first = b.vouchers[0]!;
    expect(first.lines.map((l) => [l.sku, l.quantity, l.account, l.debit, l.credit])).toEqual([
      ['SKU-1', '5', '1403', '25.00', '0.00'],
      ['SKU-1', '5', '2202', '0.00', '25.00'],
      ['SKU-2', '1', '1403', '5.00', '0.00'],
      ['SKU-2', '1', '2202', '0.00', '5.00'],
    ]);
    expect(first.total).toBe('30.00');
    // A vendor return books the mapping's own accounts: 借 应付账款 / 贷 原材料.
    expect(b.vouchers[1]!.lines.map((l) => l.account)).toEqual(['2202', '1403']);
  });

  it("books a warehouse's own mapping where it has one (WH-08 receives from production)", () => {
    const b = book([movement({ warehouseId: 'WH-08', quantity: '1', unitCost: '5' })]);
    expect(b.vouchers[0]!.lines.map((l) => `${l.account} ${l.accountName}`)).toEqual([
      '1405 库存商品',
      '5001 生产成本',
    ]);
  });

  it("dates a voucher by its latest movement's local date and cuts periods in the zone", () => {
    const shanghai = new ZoneClock('Asia/Shanghai');
    const b = book(
      [
        movement({ id: 'A', quantity: '1', unitCost: '1', at: '2026-10-30T03:00:00Z' }),
        movement({ id: 'B', quantity: '1', unitCost: '1', at: '2026-10-31T15:59:59Z' }),
        movement({ id: 'C', quantity: '1', unitCost: '1', at: '2026-10-31T16:00:00Z' }),
      ],
      { zone: shanghai },
    );
    // 2026-10-31T16:00Z is midnight of 1 November in Shanghai: the next period.
    expect(b.vouchers.map((v) => [v.period, v.date, v.eventIds])).toEqual([
      ['2026-10', '2026-10-31', ['A', 'B']],
      ['2026-11', '2026-11-01', ['C']],
    ]);
  });

  it('books only the period asked for', () => {
    const b = book(
      [
        movement({ id: 'OCT', unitCost: '1', at: '2026-10-31T23:00:00Z' }),
        movement({ id: 'NOV', unitCost: null, at: '2026-11-01T01:00:00Z' }),
        movement({ id: 'NOV2', unitCost: '1', at: '2026-11-02T01:00:00Z' }),
      ],
      { period: '2026-11' },
    );
    expect(b.vouchers.flatMap((v) => v.eventIds)).toEqual(['NOV2']);
    expect(b.unpriced.map((u) => u.eventId)).toEqual(['NOV']);
  });

  it('names a voucher by its key: the same in any order, another key another id', () => {
    const ms = [
      movement({ id: 'X1', sku: 'SKU-1', unitCost: '2' }),
      movement({ id: 'X2', sku: 'SKU-2', unitCost: '3' }),
      movement({ id: 'X3', documentRef: 'PO-9', unitCost: '3' }),
    ];
    const forward = book(ms);
    const backward = book([...ms].reverse());
    expect(backward).toEqual(forward);
    const key = { warehouseId: 'WH-01', documentRef: 'PO-1', type: 'RECEIPT', period: '2026-10' } as const;
    expect(forward.vouchers[0]!.voucherId).toBe(voucherIdOf(key));
    expect(voucherIdOf(key)).toMatch(/^MV-202610-[0-9a-f]{16}$/);
    expect(voucherIdOf({ ...key, type: 'SHIPMENT' })).not.toBe(voucherIdOf(key));
    expect(voucherIdOf({ ...key, period: '2026-11' })).not.toBe(voucherIdOf(key));
    // No separator trick makes two keys one: the parts are hashed as a JSON array.
    expect(voucherIdOf({ ...key, warehouseId: 'WH-01|PO', documentRef: '1' })).not.toBe(
      voucherIdOf({ ...key, warehouseId: 'WH-01', documentRef: 'PO|1' }),
    );
  });
});

describe('negative amounts and balance', () => {
  it('books a net reversal on the same accounts, opposite sides, every amount positive', () => {
    const b = book([
      movement({ id: 'S1', type: 'SHIPMENT', quantity: '2', unitCost: '10' }),
      movement({ id: 'S2', type: 'SHIPMENT', quantity: '-5', unitCost: '10' }),
    ]);
    // SHIPMENT maps 借 6401 / 贷 1405; a net -30 books 借 1405 / 贷 6401.
    expect(b.vouchers[0]!.lines).toEqual([
      {
        sku: 'SKU-1',
        quantity: '-3',
        account: '1405',
        accountName: '库存商品',
        debit: '30.00',
        credit: '0.00',
      },
      {
        sku: 'SKU-1',
        quantity: '-3',
        account: '6401',
        accountName: '主营业务成本',
        debit: '0.00',
        credit: '30.00',
      },
    ]);
    expect(voucherImbalance(b.vouchers[0]!)).toBe(0n);
  });

  it('keeps a movement and its exact reversal as a 0.00 line pair: both were booked', () => {
    const b = book([
      movement({ id: 'P', quantity: '4', unitCost: '2.5' }),
      movement({ id: 'N', quantity: '-4', unitCost: '2.5' }),
    ]);
    expect(b.vouchers[0]!.eventIds).toEqual(['N', 'P'].sort());
    expect(b.vouchers[0]!.lines.map((l) => [l.quantity, l.debit, l.credit])).toEqual([
      ['0', '0.00', '0.00'],
      ['0', '0.00', '0.00'],
    ]);
  });
});

describe('unpriced movements', () => {
  it('lists a movement without any unit cost with its eventId and reason, and books the rest', () => {
    const b = book([
      movement({ id: 'PRICED', sku: 'SKU-1', unitCost: '2' }),
      movement({ id: 'BARE', sku: 'SKU-2', unitCost: null }),
    ]);
    expect(b.vouchers.flatMap((v) => v.eventIds)).toEqual(['PRICED']);
    expect(b.vouchers[0]!.lines.map((l) => l.sku)).toEqual(['SKU-1', 'SKU-1']);
    expect(b.unpriced).toEqual([
      {
        eventId: 'BARE',
        reason: 'no unit cost: no standard cost table was given and the movement carries no unitCost',
        warehouseId: 'WH-01',
        sku: 'SKU-2',
        documentRef: 'PO-1',
        type: 'RECEIPT',
        period: '2026-10',
      },
    ]);
  });

  it('says which standard cost was missing when a table was given', () => {
    const table = costs([{ sku: 'SKU-1', standardCost: '10', effectiveFrom: '2026-11-01' }]);
    const b = book([movement({ id: 'EARLY', unitCost: null, at: '2026-10-20T08:00:00Z' })], { costs: table });
    expect(b.vouchers).toEqual([]);
    expect(b.unpriced[0]!.reason).toBe(
      'no unit cost: no standard cost of SKU-1 in WH-01 is in effect at 2026-10-20T08:00:00.000Z and the movement carries no unitCost',
    );
  });

  it('never books a voucher whose movements are all unpriced', () => {
    const b = book([movement({ unitCost: null }), movement({ unitCost: null })]);
    expect(b.vouchers).toEqual([]);
    expect(b.unpriced).toHaveLength(2);
  });
});

describe('retries', () => {
  it('counts a retried identical movement once', () => {
    const once = movement({ id: 'E-RETRY', quantity: '7', unitCost: '3' });
    const b = book([once, { ...once, line: once.line + 10 }, { ...once, line: once.line + 20 }]);
    expect(b.vouchers[0]!.eventIds).toEqual(['E-RETRY']);
    expect(b.vouchers[0]!.total).toBe('21.00');
    expect(b.duplicates).toBe(2);
  });

  it('books the first of an eventId sent with other content and lists the other as a conflict', () => {
    const first = movement({ id: 'E-C', quantity: '7', unitCost: '3' });
    const other = { ...movement({ id: 'E-C', quantity: '9', unitCost: '3' }) };
    const b = book([first, other]);
    expect(b.vouchers[0]!.total).toBe('21.00');
    expect(b.conflicts.map((c) => [c.id, c.line])).toEqual([['E-C', other.line]]);
  });
});

describe('vouchers.csv', () => {
  it('writes one row per line under the ERP columns, the empty side blank, with a BOM', () => {
    const b = book([
      movement({ id: 'S', type: 'SHIPMENT', documentRef: 'SO,"7"', quantity: '-2', unitCost: '10' }),
    ]);
    const text = voucherCsv(b.vouchers);
    const id = b.vouchers[0]!.voucherId;
    expect(text).toBe(
      '\uFEFF凭证号,日期,会计期间,摘要,科目编码,科目名称,借方金额,贷方金额\r\n' +
        `${id},2026-10-10,2026-10,"销售出库 WH-01 SO,""7"" SKU-1 数量 -2",1405,库存商品,20.00,\r\n` +
        `${id},2026-10-10,2026-10,"销售出库 WH-01 SO,""7"" SKU-1 数量 -2",6401,主营业务成本,,20.00\r\n`,
    );
  });
});

describe('vouchers.csv against formula injection', () => {
  it('writes formula-like account codes and names as text, as the other CSV exports do (OWASP)', () => {
    const config = structuredClone(CONFIG);
    config.accounts.default.RECEIPT = { debit: '@SUM(1) =HYPERLINK("http://x")', credit: '2202 应付账款' };
    const b = bookVouchers([movement({ quantity: '1', unitCost: '5' })], {
      config,
      costs: new CostTable(),
      zone: UTC,
    });
    const [, debitRow] = voucherCsv(b.vouchers).split('\r\n');
    expect(debitRow).toContain(`,'@SUM(1),"'=HYPERLINK(""http://x"")",5.00,`);
  });
});

describe('invariants over random movements', () => {
  const time = fc
    .tuple(
      fc.constantFrom('2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01'),
      fc.integer({ min: 0, max: 23 }),
    )
    .map(([day, h]) => `${day}T${String(h).padStart(2, '0')}:30:00Z`);
  const spec = fc.record({
    warehouseId: fc.constantFrom('WH-01', 'WH-08', 'WH-上海-02'),
    sku: fc.constantFrom('SKU-1', 'SKU-2', 'SKU-3'),
    documentRef: fc.constantFrom('PO-1', 'PO-2', 'SO-"3",x'),
    type: fc.constantFrom<MovementType>(...MOVEMENT_TYPES),
    quantity: fc.integer({ min: -40, max: 90 }).map(String),
    at: time,
    unitCost: fc.option(fc.constantFrom('10', '12.5', '0.333', '0.005', '1234.567891'), { nil: null }),
    retried: fc.boolean(),
  });
  const table = costs([
    { sku: 'SKU-3', standardCost: '7.77', effectiveFrom: '2026-10-01T00:00:00Z' },
    { warehouseId: 'WH-08', sku: 'SKU-3', standardCost: '8.125', effectiveFrom: '2026-10-31T12:00:00Z' },
  ]);

  it('books every priced movement exactly once, at its own price, in balanced vouchers', () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 40 }), fc.constantFrom('UTC', 'Asia/Shanghai'), (specs, tz) => {
        const zone = new ZoneClock(tz);
        const movements: Movement[] = [];
        specs.forEach((s, i) => {
          const m = movement({ ...s, id: `P${i}` });
          movements.push(m);
          if (s.retried) movements.push({ ...m, line: m.line + 1000 });
        });
        const b = book(movements, { costs: table, zone });
        const unique = specs.length;
        const booked = b.vouchers.flatMap((v) => v.eventIds);
        expect(new Set(booked).size).toBe(booked.length);
        expect(booked.length + b.unpriced.length).toBe(unique);
        expect(b.duplicates).toBe(specs.filter((s) => s.retried).length);
        // The amount of each (voucher, sku), recomputed independently from the specs.
        const expected = new Map<string, bigint>();
        specs.forEach((s, i) => {
          const m = movements.find((x) => x.id === `P${i}`)!;
          const cost = table.costAt(m.warehouseId, m.sku, m.at) ?? m.unitCost;
          if (cost === undefined) {
            expect(b.unpriced.map((u) => u.eventId)).toContain(m.id);
            return;
          }
          const key = JSON.stringify([m.warehouseId, m.documentRef, m.type, zone.periodOf(m.at), m.sku]);
          expected.set(key, (expected.get(key) ?? 0n) + m.quantity * cost);
        });
        let pairs = 0;
        for (const v of b.vouchers) {
          expect(voucherImbalance(v)).toBe(0n);
          for (let i = 0; i < v.lines.length; i += 2) {
            const [debit, credit] = [v.lines[i]!, v.lines[i + 1]!];
            const exact = expected.get(
              JSON.stringify([v.warehouseId, v.documentRef, v.type, v.period, debit.sku]),
            );
            expect(exact).toBeDefined();
            const cents = formatMoney(divRoundHalfUp(exact!, 10n ** 10n) * 10n ** 4n);
            expect(debit.debit).toBe(cents.replace('-', ''));
            expect(credit.credit).toBe(debit.debit);
            const positive = !cents.startsWith('-');
            const pair =
              CONFIG.accounts.byWarehouse[v.warehouseId]?.[v.type] ?? CONFIG.accounts.default[v.type];
            expect(debit.account).toBe((positive ? pair.debit : pair.credit).split(' ')[0]);
            expect(credit.account).toBe((positive ? pair.credit : pair.debit).split(' ')[0]);
            pairs++;
          }
        }
        expect(pairs).toBe(expected.size);
        // Whatever order the rows came in, the same book.
        expect(book([...movements].reverse(), { costs: table, zone })).toEqual(b);
      }),
      { numRuns: 150 },
    );
  });
});
