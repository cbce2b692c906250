import { describe, expect, it } from 'vitest';
import { csvOf, matchesSearch, readSet, sumOf } from '../src/list-set.js';

describe('the filtered set behind the list', () => {
  it('searches by document or sku, every word, case ignored', () => {
    const row = { documentRef: 'DOC-0000153', sku: 'SKU-00065' };
    expect(matchesSearch('doc-0000153', row)).toBe(true);
    expect(matchesSearch('00065', row)).toBe(true);
    expect(matchesSearch('153 sku-000', row)).toBe(true);
    expect(matchesSearch('DOC-0000154', row)).toBe(false);
    expect(matchesSearch('  ', row)).toBe(true);
  });

  it('sums decimal columns exactly, past what a double holds', () => {
    const rows = ['0.1', '0.2', '-0.3', '9007199254740993.01', '', 'n/a'];
    expect(sumOf(rows, (r) => r)).toBe('9007199254740993.01');
    expect(sumOf(['0.1', '0.2'], (r) => r)).toBe('0.3');
    expect(sumOf([], (r: string) => r)).toBe('0');
  });

  it('follows the cursor to the end, keeping only what the search accepts, and says when it stopped short', async () => {
    const pages = [
      { items: [1, 2, 3], cursor: 'a' },
      { items: [], cursor: 'b' },
      { items: [4, 5], cursor: null },
    ];
    const asked: (string | undefined)[] = [];
    const fetchPage = (limit: number, cursor: string | undefined) => {
      asked.push(cursor);
      expect(limit).toBe(1000);
      return Promise.resolve(pages[asked.length - 1] ?? { items: [], cursor: null });
    };
    expect(await readSet(fetchPage, (n) => n % 2 === 1)).toEqual({ rows: [1, 3, 5], complete: true });
    expect(asked).toEqual([undefined, 'a', 'b']);
    asked.length = 0;
    expect(await readSet(fetchPage, () => true, 3)).toEqual({ rows: [1, 2, 3], complete: false });
  });

  it('writes the CSV with its BOM, CRLF lines, quoting, and formula text neutralised', () => {
    const text = csvOf(
      [
        { header: '单据 Document', value: (r: { doc: string; money: string }) => r.doc },
        { header: '金额', value: (r: { doc: string; money: string }) => r.money },
      ],
      [
        { doc: '=HYPERLINK("x")', money: '-12.50' },
        { doc: 'DOC,1', money: '3' },
      ],
    );
    expect(text).toBe('\uFEFF单据 Document,金额\r\n"\'=HYPERLINK(""x"")",-12.50\r\n"DOC,1",3\r\n');
  });
});
