// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunHeatMap } from '../src/api.js';
import { setLanguage } from '../src/i18n.js';
import { heatLegend, heatSeries, heatTotals, legendView } from '../src/views/heatmap.js';

afterEach(() => setLanguage('zh'));

const none = { count: 0, moneyAtStake: '0' };
const cell = (warehouseId: string, kind: string, count: number, moneyAtStake: string) => ({
  warehouseId,
  kind,
  count,
  moneyAtStake,
  bySeverity: { RED: { count, moneyAtStake }, YELLOW: none, GREEN: none },
});

/** Two warehouses by two kinds, three cells, money from cents to millions. */
const HEAT = {
  runId: 'close-1',
  asOf: '2026-11-02T00:00:00.000Z',
  warehouses: ['WH-01', 'WH-02'],
  kinds: ['MISSING_IN_FINANCE', 'AMOUNT_MISMATCH'],
  ageBuckets: [],
  byKind: [
    cell('WH-01', 'MISSING_IN_FINANCE', 3, '2345678.10'),
    cell('WH-01', 'AMOUNT_MISMATCH', 2, '0.20'),
    cell('WH-02', 'AMOUNT_MISMATCH', 5, '0.10'),
  ],
  byAge: [],
  open: {
    RED: { ...none, oldestFirstSeen: null },
    YELLOW: { ...none, oldestFirstSeen: null },
    GREEN: { ...none, oldestFirstSeen: null },
  },
} as unknown as RunHeatMap;

describe('the heat map’s scale and totals', () => {
  const series = heatSeries(HEAT, HEAT.byKind, HEAT.kinds, (c) => c.kind);

  it('gives the colour scale numbers: five shades, each with the money it stands for', () => {
    expect(heatLegend(series.max).map((p) => p.label)).toEqual([
      '低于 1,000',
      '1,000 – 10,000',
      '10,000 – 100,000',
      '100,000 – 1,000,000',
      '1,000,000 及以上',
    ]);
    // Small amounts only: the scale never goes below 1.
    expect(heatLegend(0.5).map((p) => p.label)[0]).toBe('低于 1');
    const el = document.createElement('div');
    render(legendView(series.max), el);
    expect(el.querySelectorAll('[data-test="heat-legend"] .swatch').length).toBe(5);
  });

  it('totals each warehouse and each column exactly, and everything', () => {
    const totals = heatTotals(series);
    expect(totals.rows).toEqual([
      { count: 5, moneyAtStake: '2345678.3' },
      { count: 5, moneyAtStake: '0.1' },
    ]);
    expect(totals.columns).toEqual([
      { count: 3, moneyAtStake: '2345678.1' },
      { count: 7, moneyAtStake: '0.3' },
    ]);
    expect(totals.all).toEqual({ count: 10, moneyAtStake: '2345678.4' });
  });
});
