import { describe, expect, it } from 'vitest';
import { applyLinks, linkedKeys, type GroupLink } from '../../../lib/core/diagnosis/group-links.js';
import { entry, movement, run } from '../factories.js';

// A link maps the finance group's key onto the WMS group's before grouping (CONTRACT §11).

const link: GroupLink = {
  warehouseId: 'WH-01',
  from: { sku: 'SKU-1', documentRef: 'PO-10243' },
  to: { sku: 'SKU-1', documentRef: 'PO-10234' },
};

describe('applyLinks', () => {
  it('makes the two one-sided groups one group that agrees', () => {
    const movements = [movement({ documentRef: 'PO-10234' })];
    const entries = [entry({ documentRef: 'PO-10243' }), entry({ documentRef: 'PO-7' })];
    expect(run(movements, entries).discrepancies.map((d) => d.kind)).toEqual([
      'MISSING_IN_FINANCE',
      'MISSING_IN_WMS',
      'MISSING_IN_WMS',
    ]);
    const moved = applyLinks(entries, [link]);
    expect(moved.map((e) => e.documentRef)).toEqual(['PO-10234', 'PO-7']);
    expect(moved[1]).toBe(entries[1]);
    expect(run(movements, [...moved]).discrepancies.map((d) => d.groupKey)).toEqual(['WH-01|SKU-1|PO-7']);
  });

  it('moves nothing of another warehouse or sku, and nothing without links', () => {
    const entries = [
      entry({ documentRef: 'PO-10243', warehouseId: 'WH-02' }),
      entry({ documentRef: 'PO-10243', sku: 'SKU-2' }),
    ];
    expect(applyLinks(entries, [link])).toEqual(entries);
    expect(applyLinks(entries, [])).toBe(entries);
    expect([...linkedKeys([link])]).toEqual(['WH-01|SKU-1|PO-10243', 'WH-01|SKU-1|PO-10234']);
  });
});
