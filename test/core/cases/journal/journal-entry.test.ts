import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../../../lib/core/cases/case-facts.js';
import { formatDecimal } from '../../../../lib/core/shared/decimal.js';
import { journalCsv, JOURNAL_CSV_COLUMNS } from '../../../../lib/core/cases/journal/journal-csv.js';
import {
  buildJournalEntry,
  imbalance,
  type JournalEntry,
} from '../../../../lib/core/cases/journal/journal-entry.js';
import { MOVEMENT_TYPES, type MovementType } from '../../../../lib/core/records/movement-type.js';
import {
  RESOLUTION_ACTIONS,
  ResolutionSchema,
  type Resolution,
} from '../../../../lib/core/cases/resolution.js';
import { caseFacts, defaultConfig } from '../case-factories.js';

const config = defaultConfig();
const IDS = { entryId: 'ST-202610-00000000-3', caseId: 'case-1' };

function entryOf(resolution: unknown, facts: CaseFacts = caseFacts()): JournalEntry {
  const built = buildJournalEntry(ResolutionSchema.parse(resolution), facts, config, IDS);
  if (!built.ok) throw new Error(`${built.field}: ${built.reason}`);
  if (built.entry === null) throw new Error('no entry');
  return built.entry;
}

const lines = (entry: JournalEntry) =>
  entry.lines.map((l) => `${l.side} ${l.accountCode} ${l.accountName} ${l.amount}`);

