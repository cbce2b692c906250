import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodeMap, loadCodesCsv } from '../../../lib/core/records/code-map.js';
import { TableHeaderError } from '../../../lib/core/records/table-text.js';
import { entry, kinds, movement, run } from '../factories.js';

// Unified codes (统一编码): the code mapping table read, refused when it maps one code two ways, and
// applied to records so that the two sides meet under one code before grouping.

const HEADER = 'kind,source,from,to';

function load(rows: string[]) {
  return loadCodesCsv([HEADER, ...rows].join('\n'), 'codes.csv');
}

describe('loadCodesCsv', () => {
  it('reads sku and warehouse rows per source', () => {
    const loaded = load([
      'sku,finance,MAT-1001,SKU-1',
      'warehouse,finance,1000,WH-01',
      'sku,wms,sku-1,SKU-1',
    ]);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.rejected).toEqual([]);
    expect(loaded.table.size).toBe(3);
    expect(loaded.table.code('finance', 'sku', 'MAT-1001')).toBe('SKU-1');
    expect(loaded.table.code('finance', 'warehouse', '1000')).toBe('WH-01');
    // A mapping is per source: the WMS's MAT-1001 is another code.
    expect(loaded.table.code('wms', 'sku', 'MAT-1001')).toBe('MAT-1001');
  });

  it('refuses a table that maps one code two ways, naming both rows', () => {
    const loaded = load(['sku,finance,MAT-1001,SKU-1', 'sku,wms,X,Y', 'sku,finance,MAT-1001,SKU-2']);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.reason).toBe(
      'codes.csv: finance sku "MAT-1001" is mapped two ways, to "SKU-1" at line 2 and to "SKU-2" at line 4; the code table is refused (one code, one meaning)',
    );
    expect(loaded.clashes).toEqual([
      {
        kind: 'sku',
        source: 'finance',
        from: 'MAT-1001',
        first: { line: 2, to: 'SKU-1' },
        second: { line: 4, to: 'SKU-2' },
      },
    ]);
  });

  it('takes a row repeated with the same target as one, and one code mapped per source or kind alike', () => {
    const loaded = load([
      'sku,finance,A,SKU-1',
      'sku,finance,A,SKU-1',
      'sku,wms,A,SKU-9',
      'warehouse,finance,A,WH-1',
    ]);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.rows.map((r) => r.line)).toEqual([2, 4, 5]);
  });

  it('rejects malformed rows with field and reason and keeps the rest', () => {
    const loaded = load([
      'item,finance,A,B',
      'sku,erp,A,B',
      'sku,finance,,B',
      `sku,finance,A,${'x'.repeat(129)}`,
      'sku,finance,A,B,extra',
      'sku,finance,GOOD,SKU-1',
    ]);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.rows).toEqual([{ kind: 'sku', source: 'finance', from: 'GOOD', to: 'SKU-1', line: 7 }]);
    expect(loaded.rejected.map((r) => [r.line, r.field, r.reason])).toEqual([
      [2, 'kind', 'kind must be sku or warehouse: "item"'],
      [3, 'source', 'source must be wms or finance: "erp"'],
      [4, 'from', 'from is empty'],
      [5, 'to', 'to is 129 characters long; at most 128'],
      [6, undefined, 'has 5 fields, the header has 4'],
    ]);
  });

  it('refuses a file whose header lacks a column', () => {
    expect(() => loadCodesCsv('kind,source,from\nsku,wms,A', 'codes.csv')).toThrow(TableHeaderError);
  });
});

describe('CodeMap.apply', () => {
  const codes = new CodeMap([
    { kind: 'sku', source: 'finance', from: 'MAT-1001', to: 'SKU-1' },
    { kind: 'warehouse', source: 'finance', from: '1000', to: 'WH-01' },
    { kind: 'sku', source: 'finance', from: 'SKU-1', to: 'SKU-7' },
  ]);

  it('rewrites the codes of its source, once (not transitively)', () => {
    const e = codes.apply(entry({ sku: 'MAT-1001', warehouseId: '1000' }));
    expect([e.sku, e.warehouseId]).toEqual(['SKU-1', 'WH-01']);
  });

  it('passes a code without a row, and a record of the other source, unchanged (the same object)', () => {
    const e = entry({ sku: 'MAT-2', warehouseId: 'WH-02' });
    expect(codes.apply(e)).toBe(e);
    const m = movement({ sku: 'MAT-1001', warehouseId: '1000' });
    expect(codes.apply(m)).toBe(m);
  });

  it('never changes a record through an empty table (property)', () => {
    const empty = new CodeMap();
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (sku, warehouseId) => {
        const e = entry({ sku, warehouseId });
        return empty.apply(e) === e;
      }),
    );
  });

  it('lets a finance material number meet the WMS sku in one group', () => {
    const m = movement({ sku: 'SKU-1', quantity: '10', unitCost: '100' });
    const e = entry({ sku: 'MAT-1001', warehouseId: '1000', quantity: '10', amount: '1000' });
    // Unmapped: two one-sided groups; mapped: one agreeing group.
    expect(kinds(run([m], [e])).sort()).toEqual(['MISSING_IN_FINANCE', 'MISSING_IN_WMS']);
    expect(run([m], [codes.apply(e)]).discrepancies).toEqual([]);
  });
});
