import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parseDecimal } from '../core/shared/decimal.js';
import { KIND_ZH, SEVERITY_ZH, type Discrepancy } from '../core/reconcile/discrepancy.js';
import {
  kindLabel,
  LABELS,
  toDetailRow,
  WORKFLOW_STATUS,
  type Bilingual,
  type DetailRow,
  type ReportModel,
  type WorkflowLookup,
} from '../core/report/report-model.js';

/**
 * The report as a workbook, written with exceljs's streaming WorkbookWriter so rows go out as
 * they come: 汇总 Summary (the model's figures), 差异明细 Discrepancies (frozen header, auto
 * filter, amounts as numbers in 0.00, quantities as numbers, ids as text) and 拒收行 Rejected rows.
 */
export const SHEETS = {
  summary: '汇总 Summary',
  discrepancies: '差异明细 Discrepancies',
  rejected: '拒收行 Rejected rows',
} as const;

export interface XlsxOptions {
  workflow?: WorkflowLookup | undefined;
}

const MONEY = '0.00';
const QUANTITY = '0.######';
const TEXT = '@';
const WHEN = 'yyyy-mm-dd hh:mm:ss';

const title = (label: Bilingual): string => `${label.zh} ${label.en}`;

/**
 * An exact decimal string as the number Excel stores, when a double holds it exactly (Excel keeps
 * 15 significant digits); past that, the text itself, so no amount is ever shown rounded. Null
 * stays an empty cell.
 */
function num(text: string | null): number | string | null {
  if (text === null) return null;
  const value = Number(text);
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length <= 15) return value;
  const back = parseDecimal(String(value));
  const exact = parseDecimal(text);
  return back.ok && exact.ok && back.value === exact.value ? value : text;
}

