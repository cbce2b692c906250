import { describe, expect, it } from 'vitest';
import { cellRoute, parseRoute, routeHash, type Route } from '../src/routes.js';

describe('hash routes', () => {
  it.each<Route>([
    { view: 'overview' },
    { view: 'heatmap', run: 'close-20261102T000000Z-a8568939' },
    {
      view: 'list',
      run: 'r1',
      filters: { warehouseId: 'WH-上海/02', kind: 'TYPE_MISMATCH', age: '>30' },
      sort: 'stake-asc',
      cursors: ['c1', 'c2'],
    },
    { view: 'list', filters: {}, sort: 'stake-desc', cursors: [] },
    {
      view: 'list',
      run: 'r1',
      filters: { severity: 'RED' },
      sort: 'stake-desc',
      q: 'DOC-0000153 上海&',
      cursors: [],
    },
    { view: 'periods' },
    { view: 'detail', run: 'r1', groupKey: 'WH-上海-02|SKU/1|PO#7 & co' },
    { view: 'vouchers' },
    { view: 'vouchers', period: '2026-10', status: 'differs', warehouseId: 'WH-上海/02' },
  ])('round-trips %j through the address bar', (route) => {
    expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('opens a heat-map cell as exactly its filters, largest first, from the first page', () => {
    expect(routeHash(cellRoute('r1', 'WH-05', { kind: 'TYPE_MISMATCH' }))).toBe(
      '#/list?run=r1&kind=TYPE_MISMATCH&warehouseId=WH-05',
    );
    expect(parseRoute('#/list?run=r1&warehouseId=WH-05&age=8-30')).toEqual(
      cellRoute('r1', 'WH-05', { age: '8-30' }),
    );
  });

  it('falls back to the overview for an unknown or broken address', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'overview' });
    expect(parseRoute('#/d/r1/%E0%A4%A')).toEqual({ view: 'overview' });
  });
});
