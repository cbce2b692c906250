import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyItem,
  groupKey,
  groupRecords,
  itemPeriodTotals,
  itemTotals,
  periodTotals,
  type Grouped,
  type GroupLine,
  type GroupOptions,
} from '../../../lib/core/reconcile/group.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { formatDecimal } from '../../../lib/core/shared/decimal.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { d, entry, movement } from '../factories.js';

// Grouping (CONTRACT §1-2, §7's cut-off) on its own: which records land in which group, in which
// unit, and which are left out, counted or rejected on the way.

function uom(...rows: [sku: string, from: string, to: string, factor: string][]): UomTable {
  return new UomTable(
    rows.map(([sku, fromUom, toUom, factor]) => ({ sku, fromUom, toUom, factor: d(factor) })),
  );
}

const NO_UOM = new UomTable();

/** `id:quantity` of each line, the quantity in the comparison unit as canonical text. */
function lines(list: readonly GroupLine<Movement | Entry>[] | undefined): string[] {
  return (list ?? []).map((l) => `${l.record.id}:${formatDecimal(l.quantity)}`);
}

describe('groups per (warehouseId, sku, documentRef)', () => {
  it('puts both sides of one document, item and warehouse in one group, in arrival order', () => {
    const grouped = groupRecords(
      [
        movement({ id: 'E1', documentRef: 'PO-1' }),
        movement({ id: 'E2', documentRef: 'PO-2' }),
        movement({ id: 'E3', documentRef: 'PO-1', quantity: '-4' }),
      ],
      [entry({ id: 'F1', documentRef: 'PO-2' }), entry({ id: 'F2', documentRef: 'SO-9' })],
      NO_UOM,
    );
    expect(grouped.groups.map(groupKey)).toEqual([
      'WH-01|SKU-1|PO-1',
      'WH-01|SKU-1|PO-2',
      'WH-01|SKU-1|SO-9',
    ]);
    const [po1, po2, so9] = grouped.groups;
    expect(lines(po1?.movements)).toEqual(['E1:10', 'E3:-4']);
    expect(lines(po1?.entries)).toEqual([]);
    expect(lines(po2?.movements)).toEqual(['E2:10']);
    expect(lines(po2?.entries)).toEqual(['F1:10']);
    expect(lines(so9?.movements)).toEqual([]);
    expect(lines(so9?.entries)).toEqual(['F2:10']);
  });

  it('splits one document that spans items and warehouses into a group each', () => {
    const grouped = groupRecords(
      [
        movement({ id: 'E1', sku: 'SKU-1', warehouseId: 'WH-01' }),
        movement({ id: 'E2', sku: 'SKU-2', warehouseId: 'WH-01' }),
        movement({ id: 'E3', sku: 'SKU-1', warehouseId: 'WH-02' }),
      ],
      [
        entry({ id: 'F1', sku: 'SKU-2', warehouseId: 'WH-01' }),
        entry({ id: 'F2', sku: 'SKU-1', warehouseId: 'WH-02' }),
        entry({ id: 'F3', sku: 'SKU-1', warehouseId: 'WH-01' }),
      ],
      NO_UOM,
    );
    expect(grouped.groups.map((g) => [groupKey(g), lines(g.movements), lines(g.entries)])).toEqual([
      ['WH-01|SKU-1|PO-1', ['E1:10'], ['F3:10']],
      ['WH-01|SKU-2|PO-1', ['E2:10'], ['F1:10']],
      ['WH-02|SKU-1|PO-1', ['E3:10'], ['F2:10']],
    ]);
  });

  it('keeps parts apart whose joined text would be the same (`A|B`+`C` is not `A`+`B|C`)', () => {
    const grouped = groupRecords(
      [movement({ warehouseId: 'A|B', sku: 'C' }), movement({ warehouseId: 'A', sku: 'B|C' })],
      [],
      NO_UOM,
    );
    expect(grouped.groups.map(groupKey)).toEqual(['A\\|B|C|PO-1', 'A|B\\|C|PO-1']);
  });

  it('keeps a document reference verbatim: case, spaces and quotes make other groups', () => {
    const grouped = groupRecords(
      [
        movement({ documentRef: 'PO-1' }),
        movement({ documentRef: 'po-1' }),
        movement({ documentRef: 'PO-1 ' }),
      ],
      [entry({ documentRef: 'SO-"3",x' })],
      NO_UOM,
    );
    expect(grouped.groups.map((g) => g.documentRef)).toEqual(['PO-1', 'po-1', 'PO-1 ', 'SO-"3",x']);
  });

  it('gives nothing for no records', () => {
    const grouped = groupRecords([], [], NO_UOM);
    expect(grouped).toEqual({
      groups: [],
      items: new Map(),
      duplicates: { wms: 0, finance: 0 },
      afterCutOff: { wms: 0, finance: 0 },
      conflicts: [],
      rejected: [],
    });
  });
});