function instant(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

interface DetailColumn {
  header: string;
  key: string;
  width: number;
  format?: string;
  value: (r: DetailRow, n: number) => string | number | Date | null;
}

const DETAIL_COLUMNS: readonly DetailColumn[] = [
  { header: title(LABELS.rank), key: 'rank', width: 8, value: (_r, n) => n },
  {
    header: title(LABELS.severity),
    key: 'severity',
    width: 14,
    format: TEXT,
    value: (r) => `${SEVERITY_ZH[r.severity]} ${r.severity}`,
  },
  {
    header: title(LABELS.kind),
    key: 'kind',
    width: 34,
    format: TEXT,
    value: (r) => `${KIND_ZH[r.kind]} ${r.kind}`,
  },
  {
    header: title(LABELS.warehouse),
    key: 'warehouseId',
    width: 14,
    format: TEXT,
    value: (r) => r.warehouseId,
  },
  { header: title(LABELS.sku), key: 'sku', width: 14, format: TEXT, value: (r) => r.sku },
  {
    header: title(LABELS.document),
    key: 'documentRef',
    width: 16,
    format: TEXT,
    value: (r) => r.documentRef,
  },
  { header: title(LABELS.uom), key: 'uom', width: 8, format: TEXT, value: (r) => r.uom },
  {
    header: title(LABELS.wmsQuantity),
    key: 'wmsQuantity',
    width: 12,
    format: QUANTITY,
    value: (r) => num(r.wmsQuantity),
  },
  {
    header: title(LABELS.financeQuantity),
    key: 'financeQuantity',
    width: 12,
    format: QUANTITY,
    value: (r) => num(r.financeQuantity),
  },
  {
    header: title(LABELS.quantityDelta),
    key: 'quantityDelta',
    width: 12,
    format: QUANTITY,
    value: (r) => num(r.quantityDelta),
  },
  {
    header: title(LABELS.unitCost),
    key: 'unitCost',
    width: 12,
    format: '0.00####',
    value: (r) => num(r.unitCost),
  },
  {
    header: title(LABELS.expectedAmount),
    key: 'expectedAmount',
    width: 16,
    format: MONEY,
    value: (r) => num(r.expectedAmount),
  },
  {
    header: title(LABELS.financeAmount),
    key: 'financeAmount',
    width: 16,
    format: MONEY,
    value: (r) => num(r.financeAmount),
  },
  {
    header: title(LABELS.amountDelta),
    key: 'amountDelta',
    width: 16,
    format: MONEY,
    value: (r) => num(r.amountDelta),
  },
  {
    header: title(LABELS.moneyAtStake),
    key: 'moneyAtStake',
    width: 16,
    format: MONEY,
    value: (r) => num(r.moneyAtStake),
  },
  { header: title(LABELS.wmsTypes), key: 'wmsTypes', width: 22, format: TEXT, value: (r) => r.wmsTypes },
  {
    header: title(LABELS.financeTypes),
    key: 'financeTypes',
    width: 22,
    format: TEXT,
    value: (r) => r.financeTypes,
  },
  {
    header: title(LABELS.latestEventAt),
    key: 'latestEventAt',
    width: 20,
    format: WHEN,
    value: (r) => instant(r.latestEventAt),
  },
  {
    header: title(LABELS.latestPostingAt),
    key: 'latestPostingAt',
    width: 20,
    format: WHEN,
    value: (r) => instant(r.latestPostingAt),
  },
  {
    header: title(LABELS.wmsEventIds),
    key: 'wmsEventIds',
    width: 22,
    format: TEXT,
    value: (r) => r.wmsEventIds,
  },
  {
    header: title(LABELS.financeEntryIds),
    key: 'financeEntryIds',
    width: 22,
    format: TEXT,
    value: (r) => r.financeEntryIds,
  },
  {
    header: title(LABELS.explanation),
    key: 'explanation',
    width: 90,
    format: TEXT,
    value: (r) => r.explanation,
  },
  {
    header: title(LABELS.status),
    key: 'status',
    width: 14,
    format: TEXT,
    value: (r) => `${WORKFLOW_STATUS[r.workflow.status].zh} ${WORKFLOW_STATUS[r.workflow.status].en}`,
  },
  {
    header: title(LABELS.cause),
    key: 'cause',
    width: 20,
    format: TEXT,
    value: (r) => r.workflow.cause ?? '',
  },
  {
    header: title(LABELS.rectification),
    key: 'rectification',
    width: 20,
    format: TEXT,
    value: (r) => r.workflow.rectification ?? '',
  },
  {
    header: title(LABELS.owner),
    key: 'owner',
    width: 14,
    format: TEXT,
    value: (r) => r.workflow.owner ?? '',
  },
  { header: '分组键 Group key', key: 'groupKey', width: 36, format: TEXT, value: (r) => r.groupKey },
];

/** Column letter of the money at stake in the discrepancies sheet, for the summary's check formula. */
const MONEY_COLUMN = String.fromCharCode(65 + DETAIL_COLUMNS.findIndex((c) => c.key === 'moneyAtStake'));

/**
 * exceljs's zip library calls the deprecated `new Buffer()`. Node stays silent about that inside
 * node_modules, but in the bundled CLI it would print a DeprecationWarning on every --xlsx run.
 * The warning is emitted once per process, at the first call, which the constructor makes: it is
 * muted for that call only.
 */
function quietly<T>(make: () => T): T {
  const before = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return make();
  } finally {
    process.noDeprecation = before;
  }
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F4' } };

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.eachCell((cell) => {
    cell.fill = HEADER_FILL;
  });
}