describe('the adjusting journal entry', () => {
  it('supplements a missing receipt voucher: 借 原材料 / 贷 应付账款 for what the books lack', () => {
    const entry = entryOf({ action: 'supplement-voucher', voucherRef: 'V-1' });

    expect(lines(entry)).toEqual(['debit 1403 原材料 60000.00', 'credit 2202 应付账款 60000.00']);
    expect(entry).toMatchObject({
      total: '60000.00',
      period: '2026-10',
      movementType: 'RECEIPT',
      action: 'supplement-voucher',
    });
  });

  it('books a negative amount on the opposite sides, every amount positive', () => {
    const facts = caseFacts({
      expectedAmount: '100.00',
      financeAmount: '150.00',
      financeQuantity: '600',
      financeTypes: ['RECEIPT'],
    });

    expect(lines(entryOf({ action: 'supplement-voucher', voucherRef: 'V-2' }, facts))).toEqual([
      'debit 2202 应付账款 50.00',
      'credit 1403 原材料 50.00',
    ]);
  });

  it('uses the warehouse’s own mapping where it has one', () => {
    const facts = caseFacts({ warehouseId: 'WH-08' });

    expect(lines(entryOf({ action: 'supplement-voucher', voucherRef: 'V-3' }, facts))).toEqual([
      'debit 1405 库存商品 60000.00',
      'credit 5001 生产成本 60000.00',
    ]);
  });

  it('reverses a duplicate posting by the repeated amount, and a wrong type with its rebooking', () => {
    const duplicate = caseFacts({
      kind: 'DUPLICATE_POSTING',
      financeTypes: ['RECEIPT'],
      financeEntryIds: ['F1', 'F2'],
      duplicateEntryIds: ['F2'],
      financeQuantity: '1200',
      financeAmount: '120000.00',
    });
    expect(lines(entryOf({ action: 'reverse-entry', entryIds: ['F2'] }, duplicate))).toEqual([
      'debit 2202 应付账款 60000.00',
      'credit 1403 原材料 60000.00',
    ]);

    const wrongType = caseFacts({
      kind: 'TYPE_MISMATCH',
      wmsTypes: ['SHIPMENT'],
      financeTypes: ['RECEIPT'],
      financeEntryIds: ['F9'],
      financeAmount: '800.00',
    });
    expect(
      lines(entryOf({ action: 'reverse-entry', entryIds: ['F9'], rebookAs: 'SHIPMENT' }, wrongType)),
    ).toEqual([
      'debit 2202 应付账款 800.00',
      'credit 1403 原材料 800.00',
      'debit 6401 主营业务成本 800.00',
      'credit 1405 库存商品 800.00',
    ]);
  });

  it('adjusts a price or a quantity to the exact cent', () => {
    const facts = caseFacts({
      kind: 'AMOUNT_MISMATCH',
      financeTypes: ['RECEIPT'],
      financeQuantity: '3',
      financeAmount: '30.00',
    });

    expect(lines(entryOf({ action: 'adjust-price', unitCost: '10.335' }, facts))).toEqual([
      'debit 1403 原材料 1.01',
      'credit 2202 应付账款 1.01',
    ]);
    const short = caseFacts({
      kind: 'QUANTITY_MISMATCH',
      financeTypes: ['RECEIPT'],
      financeQuantity: '590',
      unitCost: '12.5',
    });
    expect(lines(entryOf({ action: 'adjust-quantity' }, short))).toEqual([
      'debit 1403 原材料 125.00',
      'credit 2202 应付账款 125.00',
    ]);
  });

  it('parks a frozen account’s difference in suspense (待处理财产损溢)', () => {
    const shipmentShort = caseFacts({
      wmsTypes: ['SHIPMENT'],
      expectedAmount: '500.00',
      financeAmount: '200.00',
    });

    // Finance booked less shipment than left the warehouse: the books hold 300 of stock too much.
    expect(lines(entryOf({ action: 'freeze-account', reason: 'count' }, shipmentShort))).toEqual([
      'debit 1901 待处理财产损溢 300.00',
      'credit 1405 库存商品 300.00',
    ]);
  });

  it('books nothing to accept a timing difference, or to link a group booked under a mistyped code', () => {
    const built = buildJournalEntry({ action: 'accept-timing' }, caseFacts(), config, IDS);

    expect(built).toEqual({ ok: true, entry: null });
    expect(
      buildJournalEntry(
        { action: 'link', documentRef: 'SO-1024', sku: 'SKU-00021' },
        caseFacts(),
        config,
        IDS,
      ),
    ).toEqual({ ok: true, entry: null });
  });

  it('refuses what it cannot book, naming the field', () => {
    const cases: [Resolution, Partial<CaseFacts>, string][] = [
      [{ action: 'reverse-entry', entryIds: ['F404'] }, { financeEntryIds: ['F1'] }, 'resolution.entryIds'],
      [{ action: 'reverse-entry', entryIds: ['F1'] }, { financeEntryIds: ['F1', 'F2'] }, 'resolution.amount'],
      [{ action: 'supplement-voucher', voucherRef: 'V', amount: '1.005' }, {}, 'resolution.amount'],
      [{ action: 'adjust-price', unitCost: '5' }, { financeQuantity: '0' }, 'resolution.unitCost'],
      [{ action: 'adjust-quantity' }, { unitCost: null, financeUnitCost: null }, 'resolution.quantity'],
      [{ action: 'supplement-voucher', voucherRef: 'V' }, { expectedAmount: '0.00' }, 'resolution'],
    ];
    for (const [resolution, overrides, field] of cases) {
      const built = buildJournalEntry(resolution, caseFacts(overrides), config, IDS);
      expect(built.ok ? 'booked' : built.field, JSON.stringify(resolution)).toBe(field);
    }
  });
});

/** Money in cents as text, signed, up to 10 million. */
const cents = fc
  .integer({ min: -1_000_000_000, max: 1_000_000_000 })
  .map((c) => formatDecimal(BigInt(c) * 10_000n));
const quantity = fc.integer({ min: -100_000, max: 100_000 }).map((q) => formatDecimal(BigInt(q) * 1000n));
const unitCost = fc.integer({ min: 1, max: 10_000_000 }).map((c) => formatDecimal(BigInt(c) * 10n));
const type = fc.constantFrom(...MOVEMENT_TYPES);
const warehouse = fc.constantFrom('WH-01', 'WH-08', 'WH-上海-02');

const facts = fc
  .record({
    wh: warehouse,
    wmsType: type,
    financeType: type,
    expected: cents,
    finance: cents,
    wmsQty: quantity,
    financeQty: quantity,
    cost: unitCost,
  })
  .map((f) =>
    caseFacts({
      warehouseId: f.wh,
      groupKey: `${f.wh}|SKU-1|PO-1`,
      wmsTypes: [f.wmsType],
      financeTypes: [f.financeType],
      expectedAmount: f.expected,
      financeAmount: f.finance,
      wmsQuantity: f.wmsQty,
      financeQuantity: f.financeQty,
      unitCost: f.cost,
      financeEntryIds: ['F1', 'F2'],
      duplicateEntryIds: ['F2'],
      kind: 'DUPLICATE_POSTING',
    }),
  );