describe('retried rows and conflicting ids', () => {
  it('counts a retried identical row once, whatever file and line it came from, and keeps the first', () => {
    const m = movement({ id: 'E1', quantity: '10' });
    const e = entry({ id: 'F1', quantity: '10', amount: '1000.00' });
    const grouped = groupRecords(
      [m, { ...m, file: 'retry.ndjson', line: 900 }, { ...m, line: 901 }],
      [e, { ...e, file: 'finance-2.csv', line: 7 }],
      NO_UOM,
    );
    expect(grouped.duplicates).toEqual({ wms: 2, finance: 1 });
    expect(grouped.conflicts).toEqual([]);
    const [group] = grouped.groups;
    expect(lines(group?.movements)).toEqual(['E1:10']);
    expect(group?.movements[0]?.record.line).toBe(m.line);
    expect(lines(group?.entries)).toEqual(['F1:10']);
    expect(itemTotals(grouped.items.get('SKU-1') ?? emptyItem())).toEqual({
      quantity: d('10'),
      amount: d('1000'),
    });
  });

  it('keeps the first of one event id with other content and names the fields that differ', () => {
    const first = movement({ id: 'E7', quantity: '10' });
    const other = { ...movement({ id: 'E7', quantity: '12', unitCost: null }), line: 42 };
    const grouped = groupRecords([first, other], [], NO_UOM);
    expect(grouped.conflicts).toEqual([
      {
        source: 'wms',
        id: 'E7',
        file: 'wms.csv',
        line: 42,
        firstLine: first.line,
        reason: `eventId E7 repeats line ${first.line} with other content (quantity, unitCost); the first is kept`,
      },
    ]);
    expect(grouped.duplicates.wms).toBe(0);
    expect(lines(grouped.groups[0]?.movements)).toEqual(['E7:10']);
  });

  it('names an entry conflict by entryId, the fields in wire order', () => {
    const first = entry({ id: 'F7', amount: '1000', at: '2026-10-10T12:00:00Z' });
    const other = { ...first, line: 43, amount: d('1000.01'), at: Date.parse('2026-10-11T12:00:00Z') };
    const grouped = groupRecords([], [first, other], NO_UOM);
    expect(grouped.conflicts.map((c) => c.reason)).toEqual([
      `entryId F7 repeats line ${first.line} with other content (amount, postedAt); the first is kept`,
    ]);
    expect(itemTotals(grouped.items.get('SKU-1') ?? emptyItem()).amount).toBe(d('1000'));
  });

  it('never confuses an event id with the same entry id: the two sources have their own keys', () => {
    const grouped = groupRecords([movement({ id: 'X1' })], [entry({ id: 'X1', amount: '5' })], NO_UOM);
    expect(grouped.duplicates).toEqual({ wms: 0, finance: 0 });
    expect(grouped.conflicts).toEqual([]);
    expect(lines(grouped.groups[0]?.movements)).toEqual(['X1:10']);
    expect(lines(grouped.groups[0]?.entries)).toEqual(['X1:10']);
  });
});