export async function renderXlsx(
  model: ReportModel,
  rows: AsyncIterable<Discrepancy>,
  destination: Writable,
  options: XlsxOptions = {},
): Promise<void> {
  const workbook = quietly(
    () =>
      new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: destination,
        useStyles: true,
        useSharedStrings: false,
      }),
  );
  workbook.creator = 'Stocktally';
  workbook.title = `${model.title.zh} ${model.title.en}`;
  workbook.created = new Date(model.cover.generatedAt);

  writeSummary(workbook, model);

  const detail = workbook.addWorksheet(SHEETS.discrepancies, { views: [{ state: 'frozen', ySplit: 1 }] });
  detail.columns = DETAIL_COLUMNS.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    ...(c.format === undefined ? {} : { style: { numFmt: c.format } }),
  }));
  styleHeader(detail.getRow(1));
  detail.getRow(1).commit();
  let n = 0;
  for await (const d of rows) {
    const r = toDetailRow(d, options.workflow);
    n++;
    detail.addRow(DETAIL_COLUMNS.map((c) => c.value(r, n))).commit();
    // Let the zip stream take what was written before the next batch piles up.
    if (n % 2000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  detail.autoFilter = { from: { row: 1, column: 1 }, to: { row: n + 1, column: DETAIL_COLUMNS.length } };
  detail.commit();

  const rejected = workbook.addWorksheet(SHEETS.rejected, { views: [{ state: 'frozen', ySplit: 1 }] });
  rejected.columns = [
    { header: title(LABELS.file), key: 'file', width: 20, style: { numFmt: TEXT } },
    { header: title(LABELS.line), key: 'line', width: 10 },
    { header: title(LABELS.field), key: 'field', width: 16, style: { numFmt: TEXT } },
    { header: title(LABELS.source), key: 'source', width: 12, style: { numFmt: TEXT } },
    { header: title(LABELS.reason), key: 'reason', width: 90, style: { numFmt: TEXT } },
  ];
  styleHeader(rejected.getRow(1));
  rejected.getRow(1).commit();
  for (const r of model.rejected) {
    rejected.addRow([r.file, r.line, r.field ?? '', r.source, r.reason]).commit();
  }
  rejected.autoFilter = { from: { row: 1, column: 1 }, to: { row: model.rejected.length + 1, column: 5 } };
  rejected.commit();

  await workbook.commit();
}

function writeSummary(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const { cover, kpis } = model;
  const sheet = workbook.addWorksheet(SHEETS.summary, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: '项目 Item', key: 'item', width: 34 },
    { header: '值 Value', key: 'value', width: 40 },
    { header: '涉及金额 Money at stake', key: 'money', width: 22 },
  ];
  styleHeader(sheet.getRow(1));
  sheet.getRow(1).commit();
  const add = (
    label: string,
    value: string | number | null,
    format?: string,
    money?: number | string | null,
  ): void => {
    const row = sheet.addRow([label, value, money ?? null]);
    if (format !== undefined) row.getCell(2).numFmt = format;
    if (money !== undefined) row.getCell(3).numFmt = MONEY;
    row.commit();
  };
  const section = (label: Bilingual): void => {
    const row = sheet.addRow([title(label)]);
    row.font = { bold: true };
    row.commit();
  };
  add('报告 Report', `${model.title.zh} ${model.title.en}`);
  add(title(LABELS.company), cover.company);
  add(title(LABELS.period), cover.period);
  add(title(LABELS.asOf), `${cover.asOf} (${cover.timezone})`);
  add(title(LABELS.runId), cover.runId);
  add(title(LABELS.generatedAt), cover.generatedAt);
  add(title(LABELS.lagWindow), cover.lagHours, '0 "h"');
  sheet.addRow([]).commit();

  section({ zh: '关键指标', en: 'Key figures' });
  add(title(LABELS.groupsSeen), kpis.groupsSeen, '0');
  add(title(LABELS.groupsMatched), kpis.groupsMatched, '0');
  add(title(LABELS.matchRate), Number(kpis.matchRatePercent) / 100, '0.00%');
  add(title(LABELS.discrepancies), kpis.discrepancies, '0', num(kpis.moneyAtStake.total));
  for (const s of ['RED', 'YELLOW', 'GREEN'] as const) {
    add(`${SEVERITY_ZH[s]} ${s}`, kpis.countBySeverity[s], '0', num(kpis.moneyAtStake[s]));
  }
  add(title(LABELS.openRed), kpis.openRed, '0');
  add(title(LABELS.rejectedRows), cover.rejectedRows, '0');
  sheet.addRow([]).commit();

  section({ zh: '按差异类型', en: 'By kind' });
  for (const k of model.byKind) {
    const label = kindLabel(k.kind);
    add(`${label.zh} ${label.en}`, k.count, '0', num(k.money));
  }
  add(title(LABELS.total), kpis.discrepancies, '0', num(kpis.moneyAtStake.total));
  // The same total as a formula over the detail sheet, so a reader can see the two agree.
  const check = sheet.addRow([
    '明细合计(公式) Detail sheet sum (formula)',
    null,
    {
      formula: `SUM('${SHEETS.discrepancies}'!${MONEY_COLUMN}2:${MONEY_COLUMN}${kpis.discrepancies + 1})`,
      result: num(kpis.moneyAtStake.total),
    },
  ]);
  check.getCell(3).numFmt = MONEY;
  check.commit();
  sheet.addRow([]).commit();

  section(LABELS.sources);
  for (const s of cover.sources) {
    add(
      `${s.label.zh} ${s.label.en}`,
      `${s.file}: ${s.rows} 行 rows, ${s.accepted === null ? '' : `${s.accepted} 采用 accepted, `}${s.rejected} 拒收 rejected`,
    );
  }
  sheet.commit();
}
