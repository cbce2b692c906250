import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS, SEVERITIES } from '../../../lib/core/reconcile/discrepancy.js';
import { AGE_BUCKETS } from '../../../lib/core/runs/run-events.js';
import { HeatTally, type HeatInput } from '../../../lib/core/runs/run-heat-map.js';

const input = fc.record<HeatInput>({
  warehouseId: fc.constantFrom('WH-01', '上海仓', 'B|2'),
  kind: fc.constantFrom(...KINDS),
  ageBucket: fc.constantFrom(...AGE_BUCKETS),
  severity: fc.constantFrom(...SEVERITIES),
  moneyAtStake: fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 99 }))
    .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`),
  firstSeen: fc
    .integer({ min: 0, max: 400 })
    .map((days) => new Date(Date.parse('2026-11-02T00:00:00Z') - days * 86_400_000).toISOString()),
});

const tallyOf = (items: readonly HeatInput[]) => items.reduce((t, d) => t.add(d), new HeatTally());

describe('HeatTally', () => {
  it('sums a cell exactly, past what a double holds', () => {
    const cell = {
      warehouseId: 'WH-01',
      kind: 'AMOUNT_MISMATCH',
      ageBucket: '0-1',
      firstSeen: '2026-11-01T00:00:00.000Z',
    } as const;
    const heat = tallyOf([
      { ...cell, severity: 'RED', moneyAtStake: '90071992547409.93' },
      { ...cell, severity: 'RED', moneyAtStake: '0.01' },
      { ...cell, severity: 'GREEN', moneyAtStake: '0.10' },
    ]).toJson();

    expect(heat.byKind).toEqual([
      {
        warehouseId: 'WH-01',
        kind: 'AMOUNT_MISMATCH',
        count: 3,
        moneyAtStake: '90071992547410.04',
        bySeverity: {
          RED: { count: 2, moneyAtStake: '90071992547409.94' },
          YELLOW: { count: 0, moneyAtStake: '0.00' },
          GREEN: { count: 1, moneyAtStake: '0.10' },
        },
      },
    ]);
    expect(heat.open.RED).toEqual({
      count: 2,
      moneyAtStake: '90071992547409.94',
      oldestFirstSeen: cell.firstSeen,
    });
    expect(heat.open.YELLOW).toEqual({ count: 0, moneyAtStake: '0.00', oldestFirstSeen: null });
  });

  it('gives the same aggregates however the discrepancies are split into partitions and merged', () => {
    fc.assert(
      fc.property(
        fc.array(input, { maxLength: 60 }),
        fc.array(fc.nat(3), { maxLength: 60 }),
        (items, cuts) => {
          const parts: HeatInput[][] = [[], [], [], []];
          items.forEach((d, i) => parts[cuts[i] ?? 0]?.push(d));
          const merged = parts.reduce((t, p) => t.merge(tallyOf(p).toJson()), new HeatTally());

          expect(merged.toJson()).toEqual(tallyOf(items).toJson());
        },
      ),
    );
  });

  it('orders warehouses by money at stake, then by id, and cells by the contract’s kind order', () => {
    const at = { ageBucket: '0-1', severity: 'GREEN', firstSeen: '2026-11-01T00:00:00.000Z' } as const;
    const heat = tallyOf([
      { ...at, warehouseId: 'B', kind: 'AMOUNT_MISMATCH', moneyAtStake: '5' },
      { ...at, warehouseId: 'A', kind: 'AMOUNT_MISMATCH', moneyAtStake: '5' },
      { ...at, warehouseId: 'C', kind: 'AMOUNT_MISMATCH', moneyAtStake: '9' },
      { ...at, warehouseId: 'C', kind: 'MISSING_IN_WMS', moneyAtStake: '1' },
    ]).toJson();

    expect(heat.warehouses).toEqual(['C', 'A', 'B']);
    expect(heat.byKind.map((c) => `${c.warehouseId} ${c.kind}`)).toEqual([
      'C MISSING_IN_WMS',
      'C AMOUNT_MISMATCH',
      'A AMOUNT_MISMATCH',
      'B AMOUNT_MISMATCH',
    ]);
  });

  it('refuses an amount that is not a decimal rather than counting it as zero', () => {
    expect(() =>
      new HeatTally().add({
        warehouseId: 'W',
        kind: 'TIMING_LAG',
        ageBucket: '0-1',
        severity: 'GREEN',
        moneyAtStake: '1e3',
        firstSeen: '2026-11-01T00:00:00.000Z',
      }),
    ).toThrow(/bad amount/);
  });
});