describe('the comparison unit', () => {
  it('converts finance lines into the WMS unit of the item, exactly', () => {
    const grouped = groupRecords(
      [movement({ id: 'E1', uom: 'EA', quantity: '24' })],
      [entry({ id: 'F1', uom: 'BOX', quantity: '2' }), entry({ id: 'F2', uom: 'BOX', quantity: '-0.5' })],
      uom(['SKU-1', 'BOX', 'EA', '12']),
    );
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:24', 'F2:-6']);
    expect(grouped.items.get('SKU-1')?.unit).toBe('EA');
  });

  it('converts through an inverted row and rounds the sixth place half away from zero', () => {
    const grouped = groupRecords(
      [movement({ id: 'E1', uom: 'BOX', quantity: '1' })],
      [
        entry({ id: 'F1', uom: 'EA', quantity: '5' }),
        entry({ id: 'F2', uom: 'EA', quantity: '-5' }),
        entry({ id: 'F3', uom: 'EA', quantity: '12' }),
      ],
      uom(['SKU-1', 'BOX', 'EA', '12']),
    );
    // 5/12 = 0.41666…: rounded once, per line, at the sixth place.
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:0.416667', 'F2:-0.416667', 'F3:1']);
  });

  it('converts through one shared unit, and an item row wins over a `*` row', () => {
    const table = uom(['*', 'CASE', 'EA', '24'], ['*', 'BOX', 'EA', '12'], ['SKU-2', 'BOX', 'EA', '10']);
    const grouped = groupRecords(
      [movement({ id: 'E1', sku: 'SKU-1', uom: 'BOX' }), movement({ id: 'E2', sku: 'SKU-2', uom: 'EA' })],
      [
        entry({ id: 'F1', sku: 'SKU-1', uom: 'CASE', quantity: '3' }),
        entry({ id: 'F2', sku: 'SKU-2', uom: 'BOX', quantity: '3' }),
      ],
      table,
    );
    expect(grouped.groups.map((g) => lines(g.entries))).toEqual([['F1:6'], ['F2:30']]);
  });

  it('compares an item in its most frequent WMS unit and converts the other WMS events too', () => {
    const grouped = groupRecords(
      [
        movement({ id: 'E1', uom: 'EA', quantity: '12' }),
        movement({ id: 'E2', uom: 'BOX', quantity: '1' }),
        movement({ id: 'E3', uom: 'BOX', quantity: '2' }),
      ],
      [entry({ id: 'F1', uom: 'EA', quantity: '36' })],
      uom(['SKU-1', 'BOX', 'EA', '12']),
    );
    expect(grouped.items.get('SKU-1')?.unit).toBe('BOX');
    expect(lines(grouped.groups[0]?.movements)).toEqual(['E1:1', 'E2:1', 'E3:2']);
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:3']);
  });

  it('breaks a tie between WMS units by code order, not by arrival', () => {
    const table = uom(['SKU-1', 'BOX', 'EA', '12']);
    const ea = movement({ id: 'E1', uom: 'EA', quantity: '12' });
    const box = movement({ id: 'E2', uom: 'BOX', quantity: '1' });
    expect(groupRecords([ea, box], [], table).items.get('SKU-1')?.unit).toBe('BOX');
    expect(groupRecords([box, ea], [], table).items.get('SKU-1')?.unit).toBe('BOX');
  });

  it('compares an item without WMS events in EA and rejects a line that cannot become EA, naming units and item', () => {
    const kg = entry({ id: 'F1', sku: 'KG-4', uom: 'KG', quantity: '2.5', documentRef: 'PO-8' });
    const grouped = groupRecords(
      [],
      [kg, entry({ id: 'F2', sku: 'KG-4', uom: 'EA', documentRef: 'PO-9' })],
      NO_UOM,
    );
    expect(grouped.rejected).toEqual([
      {
        source: 'finance',
        file: 'finance.csv',
        line: kg.line,
        field: 'uom',
        reason: 'unit KG cannot be converted to EA for KG-4',
        documentRef: 'PO-8',
      },
    ]);
    // The rejected line is in no group and no item total; the rest is grouped.
    expect(grouped.groups.map(groupKey)).toEqual(['WH-01|KG-4|PO-9']);
    expect(grouped.items.get('KG-4')?.unit).toBe('EA');
    expect(itemTotals(grouped.items.get('KG-4') ?? emptyItem()).quantity).toBe(d('10'));
  });

  it('rejects a WMS event in a unit that cannot become the item unit, and makes no group of it alone', () => {
    const odd = movement({ id: 'E2', uom: 'PALLET', documentRef: 'TO-2' });
    const grouped = groupRecords(
      [movement({ id: 'E1', uom: 'EA' }), movement({ id: 'E3', uom: 'EA' }), odd],
      [],
      NO_UOM,
    );
    expect(grouped.rejected.map((r) => [r.source, r.line, r.field, r.reason, r.documentRef])).toEqual([
      ['wms', odd.line, 'uom', 'unit PALLET cannot be converted to EA for SKU-1', 'TO-2'],
    ]);
    expect(grouped.groups.map(groupKey)).toEqual(['WH-01|SKU-1|PO-1']);
  });

  it('with financeUnitWithoutEvents, compares a finance-only item in its own unit when it does not convert to EA', () => {
    const grouped = groupRecords(
      [],
      [
        entry({ id: 'F1', sku: 'KG-4', uom: 'KG', quantity: '2.5' }),
        entry({ id: 'F2', sku: 'KG-4', uom: 'KG', quantity: '1' }),
        entry({ id: 'F3', sku: 'KG-4', uom: 'G', quantity: '250' }),
      ],
      uom(['KG-4', 'KG', 'G', '1000']),
      { financeUnitWithoutEvents: true },
    );
    expect(grouped.rejected).toEqual([]);
    expect(grouped.items.get('KG-4')?.unit).toBe('KG');
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:2.5', 'F2:1', 'F3:0.25']);
  });

  it('with financeUnitWithoutEvents, keeps EA for a finance-only item whose every line converts to EA', () => {
    const grouped = groupRecords(
      [],
      [entry({ id: 'F1', uom: 'BOX', quantity: '2' }), entry({ id: 'F2', uom: 'BOX', quantity: '1' })],
      uom(['SKU-1', 'BOX', 'EA', '12']),
      { financeUnitWithoutEvents: true },
    );
    expect(grouped.items.get('SKU-1')?.unit).toBe('EA');
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:24', 'F2:12']);
  });

  it('with financeUnitWithoutEvents, still compares an item with WMS events in its WMS unit', () => {
    const grouped = groupRecords(
      [movement({ id: 'E1', sku: 'KG-4', uom: 'EA' })],
      [entry({ id: 'F1', sku: 'KG-4', uom: 'KG' })],
      NO_UOM,
      { financeUnitWithoutEvents: true },
    );
    expect(grouped.items.get('KG-4')?.unit).toBe('EA');
    expect(grouped.rejected.map((r) => r.reason)).toEqual(['unit KG cannot be converted to EA for KG-4']);
  });

  it("takes the caller's unit for an item it keeps figures of, over the unit its records would give", () => {
    const periods = new Map([['2026-10', { quantity: d('7'), amount: d('70') }]]);
    const grouped = groupRecords(
      [movement({ id: 'E1', uom: 'EA', quantity: '24' })],
      [entry({ id: 'F1', uom: 'EA', quantity: '12' })],
      uom(['SKU-1', 'BOX', 'EA', '12']),
      { items: new Map([['SKU-1', { unit: 'BOX', periods }]]) },
    );
    expect(lines(grouped.groups[0]?.movements)).toEqual(['E1:2']);
    expect(lines(grouped.groups[0]?.entries)).toEqual(['F1:1']);
    const item = grouped.items.get('SKU-1') ?? emptyItem();
    expect(item.unit).toBe('BOX');
    // The kept figures answer for the period, not the one line in hand.
    expect(itemPeriodTotals(item, '2026-10', () => '2026-10')).toEqual({ quantity: d('7'), amount: d('70') });
  });
});

