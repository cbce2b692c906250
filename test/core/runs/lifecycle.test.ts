import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../../lib/core/reconcile/discrepancy.js';
import {
  advance,
  ageBucket,
  found,
  notFound,
  toGroupStatus,
  toRunDiscrepancy,
  type GroupStatus,
  type Lifecycle,
} from '../../../lib/core/runs/lifecycle.js';

const T0 = '2026-11-02T00:00:00.000Z';
const at = (hours: number): string => new Date(Date.parse(T0) + hours * 3_600_000).toISOString();

function discrepancy(documentRef: string, overrides: Partial<Discrepancy> = {}): Discrepancy {
  const warehouseId = overrides.warehouseId ?? 'WH-01';
  const sku = overrides.sku ?? 'SKU-1';
  return {
    groupKey: `${warehouseId}|${sku}|${documentRef}`,
    kind: 'TIMING_LAG',
    severity: 'GREEN',
    warehouseId,
    sku,
    documentRef,
    uom: 'EA',
    wmsQuantity: '10',
    financeQuantity: '0',
    quantityDelta: '-10',
    unitCost: '100',
    unitCostSource: 'wms',
    financeUnitCost: null,
    expectedAmount: '1000.00',
    financeAmount: '0.00',
    amountDelta: '-1000.00',
    moneyAtStake: '1000.00',
    wmsTypes: ['RECEIPT'],
    financeTypes: [],
    latestEventAt: T0,
    latestPostingAt: null,
    wmsPeriod: '2026-11',
    financePeriod: null,
    wmsEventIds: ['E1'],
    financeEntryIds: [],
    duplicateEntryIds: [],
    explanation: 'waiting for finance',
    explanationZh: '等待财务记账',
    rejectedRows: [],
    ...overrides,
  };
}

const open = (firstSeen: string, lastSeen = firstSeen, state: Lifecycle['state'] = 'NEW'): Lifecycle => ({
  state,
  firstSeen,
  lastSeen,
});

describe('age buckets', () => {
  it.each([
    [0, '0-1'],
    [47, '0-1'],
    [48, '2-7'],
    [7 * 24 + 23, '2-7'],
    [8 * 24, '8-30'],
    [30 * 24 + 23, '8-30'],
    [31 * 24, '>30'],
  ])('%i hours after firstSeen is %s', (hours, bucket) => {
    expect(ageBucket(T0, at(hours))).toBe(bucket);
  });

  it('never goes negative for a run dated before firstSeen', () => {
    expect(ageBucket(T0, at(-100))).toBe('0-1');
  });
});

describe('a group found by a run', () => {
  it('opens as NEW when never seen', () => {
    expect(found(undefined, T0)).toEqual({ state: 'NEW', firstSeen: T0, lastSeen: T0 });
  });

  it('stays NEW within its first day: a second run changes nothing but lastSeen', () => {
    expect(found(open(T0), at(0.25))).toEqual({ state: 'NEW', firstSeen: T0, lastSeen: at(0.25) });
  });

  it('turns PERSISTING once a day has passed since firstSeen', () => {
    expect(found(open(T0, at(12)), at(24))).toEqual({ state: 'PERSISTING', firstSeen: T0, lastSeen: at(24) });
    expect(found(open(T0, at(30), 'PERSISTING'), at(60)).state).toBe('PERSISTING');
  });

  it('opens again as NEW with a fresh firstSeen after it was resolved', () => {
    const resolved: Lifecycle = { state: 'RESOLVED', firstSeen: T0, lastSeen: at(5), resolvedAt: at(6) };
    expect(found(resolved, at(100))).toEqual({ state: 'NEW', firstSeen: at(100), lastSeen: at(100) });
  });

  it('keeps the widest span when a back-dated run finds it', () => {
    expect(found(open(at(10), at(20)), at(2))).toEqual({ state: 'NEW', firstSeen: at(2), lastSeen: at(20) });
  });
});

describe('a group not found by a run that covers it', () => {
  it('turns RESOLVED, keeping firstSeen and lastSeen and noting when', () => {
    expect(notFound(open(T0, at(3)), at(4))).toEqual({
      state: 'RESOLVED',
      firstSeen: T0,
      lastSeen: at(3),
      resolvedAt: at(4),
    });
  });

  it('changes nothing when it was already resolved or never seen', () => {
    expect(
      notFound({ state: 'RESOLVED', firstSeen: T0, lastSeen: T0, resolvedAt: at(1) }, at(5)),
    ).toBeUndefined();
    expect(notFound(undefined, at(5))).toBeUndefined();
  });

  it('is not resolved by a run dated before it was last seen', () => {
    expect(notFound(open(T0, at(10)), at(5))).toBeUndefined();
  });
});

describe('advancing one partition', () => {
  const lag = discrepancy('PO-1');
  const other = discrepancy('PO-2', { warehouseId: 'WH-02' });
  const before = new Map<string, GroupStatus>([
    [lag.groupKey, { lifecycle: open(T0), discrepancy: lag }],
    [other.groupKey, { lifecycle: open(T0), discrepancy: other }],
  ]);

  it('resolves a TIMING_LAG the run no longer finds, and moves the one it finds on', () => {
    const moves = advance(before, [other], () => true, at(1));
    expect(moves.map((m) => [m.groupKey, m.next.lifecycle.state])).toEqual([
      [other.groupKey, 'NEW'],
      [lag.groupKey, 'RESOLVED'],
    ]);
    expect(moves.find((m) => m.groupKey === lag.groupKey)?.next.discrepancy).toBe(lag);
  });

  it('leaves groups outside the scope alone', () => {
    const moves = advance(before, [], (d) => d.warehouseId === 'WH-01', at(1));
    expect(moves.map((m) => m.groupKey)).toEqual([lag.groupKey]);
  });

  it('keeps what was known before as the prior of each move', () => {
    const fresh = discrepancy('PO-9');
    const moves = advance(before, [fresh, lag], () => true, at(1));
    expect(moves.find((m) => m.groupKey === fresh.groupKey)?.prior).toBeUndefined();
    expect(moves.find((m) => m.groupKey === lag.groupKey)?.prior).toBe(before.get(lag.groupKey));
  });
});

describe('the shown form', () => {
  it('round-trips a group status through the API object', () => {
    const status: GroupStatus = {
      lifecycle: { state: 'RESOLVED', firstSeen: T0, lastSeen: at(1), resolvedAt: at(2) },
      discrepancy: discrepancy('PO-1'),
    };
    const shown = toRunDiscrepancy(status, at(200));
    expect(shown).toMatchObject({
      state: 'RESOLVED',
      ageBucket: '8-30',
      resolvedAt: at(2),
      kind: 'TIMING_LAG',
    });
    expect(toGroupStatus(shown)).toEqual(status);
  });
});
