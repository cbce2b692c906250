import type { Writable } from 'node:stream';
import { parseDecimal } from '../core/shared/decimal.js';
import { KIND_ZH, SEVERITY_ZH } from '../core/reconcile/discrepancy.js';
import {
  kindLabel,
  LABELS,
  SECTION_TITLES,
  WORKFLOW_STATUS,
  type Bilingual,
  type DetailRow,
  type ReportModel,
} from '../core/report/report-model.js';
import {
  columnLetter,
  RANK_MARK,
  rowTemplate,
  WorkbookStream,
  type Cell,
  type CellStyle,
} from './xlsx-writer.js';

/**
 * The report as a workbook, streamed as its rows come (xlsx-writer.ts): 汇总 Summary (the model's
 * figures: cover, key figures, comparison with the previous period, by kind, cause analysis,
 * rectification progress, owners, every data source), 差异明细 Discrepancies (every discrepancy in
 * the report's order, severity then money; frozen header, auto filter, amounts as numbers in 0.00,
 * quantities as numbers, ids as text) and 拒收行 Rejected rows.
 */
export const SHEETS = {
  summary: '汇总 Summary',
  discrepancies: '差异明细 Discrepancies',
  rejected: '拒收行 Rejected rows',
} as const;

/** A discrepancy's row of the detail sheet, numbered when written (xlsx-writer.ts rowTemplate). */
export function detailTemplate(r: DetailRow): string {
  return rowTemplate(DETAIL_COLUMNS.map((c) => c.value(r, 0)));
}

const title = (label: Bilingual): string => `${label.zh} ${label.en}`;

const text = (v: string, s: CellStyle = 'text'): Cell => ({ t: 's', v, s });

/**
 * An exact decimal string as the number Excel stores, when a double holds it exactly (Excel keeps
 * 15 significant digits); past that, the text itself, so no amount is ever shown rounded. Null
 * stays an empty cell.
 */
function num(value: string | null, s: CellStyle): Cell {
  if (value === null) return null;
  const digits = value.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length <= 15) return { t: 'n', v: String(Number(value)), s };
  const back = parseDecimal(String(Number(value)));
  const exact = parseDecimal(value);
  return back.ok && exact.ok && back.value === exact.value
    ? { t: 'n', v: String(Number(value)), s }
    : { t: 's', v: value, s: 'text' };
}

const int = (n: number, s: CellStyle = 'int'): Cell => ({ t: 'n', v: String(n), s });

function instant(value: string | null): Cell {
  return value === null ? null : { t: 'd', v: new Date(value), s: 'when' };
}

interface DetailColumn {
  header: string;
  key: string;
  width: number;
  value: (r: DetailRow, n: number) => Cell;
}