describe('the cut-off (`before`)', () => {
  const cutOff = Date.parse('2026-11-01T00:00:00Z');

  it('leaves out records dated at or after the cut-off and counts them per source', () => {
    const grouped = groupRecords(
      [
        movement({ id: 'E1', at: '2026-10-31T23:59:59.999Z' }),
        movement({ id: 'E2', at: '2026-11-01T00:00:00.000Z', documentRef: 'PO-2' }),
      ],
      [
        entry({ id: 'F1', at: '2026-11-01T00:00:00.000Z' }),
        entry({ id: 'F2', at: '2026-11-20T00:00:00.000Z' }),
        entry({ id: 'F3', at: '2026-10-01T00:00:00.000Z' }),
      ],
      NO_UOM,
      { before: cutOff },
    );
    expect(grouped.afterCutOff).toEqual({ wms: 1, finance: 2 });
    expect(grouped.groups.map((g) => [groupKey(g), lines(g.movements), lines(g.entries)])).toEqual([
      ['WH-01|SKU-1|PO-1', ['E1:10'], ['F3:10']],
    ]);
    expect(itemTotals(grouped.items.get('SKU-1') ?? emptyItem())).toEqual({
      quantity: d('10'),
      amount: d('1000'),
    });
  });

  it('de-duplicates first: the first of one id wins even when it is dated after the cut-off', () => {
    const late = movement({ id: 'E1', at: '2026-11-02T00:00:00Z' });
    const early = { ...movement({ id: 'E1', at: '2026-10-02T00:00:00Z' }), line: 77 };
    const grouped = groupRecords([late, early], [], NO_UOM, { before: cutOff });
    expect(grouped.groups).toEqual([]);
    expect(grouped.afterCutOff.wms).toBe(1);
    expect(grouped.conflicts.map((c) => [c.id, c.line, c.firstLine])).toEqual([['E1', 77, late.line]]);
  });

  it('counts a late record retried once as one duplicate and one record after the cut-off', () => {
    const late = entry({ id: 'F1', at: '2026-11-02T00:00:00Z' });
    const grouped = groupRecords([], [late, { ...late, line: 300 }], NO_UOM, { before: cutOff });
    expect(grouped.duplicates.finance).toBe(1);
    expect(grouped.afterCutOff.finance).toBe(1);
    expect(grouped.items.size).toBe(0);
  });

  it('leaves nothing out without a cut-off', () => {
    const grouped = groupRecords([movement({ at: '2099-01-01T00:00:00Z' })], [], NO_UOM);
    expect(grouped.afterCutOff).toEqual({ wms: 0, finance: 0 });
    expect(grouped.groups).toHaveLength(1);
  });
});

