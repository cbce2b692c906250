import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseIdOf, groupKeyOf } from '../../../lib/core/cases/case-id.js';
import { groupKey, groupOfKey, keyParts } from '../../../lib/core/records/group-key.js';
import { movement, run } from '../factories.js';

// A group's key must name exactly one group, whatever text its parts hold.
describe('group keys', () => {
  it('keeps two groups apart when a | sits inside warehouseId or sku', () => {
    const one = { warehouseId: 'WH|1', sku: 'SKU', documentRef: 'DOC' };
    const two = { warehouseId: 'WH', sku: '1|SKU', documentRef: 'DOC' };
    const three = { warehouseId: 'WH', sku: '1', documentRef: 'SKU|DOC' };

    const keys = [one, two, three].map(groupKey);

    expect(new Set(keys).size).toBe(3);
    expect(keys.map(groupOfKey)).toEqual([one, two, three]);
    expect(new Set(keys.map(caseIdOf)).size).toBe(3);
  });

  it('gives each group of a reconciliation its own key when a | sits inside an id', () => {
    const result = run(
      [
        movement({ warehouseId: 'WH|1', sku: 'SKU', documentRef: 'DOC', at: '2026-10-01T00:00:00Z' }),
        movement({ warehouseId: 'WH', sku: '1|SKU', documentRef: 'DOC', at: '2026-10-01T00:00:00Z' }),
      ],
      [],
    );

    expect(result.discrepancies).toHaveLength(2);
    expect(new Set(result.discrepancies.map((x) => x.groupKey)).size).toBe(2);
    expect(result.discrepancies.map((x) => groupOfKey(x.groupKey)?.warehouseId).sort()).toEqual([
      'WH',
      'WH|1',
    ]);
  });

  it('leaves a key without | or \\ in its parts as it always was', () => {
    expect(groupKey({ warehouseId: 'WH-10', sku: 'SKU-00065', documentRef: 'DOC-0000153' })).toBe(
      'WH-10|SKU-00065|DOC-0000153',
    );
  });

  it('reads back every group from its key, and no two groups share one (any text)', () => {
    const part = fc.string({ unit: fc.constantFrom('|', '\\', 'a', '上', '/', ' ') });
    fc.assert(
      fc.property(part, part, part, (warehouseId, sku, documentRef) => {
        const key = groupKey({ warehouseId, sku, documentRef });
        expect(groupOfKey(key)).toEqual({ warehouseId, sku, documentRef });
        expect(groupKeyOf(caseIdOf(key))).toBe(key);
      }),
    );
  });

  it('refuses text that is no key: a dangling escape, or other than three parts', () => {
    expect(keyParts('a\\')).toBeUndefined();
    expect(keyParts('a\\b|c|d')).toBeUndefined();
    expect(groupOfKey('a|b')).toBeUndefined();
    expect(groupOfKey('a|b|c|d')).toBeUndefined();
    expect(groupKeyOf(caseIdOf('a|b'))).toBeUndefined();
  });
});
