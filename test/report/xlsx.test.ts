import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatMoney, parseDecimal } from '../../lib/core/shared/decimal.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { readDiscrepancyArray } from '../../lib/report/discrepancy-file.js';
import { writeReports } from '../../lib/report/write-reports.js';
import { SHEETS } from '../../lib/report/xlsx.js';
import { discrepancy, reconcileSample, summaryOf, tmp } from './factories.js';

async function reopen(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

/** The header cell of `sheet` whose text starts with `label`: its column number. */
function column(sheet: ExcelJS.Worksheet, label: string): number {
  let found = 0;
  sheet.getRow(1).eachCell((cell, n) => {
    if (String(cell.value).startsWith(label)) found = n;
  });
  if (found === 0) throw new Error(`no column ${label}`);
  return found;
}

/** The exact sum of a money column, each cell read back at its two places. */
function sumColumn(sheet: ExcelJS.Worksheet, col: number): string {
  let total = 0n;
  for (let r = 2; r <= sheet.rowCount; r++) {
    const value = sheet.getRow(r).getCell(col).value;
    if (typeof value !== 'number') throw new Error(`row ${r}: ${String(value)} is not a number`);
    const parsed = parseDecimal(value.toFixed(2));
    if (!parsed.ok) throw new Error(parsed.reason);
    total += parsed.value;
  }
  return formatMoney(total);
}

async function writeXlsx(list: readonly Discrepancy[]): Promise<ExcelJS.Workbook> {
  const written = await writeReports({
    outDir: tmp(),
    summary: summaryOf(list),
    discrepancies: list,
    pdf: false,
    xlsx: true,
  });
  return reopen(written.xlsx!.path);
}

describe('the XLSX report', () => {
  it('has the summary, discrepancy and rejected-row sheets, each with a frozen header and filters', async () => {
    const workbook = await writeXlsx([discrepancy(), discrepancy()]);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '汇总 Summary',
      '差异明细 Discrepancies',
      '拒收行 Rejected rows',
    ]);
    for (const sheet of workbook.worksheets) {
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    }
    const detail = workbook.getWorksheet(SHEETS.discrepancies)!;
    expect(detail.autoFilter).toBeDefined();
    expect(String(detail.getRow(1).getCell(1).value)).toBe('序号 #');
    expect(detail.rowCount).toBe(3);
    const rejected = workbook.getWorksheet(SHEETS.rejected)!;
    expect(rejected.getRow(2).values).toEqual([undefined, 'wms.csv', 7, 'sku', 'wms', 'missing sku']);
  });

  it('gives each discrepancy its Chinese explanation beside the English one (CONTRACT §11)', async () => {
    const workbook = await writeXlsx([discrepancy({ documentRef: 'DOC-9' })]);
    const detail = workbook.getWorksheet(SHEETS.discrepancies)!;
    const headers = (detail.getRow(1).values as unknown[]).map(String);
    const zh = headers.indexOf('中文说明 Explanation in Chinese');
    const en = headers.indexOf('说明 Explanation');
    expect(zh).toBeGreaterThan(0);
    expect(en).toBe(zh + 1);
    expect(String(detail.getRow(2).getCell(zh).value)).toMatch(/^单据 DOC-9 WMS 净数量 10 EA/);
    expect(String(detail.getRow(2).getCell(en).value)).toMatch(
      /^WMS net 10 EA but finance net 8 EA for DOC-9/,
    );
  });

  it('writes amounts as numbers in 0.00, quantities as numbers, ids as text', async () => {
    const d = discrepancy({
      warehouseId: 'WH-上海-02',
      sku: '00123',
      documentRef: '000456',
      wmsQuantity: '343.8',
      financeQuantity: '0',
      quantityDelta: '-343.8',
      financeAmount: '0.00',
      moneyAtStake: '15718.54',
      wmsEventIds: ['E1', 'E2'],
    });
    const detail = (await writeXlsx([d])).getWorksheet(SHEETS.discrepancies)!;
    const cell = (label: string) => detail.getRow(2).getCell(column(detail, label));
    for (const [label, value] of [
      ['仓库 Warehouse', 'WH-上海-02'],
      ['物料 SKU', '00123'],
      ['业务单据 Document', '000456'],
      ['WMS事件编号', 'E1 E2'],
    ] as const) {
      expect(cell(label).type, label).toBe(ExcelJS.ValueType.String);
      expect(cell(label).value, label).toBe(value);
    }
    expect(cell('WMS数量').type).toBe(ExcelJS.ValueType.Number);
    expect(cell('WMS数量').value).toBe(343.8);
    expect(cell('数量差').value).toBe(-343.8);
    for (const label of ['涉及金额', '财务金额', '预期金额', '金额差']) {
      expect(cell(label).type, label).toBe(ExcelJS.ValueType.Number);
      expect(cell(label).numFmt, label).toBe('0.00');
    }
    expect(cell('涉及金额').value).toBe(15718.54);
    expect(cell('最近WMS事件').type).toBe(ExcelJS.ValueType.Date);
    expect(cell('处理状态').value).toBe('待处理 open');
  });

  it('keeps a value a double cannot hold exactly as its text, and ordinary values as numbers', async () => {
    const huge = '123456789012345678.91';
    const d = discrepancy({
      financeAmount: huge,
      moneyAtStake: huge,
      wmsQuantity: '9007199254740993',
      amountDelta: '-15718.54',
    });
    const workbook = await writeXlsx([d]);
    const detail = workbook.getWorksheet(SHEETS.discrepancies)!;
    const cell = (label: string) => detail.getRow(2).getCell(column(detail, label));

    expect(cell('财务金额').value).toBe(huge);
    expect(cell('涉及金额').value).toBe(huge);
    expect(cell('WMS数量').value).toBe('9007199254740993');
    expect(cell('金额差').value).toBe(-15718.54);
    const summary = workbook.getWorksheet(SHEETS.summary)!;
    const totals: unknown[] = [];
    summary.eachRow((row) => totals.push(row.getCell(3).value));
    expect(totals).toContain(huge);
  });

  it('lists every discrepancy by severity, then money at stake, largest first, with its due day', async () => {
    const list = [
      discrepancy({ severity: 'GREEN', moneyAtStake: '99.00', documentRef: 'G' }),
      discrepancy({ severity: 'RED', moneyAtStake: '70000.00', documentRef: 'R2' }),
      discrepancy({ severity: 'YELLOW', moneyAtStake: '6000.00', documentRef: 'Y' }),
      discrepancy({ severity: 'RED', moneyAtStake: '90000.00', documentRef: 'R1' }),
    ];
    const detail = (await writeXlsx(list)).getWorksheet(SHEETS.discrepancies)!;
    const refs = [2, 3, 4, 5].map((r) => detail.getRow(r).getCell(column(detail, '业务单据')).value);
    expect(refs).toEqual(['R1', 'R2', 'Y', 'G']);
    // Found on the report's day (no lifecycle in a CLI run): RED due that same day.
    expect(detail.getRow(2).getCell(column(detail, '到期日')).value).toBe('2026-11-02');
    expect(detail.getRow(5).getCell(column(detail, '到期日')).value).toBe('2026-11-12');
  });

  it('leaves an unknown amount empty rather than zero', async () => {
    const d = discrepancy({ expectedAmount: null, amountDelta: null, unitCost: null });
    const detail = (await writeXlsx([d])).getWorksheet(SHEETS.discrepancies)!;
    expect(detail.getRow(2).getCell(column(detail, '预期金额')).value).toBeNull();
  });

  it('totals the public sample: the summary, the detail rows and the check formula agree', async () => {
    const { out, summary } = await reconcileSample();
    const written = await writeReports({
      outDir: out,
      summary,
      discrepancies: () => readDiscrepancyArray(join(out, 'discrepancies.json')),
      pdf: false,
      xlsx: true,
    });
    const workbook = await reopen(written.xlsx!.path);
    const detail = workbook.getWorksheet(SHEETS.discrepancies)!;
    expect(detail.rowCount).toBe(summary.discrepancies + 1);
    expect(sumColumn(detail, column(detail, '涉及金额'))).toBe(summary.moneyAtStake.total);

    const sheet = workbook.getWorksheet(SHEETS.summary)!;
    const rows = new Map<string, ExcelJS.Row>();
    sheet.eachRow((row) => rows.set(String(row.getCell(1).value), row));
    const count = rows.get('差异数 Discrepancies')!;
    expect(count.getCell(2).value).toBe(32);
    expect(count.getCell(3).value).toBe(5545700.08);
    expect(count.getCell(3).numFmt).toBe('0.00');
    expect(rows.get('红灯 RED')!.getCell(3).value).toBe(5259135.53);
    expect(rows.get('匹配率 Match rate')!.getCell(2).value).toBe(0.92);
    const check = rows.get('明细合计(公式) Detail sheet sum (formula)')!.getCell(3)
      .value as ExcelJS.CellFormulaValue;
    expect(check.formula).toBe(`SUM('差异明细 Discrepancies'!O2:O33)`);
    expect(check.result).toBe(5545700.08);
    const rejected = workbook.getWorksheet(SHEETS.rejected)!;
    expect(rejected.rowCount).toBe(summary.rejected.length + 1);
  });
});