describe('items and their finance totals', () => {
  it('gathers every finance line of an item across warehouses and documents, summed exactly', () => {
    const grouped = groupRecords(
      [movement({ id: 'E1', sku: 'SKU-5' })],
      [
        entry({ id: 'F1', warehouseId: 'WH-01', documentRef: 'PO-1', quantity: '0.1', amount: '0.10' }),
        entry({ id: 'F2', warehouseId: 'WH-02', documentRef: 'PO-2', quantity: '0.2', amount: '0.20' }),
        entry({ id: 'F3', warehouseId: 'WH-02', documentRef: 'PO-3', quantity: '-0.3', amount: '-0.29' }),
      ],
      NO_UOM,
    );
    const item = grouped.items.get('SKU-1') ?? emptyItem();
    expect(item.entries.map((l) => l.record.id)).toEqual(['F1', 'F2', 'F3']);
    expect(itemTotals(item)).toEqual({ quantity: 0n, amount: d('0.01') });
    // An item with WMS events only is known too, in its unit, with nothing booked.
    expect(grouped.items.get('SKU-5')).toMatchObject({ unit: 'EA', entries: [] });
    expect(itemTotals(grouped.items.get('SKU-5') ?? emptyItem())).toEqual({ quantity: 0n, amount: 0n });
  });

  it('sums the amounts and the converted quantities, not the quantities as booked', () => {
    const grouped = groupRecords(
      [movement({ uom: 'EA' })],
      [
        entry({ uom: 'BOX', quantity: '1', amount: '120' }),
        entry({ uom: 'EA', quantity: '6', amount: '60' }),
      ],
      uom(['SKU-1', 'BOX', 'EA', '12']),
    );
    expect(itemTotals(grouped.items.get('SKU-1') ?? emptyItem())).toEqual({
      quantity: d('18'),
      amount: d('180'),
    });
  });

  it('makes the totals once and keeps them', () => {
    const item =
      groupRecords([], [entry({ quantity: '3', amount: '30' })], NO_UOM).items.get('SKU-1') ?? emptyItem();
    const first = itemTotals(item);
    expect(itemTotals(item)).toBe(first);
  });

  it('sums per period of the posting in the zone, the month edge at local midnight', () => {
    const shanghai = new ZoneClock('Asia/Shanghai');
    const grouped = groupRecords(
      [],
      [
        // 23:59:59.999 on 31 October in Shanghai.
        entry({ id: 'F1', quantity: '0.1', amount: '0.01', at: '2026-10-31T15:59:59.999Z' }),
        entry({ id: 'F2', quantity: '0.2', amount: '0.02', at: '2026-10-01T00:00:00Z' }),
        // Midnight of 1 November in Shanghai, still 31 October in UTC.
        entry({ id: 'F3', quantity: '5', amount: '-7.5', at: '2026-10-31T16:00:00Z' }),
      ],
      NO_UOM,
    );
    const item = grouped.items.get('SKU-1') ?? emptyItem();
    const periodOf = (at: number) => shanghai.periodOf(at);
    expect(periodTotals(item.entries, periodOf)).toEqual(
      new Map([
        ['2026-10', { quantity: d('0.3'), amount: d('0.03') }],
        ['2026-11', { quantity: d('5'), amount: d('-7.5') }],
      ]),
    );
    expect(itemPeriodTotals(item, '2026-11', periodOf)).toEqual({ quantity: d('5'), amount: d('-7.5') });
    expect(itemPeriodTotals(item, '2026-09', periodOf)).toBeUndefined();
    // The per-period sums are fresh objects: summing never writes into a record's line.
    expect(item.entries.map((l) => formatDecimal(l.quantity))).toEqual(['0.1', '0.2', '5']);
  });

  it('starts an item empty, in EA unless told', () => {
    expect(emptyItem()).toEqual({ unit: 'EA', entries: [], totals: undefined, periods: undefined });
    expect(emptyItem('KG').unit).toBe('KG');
  });
});