const DETAIL_COLUMNS: readonly DetailColumn[] = [
  { header: title(LABELS.rank), key: 'rank', width: 8, value: () => ({ t: 'n', v: RANK_MARK, s: 'int' }) },
  {
    header: title(LABELS.severity),
    key: 'severity',
    width: 14,
    value: (r) => text(`${SEVERITY_ZH[r.severity]} ${r.severity}`),
  },
  {
    header: title(LABELS.kind),
    key: 'kind',
    width: 34,
    value: (r) => text(`${KIND_ZH[r.kind]} ${r.kind}`),
  },
  {
    header: title(LABELS.warehouse),
    key: 'warehouseId',
    width: 14,
    value: (r) => text(r.warehouseId),
  },
  { header: title(LABELS.sku), key: 'sku', width: 14, value: (r) => text(r.sku) },
  {
    header: title(LABELS.document),
    key: 'documentRef',
    width: 16,
    value: (r) => text(r.documentRef),
  },
  { header: title(LABELS.uom), key: 'uom', width: 8, value: (r) => text(r.uom) },
  {
    header: title(LABELS.wmsQuantity),
    key: 'wmsQuantity',
    width: 12,
    value: (r) => num(r.wmsQuantity, 'quantity'),
  },
  {
    header: title(LABELS.financeQuantity),
    key: 'financeQuantity',
    width: 12,
    value: (r) => num(r.financeQuantity, 'quantity'),
  },
  {
    header: title(LABELS.quantityDelta),
    key: 'quantityDelta',
    width: 12,
    value: (r) => num(r.quantityDelta, 'quantity'),
  },
  {
    header: title(LABELS.unitCost),
    key: 'unitCost',
    width: 12,
    value: (r) => num(r.unitCost, 'unitCost'),
  },
  {
    header: title(LABELS.expectedAmount),
    key: 'expectedAmount',
    width: 16,
    value: (r) => num(r.expectedAmount, 'money'),
  },
  {
    header: title(LABELS.financeAmount),
    key: 'financeAmount',
    width: 16,
    value: (r) => num(r.financeAmount, 'money'),
  },
  {
    header: title(LABELS.amountDelta),
    key: 'amountDelta',
    width: 16,
    value: (r) => num(r.amountDelta, 'money'),
  },
  {
    header: title(LABELS.moneyAtStake),
    key: 'moneyAtStake',
    width: 16,
    value: (r) => num(r.moneyAtStake, 'money'),
  },
  { header: title(LABELS.wmsTypes), key: 'wmsTypes', width: 22, value: (r) => text(r.wmsTypes) },
  {
    header: title(LABELS.financeTypes),
    key: 'financeTypes',
    width: 22,
    value: (r) => text(r.financeTypes),
  },
  {
    header: title(LABELS.latestEventAt),
    key: 'latestEventAt',
    width: 20,
    value: (r) => instant(r.latestEventAt),
  },
  {
    header: title(LABELS.latestPostingAt),
    key: 'latestPostingAt',
    width: 20,
    value: (r) => instant(r.latestPostingAt),
  },
  {
    header: title(LABELS.wmsEventIds),
    key: 'wmsEventIds',
    width: 22,
    value: (r) => text(r.wmsEventIds),
  },
  {
    header: title(LABELS.financeEntryIds),
    key: 'financeEntryIds',
    width: 22,
    value: (r) => text(r.financeEntryIds),
  },
  {
    header: title(LABELS.explanationZh),
    key: 'explanationZh',
    width: 60,
    value: (r) => text(r.explanationZh),
  },
  {
    header: title(LABELS.explanation),
    key: 'explanation',
    width: 90,
    value: (r) => text(r.explanation),
  },
  {
    header: title(LABELS.status),
    key: 'status',
    width: 14,
    value: (r) => text(`${WORKFLOW_STATUS[r.workflow.status].zh} ${WORKFLOW_STATUS[r.workflow.status].en}`),
  },
  {
    header: title(LABELS.cause),
    key: 'cause',
    width: 20,
    value: (r) => text(r.workflow.cause ?? ''),
  },
  {
    header: title(LABELS.rectification),
    key: 'rectification',
    width: 20,
    value: (r) => text(r.workflow.rectification ?? ''),
  },
  {
    header: title(LABELS.owner),
    key: 'owner',
    width: 14,
    value: (r) => text(r.workflow.owner ?? ''),
  },
  {
    header: title(LABELS.dueDay),
    key: 'dueDay',
    width: 12,
    value: (r) => (r.dueDay === null ? null : text(r.dueDay)),
  },
  {
    header: title(LABELS.overdue),
    key: 'overdue',
    width: 10,
    value: (r) => (r.overdue ? text('逾期 overdue') : null),
  },
  { header: '分组键 Group key', key: 'groupKey', width: 36, value: (r) => text(r.groupKey) },
];

/** Column letter of the money at stake in the discrepancies sheet, for the summary's check formula. */
const MONEY_COLUMN = columnLetter(DETAIL_COLUMNS.findIndex((c) => c.key === 'moneyAtStake') + 1);

/** Header texts as header cells. */
const headers = (labels: readonly string[]): Cell[] => labels.map((l) => text(l, 'header'));

/**
 * The workbook; `rows` are the detail sheet's rows in the report's order, as detailTemplate made
 * them in the report's first pass (rendering a row costs more than writing it).
 */
export async function renderXlsx(
  model: ReportModel,
  rows: AsyncIterable<string>,
  destination: Writable,
): Promise<void> {
  const workbook = new WorkbookStream(destination, {
    title: `${model.title.zh} ${model.title.en}`,
    creator: model.cover.company,
    created: new Date(model.cover.generatedAt),
  });

  await writeSummary(workbook, model);

  const detail = await workbook.sheet(SHEETS.discrepancies, {
    widths: DETAIL_COLUMNS.map((c) => c.width),
    frozenHeader: true,
    autoFilter: true,
  });
  await detail.row(headers(DETAIL_COLUMNS.map((c) => c.header)));
  for await (const template of rows) await detail.rawRow(template, DETAIL_COLUMNS.length);
  await detail.finish();

  const rejected = await workbook.sheet(SHEETS.rejected, {
    widths: [20, 10, 16, 12, 90],
    frozenHeader: true,
    autoFilter: true,
  });
  await rejected.row(
    headers([LABELS.file, LABELS.line, LABELS.field, LABELS.source, LABELS.reason].map(title)),
  );
  for (const r of model.rejected) {
    await rejected.row([
      text(r.file),
      int(r.line, 'plain'),
      text(r.field ?? ''),
      text(r.source),
      text(r.reason),
    ]);
  }
  await rejected.finish();

  await workbook.end();
}