const resolution: fc.Arbitrary<Resolution> = fc.oneof(
  fc.record({
    action: fc.constant('supplement-voucher' as const),
    voucherRef: fc.constant('V-1'),
    movementType: type,
  }),
  fc.record({
    action: fc.constant('reverse-entry' as const),
    entryIds: fc.constantFrom<string[]>(['F1', 'F2'], ['F2']),
    rebookAs: type,
  }),
  fc.record({ action: fc.constant('adjust-price' as const), unitCost }),
  fc.record({ action: fc.constant('adjust-quantity' as const), quantity }),
  fc.record({ action: fc.constant('freeze-account' as const), reason: fc.constant('count') }),
  fc.record({ action: fc.constant('accept-timing' as const) }),
  fc.record({ action: fc.constant('accept-difference' as const), reason: fc.constant('written off') }),
);

describe('every entry balances', () => {
  it('for every resolution action and movement type: debits equal credits to the cent, amounts positive', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(facts, resolution, (f, r) => {
        const built = buildJournalEntry(r, f, config, IDS);
        if (!built.ok) return built.reason.length > 0;
        if (built.entry === null) return r.action === 'accept-timing' || r.action === 'link';
        seen.add(`${r.action} ${built.entry.movementType}`);
        expect(imbalance(built.entry)).toBe(0n);
        for (const line of built.entry.lines)
          expect(line.amount).toMatch(/^[1-9]\d*\.\d{2}$|^0\.(0[1-9]|[1-9]\d)$/);
        const debits = built.entry.lines.filter((l) => l.side === 'debit').length;
        expect(debits * 2).toBe(built.entry.lines.length);
        return true;
      }),
      { numRuns: 2000 },
    );
    // The property met every booking action with every movement type.
    const booking = RESOLUTION_ACTIONS.filter((a) => a !== 'accept-timing' && a !== 'link');
    for (const action of booking)
      for (const t of MOVEMENT_TYPES) expect(seen, `${action} ${t}`).toContain(`${action} ${t}`);
  });
});

describe('the CSV export for ERP import', () => {
  it('reopens (csv-parse) to the same lines, with a BOM and the Chinese headers', () => {
    const entries = [
      entryOf({ action: 'supplement-voucher', voucherRef: 'V-1', memo: 'per "GR 5000123", late' }),
      entryOf(
        { action: 'reverse-entry', entryIds: ['F9'], rebookAs: 'SHIPMENT' },
        caseFacts({
          warehouseId: 'WH-上海-02',
          financeEntryIds: ['F9'],
          financeTypes: ['RECEIPT'],
          financeAmount: '800.00',
        }),
      ),
    ];

    const text = journalCsv(entries);

    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...JOURNAL_CSV_COLUMNS]);
    const reopened = rows.map((r) => ({
      entryId: r['凭证号 Voucher'],
      line: Number(r['行号 Line']),
      side: r['借方金额 Debit'] !== '' ? 'debit' : 'credit',
      accountCode: r['科目编码 Account code'],
      accountName: r['科目名称 Account name'],
      amount: r['借方金额 Debit'] || r['贷方金额 Credit'],
      memo: r['摘要 Memo'],
      warehouseId: r['仓库 Warehouse'],
      date: r['日期 Date'],
    }));
    const expected = entries.flatMap((e) =>
      e.lines.map((l) => ({
        entryId: e.entryId,
        line: l.line,
        side: l.side,
        accountCode: l.accountCode,
        accountName: l.accountName,
        amount: l.amount,
        memo: l.memo,
        warehouseId: e.warehouseId,
        date: '2026-10-31',
      })),
    );
    expect(reopened).toEqual(expected);
  });
});

describe('the default configuration', () => {
  it('maps every movement type to a debit and a credit account', () => {
    for (const t of MOVEMENT_TYPES as readonly MovementType[]) {
      expect(config.accounts.default[t].debit).toMatch(/^\d{4} \S/);
      expect(config.accounts.default[t].credit).toMatch(/^\d{4} \S/);
    }
  });
});