// Invariants: the grouping depends on the set of records, not their order or how often a retry arrived.

const SKUS = ['SKU-1', 'SKU-2', 'KG-4'];
const UNITS = ['EA', 'BOX', 'KG'];
const TABLE = uom(['*', 'BOX', 'EA', '12'], ['SKU-2', 'KG', 'EA', '0.25']);
const DAYS = [
  '2026-09-30T20:00:00Z',
  '2026-10-15T08:00:00Z',
  '2026-10-31T23:59:59.999Z',
  '2026-11-01T00:00:00Z',
];

const recordSpec = fc.record({
  wms: fc.boolean(),
  warehouseId: fc.constantFrom('WH-01', 'WH-02'),
  sku: fc.constantFrom(...SKUS),
  documentRef: fc.constantFrom('PO-1', 'PO-2', 'SO-3'),
  uom: fc.constantFrom(...UNITS),
  quantity: fc.integer({ min: -500, max: 500 }).map((n) => formatDecimal(BigInt(n) * 10_000n)),
  amount: fc.integer({ min: -100_000, max: 100_000 }).map((c) => formatDecimal(BigInt(c) * 10_000n)),
  at: fc.constantFrom(...DAYS),
});

let ids = 0;
const records = fc.array(recordSpec, { maxLength: 25 }).map((specs) => {
  const movements: Movement[] = [];
  const entries: Entry[] = [];
  for (const s of specs) {
    if (s.wms) movements.push(movement({ ...s, id: `E${++ids}` }));
    else entries.push(entry({ ...s, id: `F${++ids}` }));
  }
  return { movements, entries };
});