async function writeSummary(workbook: WorkbookStream, model: ReportModel): Promise<void> {
  const { cover, kpis, analysis } = model;
  const sheet = await workbook.sheet(SHEETS.summary, {
    widths: [40, 44, 22, 22, 22, 14],
    frozenHeader: true,
  });
  await sheet.row(headers(['项目 Item', '值 Value', '涉及金额 Money at stake']));
  const add = (label: string, ...cells: Cell[]): Promise<void> => sheet.row([text(label, 'plain'), ...cells]);
  const section = async (label: Bilingual, columns: string[] = []): Promise<void> => {
    await sheet.row([]);
    await sheet.row([text(title(label), 'bold'), ...columns.map((c) => text(c, 'bold'))]);
  };
  await add('报告 Report', text(`${model.title.zh} ${model.title.en}`, 'plain'));
  await add(title(LABELS.company), text(cover.company, 'plain'));
  await add(title(LABELS.period), text(cover.period, 'plain'));
  await add(title(LABELS.asOf), text(`${cover.asOf} (${cover.timezone})`, 'plain'));
  await add(title(LABELS.runId), text(cover.runId, 'plain'));
  await add(title(LABELS.generatedAt), text(cover.generatedAt, 'plain'));
  await add(title(LABELS.lagWindow), int(cover.lagHours, 'hours'));

  await section(SECTION_TITLES.kpis);
  await add(title(LABELS.groupsSeen), int(kpis.groupsSeen));
  await add(title(LABELS.groupsMatched), int(kpis.groupsMatched));
  await add(title(LABELS.matchRate), {
    t: 'n',
    v: String(Number(kpis.matchRatePercent) / 100),
    s: 'percent',
  });
  await add(title(LABELS.discrepancies), int(kpis.discrepancies), num(kpis.moneyAtStake.total, 'money'));
  for (const s of ['RED', 'YELLOW', 'GREEN'] as const) {
    await add(`${SEVERITY_ZH[s]} ${s}`, int(kpis.countBySeverity[s]), num(kpis.moneyAtStake[s], 'money'));
  }
  await add(title(LABELS.openRed), int(kpis.openRed));
  await add(title(LABELS.rejectedRows), int(cover.rejectedRows));

  if (model.comparison !== undefined) {
    const previous = model.comparison.previous;
    await section(SECTION_TITLES.comparison, [
      `${LABELS.thisPeriod.zh} ${cover.period}`,
      previous === null ? '上期 无 no previous close' : `${LABELS.previousPeriod.zh} ${previous.period}`,
      title(LABELS.change),
    ]);
    for (const line of model.comparison.lines) {
      const cell = (v: string | null): Cell =>
        v === null ? null : line.money ? num(v, 'money') : num(v.replace(/^\+/, ''), 'quantity');
      await add(
        `${line.label.zh} ${line.label.en}`,
        cell(line.current),
        cell(line.previous),
        cell(line.change),
      );
    }
  }

  await section({ zh: '按差异类型', en: 'By kind' });
  for (const k of model.byKind) {
    const label = kindLabel(k.kind);
    await add(`${label.zh} ${label.en}`, int(k.count), num(k.money, 'money'));
  }
  await add(title(LABELS.total), int(kpis.discrepancies), num(kpis.moneyAtStake.total, 'money'));
  // The same total as a formula over the detail sheet, so a reader can see the two agree.
  const result = num(kpis.moneyAtStake.total, 'money');
  await add('明细合计(公式) Detail sheet sum (formula)', null, {
    t: 'f',
    f: `SUM('${SHEETS.discrepancies}'!${MONEY_COLUMN}2:${MONEY_COLUMN}${kpis.discrepancies + 1})`,
    v: result !== null && result.t === 'n' ? result.v : '0',
    s: 'money',
  });

  await section(SECTION_TITLES.causes, [title(LABELS.count), title(LABELS.moneyAtStake)]);
  for (const c of analysis.causes)
    await add(`${c.label.zh} ${c.label.en}`, int(c.count), num(c.money, 'money'));

  await section(SECTION_TITLES.progress, [
    title(LABELS.count),
    title(LABELS.moneyAtStake),
    title(LABELS.overdue),
  ]);
  for (const p of analysis.progress) {
    await add(`${p.label.zh} ${p.label.en}`, int(p.count), num(p.money, 'money'), int(p.overdue));
  }
  await add(`${LABELS.overdue.zh} ${LABELS.overdue.en}`, int(analysis.overdue));

  await section(SECTION_TITLES.owners, [
    title(LABELS.openItems),
    title(LABELS.moneyAtStake),
    '最早到期日 First due',
    '红灯当日到期 RED due today',
    title(LABELS.overdue),
  ]);
  for (const o of analysis.owners) {
    await add(
      o.owner,
      int(o.open),
      num(o.money, 'money'),
      o.firstDue === null ? null : text(o.firstDue),
      int(o.redDueToday),
      int(o.overdue),
    );
  }

  await section(LABELS.sources, [title(LABELS.rows), title(LABELS.accepted), title(LABELS.rejectedRows)]);
  for (const s of cover.sources) {
    const file = s.deliveries === undefined ? s.file : `${s.file} (${s.deliveries} 批 deliveries)`;
    await add(
      `${s.label.zh} ${s.label.en}: ${file}`,
      int(s.rows),
      s.accepted === null ? null : int(s.accepted),
      int(s.rejected),
    );
  }

  await section(SECTION_TITLES.signOff);
  for (const who of cover.signatories) await add(who.role, text(who.name, 'plain'));
  await sheet.finish();
}