const options: fc.Arbitrary<GroupOptions> = fc.record({
  before: fc.option(fc.constant(Date.parse('2026-11-01T00:00:00Z')), { nil: undefined }),
  financeUnitWithoutEvents: fc.boolean(),
});

/** What grouping decides, with arrival order and physical origin taken out. */
function shape(g: Grouped): unknown {
  const sorted = (xs: string[]) => [...xs].sort();
  return {
    groups: sorted(
      g.groups.map(
        (x) =>
          `${groupKey(x)} wms[${sorted(lines(x.movements)).join()}] fin[${sorted(lines(x.entries)).join()}]`,
      ),
    ),
    items: sorted(
      [...g.items].map(([sku, item]) => {
        const t = itemTotals(item);
        return `${sku} ${item.unit} ${formatDecimal(t.quantity)} ${formatDecimal(t.amount)} ${item.entries.length}`;
      }),
    ),
    rejected: sorted(g.rejected.map((r) => `${r.source} ${r.documentRef ?? ''} ${r.reason}`)),
    afterCutOff: g.afterCutOff,
    conflicts: g.conflicts.length,
  };
}

describe('grouping invariants', () => {
  it('does not depend on the order records arrive in', () => {
    const shuffled = records.chain((set) =>
      fc.tuple(
        fc.constant(set),
        fc.shuffledSubarray(set.movements, { minLength: set.movements.length }),
        fc.shuffledSubarray(set.entries, { minLength: set.entries.length }),
      ),
    );
    fc.assert(
      fc.property(shuffled, options, ([set, movements, entries], opts) => {
        const before = groupRecords(set.movements, set.entries, TABLE, opts);
        const after = groupRecords(movements, entries, TABLE, opts);
        expect(shape(after)).toEqual(shape(before));
        expect(after.duplicates).toEqual(before.duplicates);
      }),
    );
  });

  it('does not change when retried rows arrive again, from anywhere; only the duplicate count grows', () => {
    fc.assert(
      fc.property(
        records,
        options,
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
        (set, opts, retries) => {
          const all: (Movement | Entry)[] = [...set.movements, ...set.entries];
          fc.pre(all.length > 0);
          const movements = [...set.movements];
          const entries = [...set.entries];
          const added = { wms: 0, finance: 0 };
          for (const [which, where] of retries) {
            const original = all[which % all.length];
            if (original === undefined) continue;
            const retry = { ...original, file: 'retry.ndjson', line: 10_000 + where };
            if (retry.source === 'wms') movements.splice(where % (movements.length + 1), 0, retry);
            else entries.splice(where % (entries.length + 1), 0, retry);
            added[original.source]++;
          }
          const once = groupRecords(set.movements, set.entries, TABLE, opts);
          const again = groupRecords(movements, entries, TABLE, opts);
          expect(shape(again)).toEqual(shape(once));
          expect(again.duplicates).toEqual({
            wms: once.duplicates.wms + added.wms,
            finance: once.duplicates.finance + added.finance,
          });
        },
      ),
    );
  });
});
