import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Severity } from '../core/reconcile/discrepancy.js';
import {
  groupDigits,
  kindLabel,
  LABELS,
  SECTION_TITLES,
  type Bilingual,
  type ComparisonLine,
  type DetailRow,
  type ReportModel,
  type Signatory,
  type SourceFigures,
} from '../core/report/report-model.js';
import type { CauseLine, OwnerLine, ProgressLine } from '../core/report/report-analysis.js';
import { SEVERITY_ZH } from '../core/reconcile/discrepancy.js';
import { formatMoney, parseDecimal } from '../core/shared/decimal.js';
import { loadReportFonts, type ReportFonts } from './fonts.js';
import { CONTENT, INK, ReportCanvas } from './pdf-canvas.js';
import { drawHeatMap } from './pdf-heat-map.js';
import { PdfTable, type Column } from './pdf-table.js';

/**
 * 《库存-财务对账报告》 as a PDF, streamed to its destination page by page: cover and KPIs, the
 * comparison with the previous period, the heat map, cause analysis, rectification progress and
 * owners, the largest items with their explanations, the detail a person reads (the first N by
 * severity and money; the XLSX holds every one), the rejected input rows and the sign-off block.
 * Everything drawn is in the model, so a run of any size renders in the same few pages' time.
 */
export interface PdfOptions {
  fonts?: ReportFonts | undefined;
}

export interface PdfResult {
  pages: number;
}

const SEVERITY_INK: Readonly<Record<Severity, string>> = {
  RED: INK.RED,
  YELLOW: INK.YELLOW,
  GREEN: INK.GREEN,
};

const money = (text: string | null): string => (text === null ? '—' : groupDigits(text));

/** A finance clerk reads the Chinese first; the English follows for the auditor (CONTRACT §11). */
const bilingual = (r: { explanation: string; explanationZh: string }): string =>
  r.explanationZh === '' ? r.explanation : `${r.explanationZh} ${r.explanation}`;

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

export async function renderPdf(
  model: ReportModel,
  destination: Writable,
  options: PdfOptions = {},
): Promise<PdfResult> {
  const fonts = options.fonts ?? loadReportFonts();
  const { cover } = model;
  const canvas = new ReportCanvas(
    fonts,
    {
      title: model.title,
      context: `${cover.company} · ${LABELS.period.zh} ${cover.period} · ${LABELS.runId.en} ${cover.runId}`,
      generated: `${LABELS.generatedAt.zh} ${LABELS.generatedAt.en} ${utc(cover.generatedAt)} · Stocktally`,
    },
    {
      title: `${model.title.zh} ${model.title.en}`,
      author: cover.company,
      subject: `${LABELS.runId.en} ${cover.runId}, ${LABELS.asOf.en} ${cover.asOf}`,
    },
  );
  const written = pipeline(canvas.doc, destination);
  try {
    drawCover(canvas, model);
    canvas.newPage();
    canvas.heading(SECTION_TITLES.heatMap);
    drawHeatMap(canvas, model.heatMap);
    canvas.newPage();
    drawComparison(canvas, model);
    drawCauses(canvas, model);
    drawProgress(canvas, model);
    drawOwners(canvas, model);
    canvas.newPage();
    drawTop(canvas, model);
    canvas.newPage();
    await drawDetail(canvas, model);
    drawRejected(canvas, model);
    drawSignOff(canvas, model.cover.signatories);
    canvas.end();
  } catch (error) {
    canvas.doc.destroy(error instanceof Error ? error : new Error(String(error)));
    // When the destination failed first, its error is the one worth reporting.
    const failure: unknown = await written.then(
      () => undefined,
      (e: unknown) => e,
    );
    throw failure ?? error;
  }
  await written;
  return { pages: canvas.pageCount };
}

function drawCover(c: ReportCanvas, model: ReportModel): void {
  const { cover, kpis } = model;
  c.newPage();
  c.font(true, 24).line(`《${model.title.zh}》`, CONTENT.left, c.y);
  c.font(false, 13, INK.muted).line(model.title.en, CONTENT.left + 4, c.y + 34);
  c.y += 62;

  const top = c.y;
  const facts: [Bilingual, string][] = [
    [LABELS.company, cover.company],
    [LABELS.period, cover.period],
    [LABELS.asOf, `${utc(cover.asOf)} (${cover.timezone})`],
    [LABELS.runId, cover.runId],
    [LABELS.generatedAt, utc(cover.generatedAt)],
    [LABELS.lagWindow, `${cover.lagHours} h`],
  ];
  for (const [label, value] of facts) {
    c.font(true, 8.5, INK.muted).line(label.zh, CONTENT.left, c.y + 1);
    c.font(false, 7, INK.faint).line(label.en, CONTENT.left + 62, c.y + 2.2);
    c.font(false, 10).line(value, CONTENT.left + 130, c.y, 250);
    c.y += 17;
  }
  const factsBottom = c.y;

  c.y = top;
  const sourceLeft = CONTENT.left + 400;
  c.font(true, 9).line(`${LABELS.sources.zh} ${LABELS.sources.en}`, sourceLeft, c.y);
  c.y += 15;
  const sources = new PdfTable<SourceFigures>(
    c,
    [
      { title: LABELS.source, width: 90, lines: (s) => [`${s.label.zh} ${s.label.en}`] },
      {
        title: LABELS.file,
        width: 90,
        wrapLines: true,
        lines: (s) => [s.deliveries === undefined ? s.file : `${s.file} (${s.deliveries} 批 deliveries)`],
      },
      { title: LABELS.rows, width: 50, align: 'right', lines: (s) => [groupDigits(String(s.rows))] },
      {
        title: LABELS.accepted,
        width: 50,
        align: 'right',
        lines: (s) => [s.accepted === null ? '—' : groupDigits(String(s.accepted))],
      },
      {
        title: LABELS.rejectedRows,
        width: 50,
        align: 'right',
        lines: (s) => [String(s.rejected)],
        color: (s) => (s.rejected > 0 ? INK.RED : undefined),
      },
    ],
    { size: 7.5, left: sourceLeft, width: CONTENT.right - sourceLeft },
  );
  sources.begin();
  for (const s of coverSources(cover.sources)) sources.row(s);
  if (cover.sources.length === 0) {
    c.font(false, 7.5, INK.muted).line('没有数据来源记录 No inputs recorded', sourceLeft + 3, c.y + 3);
    c.y += 14;
  }
  sources.end();
  c.y = Math.max(c.y, factsBottom) + 8;

  const tiles: Tile[] = [
    { label: LABELS.groupsSeen, value: groupDigits(String(kpis.groupsSeen)) },
    { label: LABELS.groupsMatched, value: groupDigits(String(kpis.groupsMatched)) },
    { label: LABELS.matchRate, value: `${kpis.matchRatePercent} %` },
    { label: LABELS.discrepancies, value: groupDigits(String(kpis.discrepancies)) },
    { label: LABELS.openRed, value: String(kpis.openRed), bar: INK.RED },
    {
      label: { zh: `${LABELS.moneyAtStake.zh}合计`, en: `${LABELS.moneyAtStake.en}, total` },
      value: money(kpis.moneyAtStake.total),
    },
    ...(['RED', 'YELLOW', 'GREEN'] as const).map((s) => ({
      label: {
        zh: `${SEVERITY_ZH[s]} ${LABELS.moneyAtStake.zh}`,
        en: `${s} ${LABELS.moneyAtStake.en.toLowerCase()}`,
      },
      value: money(kpis.moneyAtStake[s]),
      note: `${kpis.countBySeverity[s]} 项 items`,
      bar: SEVERITY_INK[s],
    })),
    {
      label: LABELS.rejectedRows,
      value: String(cover.rejectedRows),
      note: '见拒收行一节 see Rejected rows',
      ...(cover.rejectedRows > 0 ? { bar: INK.RED } : {}),
    },
  ];
  drawTiles(c, tiles);

  if (!model.consistency.agrees) {
    const k = model.consistency;
    c.font(true, 8, INK.RED).line(
      `注意:所列明细与运行汇总不一致 Note: the rows listed do not add up to the run summary ` +
        `(${k.rowCount} / ${k.summaryCount} items, ${groupDigits(k.rowMoney)} / ${groupDigits(k.summaryMoney)})`,
      CONTENT.left,
      c.y,
      CONTENT.width,
    );
    c.y += 14;
  }

  c.y += 4;
  c.font(true, 9).line(`按差异类型 By kind`, CONTENT.left, c.y);
  c.y += 14;
  const byKind = new PdfTable<ReportModel['byKind'][number] | { total: true }>(
    c,
    [
      {
        title: LABELS.kind,
        width: 170,
        lines: (r) => [
          'total' in r
            ? `${LABELS.total.zh} ${LABELS.total.en}`
            : `${kindLabel(r.kind).zh}  ${kindLabel(r.kind).en}`,
        ],
      },
      { title: LABELS.count, width: 50, align: 'right', lines: (r) => ['total' in r ? '' : String(r.count)] },
      {
        title: LABELS.moneyAtStake,
        width: 90,
        align: 'right',
        lines: (r) => ['total' in r ? '' : money(r.money)],
      },
    ],
    { size: 7.5, width: 420, zebra: true },
  );
  byKind.begin();
  for (const k of model.byKind) byKind.row(k);
  byKind.totals([
    `${LABELS.total.zh} ${LABELS.total.en}`,
    String(kpis.discrepancies),
    money(kpis.moneyAtStake.total),
  ]);
  byKind.end();
}

interface Tile {
  label: Bilingual;
  value: string;
  note?: string;
  bar?: string;
}

function drawTiles(c: ReportCanvas, tiles: readonly Tile[]): void {
  const perRow = 5;
  const gap = 9;
  const width = (CONTENT.width - gap * (perRow - 1)) / perRow;
  const height = 60;
  tiles.forEach((tile, i) => {
    const col = i % perRow;
    if (col === 0 && i > 0) c.y += height + gap;
    const x = CONTENT.left + col * (width + gap);
    const y = c.y;
    c.doc.rect(x, y, width, height).lineWidth(0.6).strokeColor(INK.rule).stroke();
    c.doc.rect(x, y, width, 3).fill(tile.bar ?? INK.accent);
    c.font(true, 8, INK.text).line(tile.label.zh, x + 7, y + 8, width - 14);
    c.font(false, 6.8, INK.muted).line(tile.label.en, x + 7, y + 19, width - 14);
    c.font(true, 15, tile.bar === undefined || tile.bar === INK.accent ? INK.text : tile.bar).line(
      tile.value,
      x + 7,
      y + 30,
      width - 14,
    );
    if (tile.note !== undefined) c.font(false, 6.8, INK.muted).line(tile.note, x + 7, y + 48, width - 14);
  });
  c.y += height + 12;
}

const severityColumn: Column<DetailRow> = {
  title: LABELS.severity,
  width: 40,
  dot: (r) => SEVERITY_INK[r.severity],
  lines: (r) => [SEVERITY_ZH[r.severity], r.severity],
};

const kindColumn: Column<DetailRow> = {
  title: LABELS.kind,
  width: 72,
  lines: (r) => [kindLabel(r.kind).zh, kindLabel(r.kind).en],
};

const whereColumn: Column<DetailRow> = {
  title: { zh: '仓库 / 物料 / 单据', en: 'Warehouse / SKU / document' },
  width: 80,
  lines: (r) => [r.warehouseId, r.sku, r.documentRef],
  wrapLines: true,
};

/** The case's word and the item's due day; never cut, so a voucher number is always read whole. */
function workflowCell(r: DetailRow): string {
  if (r.dueDay === null) return r.workflowText;
  const due = `${LABELS.dueDay.zh} ${r.dueDay}${r.overdue ? ' 逾期 overdue' : ''}`;
  return `${r.workflowText} · ${due}`;
}

const workflowColumn: Column<DetailRow> = {
  title: LABELS.workflow,
  width: 96,
  paragraph: workflowCell,
  maxLines: Infinity,
  color: (r) => (r.overdue ? INK.RED : r.workflow.status === 'open' ? INK.muted : undefined),
};

/** Many drops fold into one line per source on the cover; the XLSX summary lists every file. */
function coverSources(sources: readonly SourceFigures[]): SourceFigures[] {
  if (sources.length <= 8) return [...sources];
  const folded = new Map<string, SourceFigures & { files: number }>();
  for (const s of sources) {
    const line = folded.get(s.source);
    if (line === undefined) {
      folded.set(s.source, { ...s, files: 1 });
      continue;
    }
    line.files++;
    line.rows += s.rows;
    line.rejected += s.rejected;
    line.accepted = line.accepted === null || s.accepted === null ? null : line.accepted + s.accepted;
  }
  return [...folded.values()].map((s) => (s.files === 1 ? s : { ...s, file: `${s.files} 个文件 files` }));
}

function drawTop(c: ReportCanvas, model: ReportModel): void {
  c.heading({
    zh: `${SECTION_TITLES.top.zh}(前${model.top.length}项)`,
    en: `${SECTION_TITLES.top.en} (top ${model.top.length})`,
  });
  if (model.top.length === 0) {
    c.font(false, 9, INK.muted).line('没有差异 No discrepancies', CONTENT.left, c.y);
    c.y += 16;
    return;
  }
  let rank = 0;
  const ranks = new Map<DetailRow, number>();
  for (const r of model.top) ranks.set(r, ++rank);
  const table = new PdfTable<DetailRow>(
    c,
    [
      { title: LABELS.rank, width: 18, align: 'right', lines: (r) => [String(ranks.get(r) ?? '')] },
      severityColumn,
      kindColumn,
      whereColumn,
      {
        title: LABELS.moneyAtStake,
        width: 64,
        align: 'right',
        bold: true,
        lines: (r) => [money(r.moneyAtStake)],
      },
      { title: LABELS.explanation, width: 370, paragraph: (r) => bilingual(r) },
      workflowColumn,
    ],
    { size: 7.5, maxLines: 10, zebra: true },
  );
  table.begin();
  for (const r of model.top) table.row(r);
  table.end();
}

async function drawDetail(c: ReportCanvas, model: ReportModel): Promise<void> {
  const shown = model.detail.length;
  c.heading(
    SECTION_TITLES.detail,
    model.detailOmitted === 0
      ? `${groupDigits(String(model.kpis.discrepancies))} 项 items`
      : `前 ${groupDigits(String(shown))} 项 / 共 ${groupDigits(String(model.kpis.discrepancies))} 项 · first ${groupDigits(String(shown))} of ${groupDigits(String(model.kpis.discrepancies))}`,
  );
  let n = 0;
  const numbers = new WeakMap<DetailRow, number>();
  const table = new PdfTable<DetailRow>(
    c,
    [
      { title: LABELS.rank, width: 26, align: 'right', lines: (r) => [String(numbers.get(r) ?? '')] },
      severityColumn,
      kindColumn,
      whereColumn,
      {
        title: { zh: '数量 WMS / 财务 / 差', en: 'Qty: WMS / finance / delta' },
        width: 70,
        align: 'right',
        lines: (r) => [
          `WMS ${groupDigits(r.wmsQuantity)} ${r.uom}`,
          `财务 ${groupDigits(r.financeQuantity)}`,
          `差 ${groupDigits(r.quantityDelta)}`,
        ],
      },
      {
        title: { zh: '金额 预期 / 财务 / 差', en: 'Amount: expected / finance / delta' },
        width: 90,
        align: 'right',
        lines: (r) => [
          `预期 ${money(r.expectedAmount)}`,
          `财务 ${money(r.financeAmount)}`,
          `差 ${money(r.amountDelta)}`,
        ],
      },
      {
        title: LABELS.moneyAtStake,
        width: 62,
        align: 'right',
        bold: true,
        lines: (r) => [money(r.moneyAtStake)],
      },
      { title: LABELS.explanation, width: 242, paragraph: (r) => r.explanationZh || r.explanation },
      workflowColumn,
    ],
    { size: 6.8, maxLines: 6, zebra: true },
  );
  table.begin();
  let listed = 0n;
  for (const row of model.detail) {
    numbers.set(row, ++n);
    table.row(row);
    const parsed = parseDecimal(row.moneyAtStake);
    if (parsed.ok) listed += parsed.value;
    await c.drain();
  }
  // The subtotal and the line pointing to the rest stay on one page.
  if (model.detailOmitted > 0) c.ensure(64);
  table.totals([
    '',
    model.detailOmitted === 0 ? `${LABELS.total.zh} ${LABELS.total.en}` : '小计 Listed',
    `${groupDigits(String(n))} 项 items`,
    '',
    '',
    '',
    money(model.detailOmitted === 0 ? model.kpis.moneyAtStake.total : formatMoney(listed)),
  ]);
  table.end();
  if (model.detailOmitted > 0) {
    c.ensure(30);
    c.font(true, 8.5, INK.accent).line(
      `其余 ${groupDigits(String(model.detailOmitted))} 项见 report.xlsx(差异明细,同一排序)与 report.csv;全部 ${groupDigits(String(model.kpis.discrepancies))} 项合计 ${money(model.kpis.moneyAtStake.total)}`,
      CONTENT.left,
      c.y,
      CONTENT.width,
    );
    c.font(false, 7.5, INK.muted).line(
      `The other ${groupDigits(String(model.detailOmitted))} items are in report.xlsx (sheet 差异明细 Discrepancies, same order) and report.csv; all ${groupDigits(String(model.kpis.discrepancies))} items total ${money(model.kpis.moneyAtStake.total)}.`,
      CONTENT.left,
      c.y + 13,
      CONTENT.width,
    );
    c.y += 30;
  }
}

function signed(text: string): string {
  return text.startsWith('+') ? `+${groupDigits(text.slice(1))}` : groupDigits(text);
}

function drawComparison(c: ReportCanvas, model: ReportModel): void {
  const comparison = model.comparison;
  if (comparison === undefined) return;
  const previous = comparison.previous;
  c.heading(
    SECTION_TITLES.comparison,
    previous === null
      ? `本期 ${model.cover.period} · 无上期结账运行 no close run of the previous period`
      : `本期 ${model.cover.period} / 上期 ${previous.period} (${previous.runId})`,
  );
  const value = (l: ComparisonLine, text: string | null): string =>
    text === null ? '—' : l.money ? groupDigits(text) : text;
  const table = new PdfTable<ComparisonLine>(
    c,
    [
      { title: { zh: '指标', en: 'Figure' }, width: 170, lines: (l) => [`${l.label.zh} ${l.label.en}`] },
      {
        title: { zh: `${LABELS.thisPeriod.zh} ${model.cover.period}`, en: LABELS.thisPeriod.en },
        width: 90,
        align: 'right',
        bold: true,
        lines: (l) => [value(l, l.current)],
      },
      {
        title: {
          zh: `${LABELS.previousPeriod.zh} ${previous?.period ?? ''}`.trim(),
          en: LABELS.previousPeriod.en,
        },
        width: 90,
        align: 'right',
        lines: (l) => [value(l, l.previous)],
      },
      {
        title: LABELS.change,
        width: 90,
        align: 'right',
        lines: (l) => [l.change === null ? '—' : signed(l.change)],
        // Green where the change is for the better: more matched, fewer differences, less money.
        color: (l) =>
          l.change === null || l.better === undefined || /^[+-]?0(\.0+)?$/.test(l.change)
            ? undefined
            : l.change.startsWith('+') === (l.better === 'up')
              ? INK.GREEN
              : INK.RED,
      },
    ],
    { size: 7.5, width: 440, zebra: true },
  );
  table.begin();
  for (const line of comparison.lines) table.row(line);
  table.end();
  if (previous === null) {
    c.font(false, 7.5, INK.muted).line(
      '上期没有结账运行,无可比数据。 There is no close run of the previous period to compare with.',
      CONTENT.left,
      c.y - 4,
      CONTENT.width,
    );
    c.y += 10;
  }
}

function drawCauses(c: ReportCanvas, model: ReportModel): void {
  c.ensure(80);
  c.heading(SECTION_TITLES.causes, `${model.kpis.discrepancies} 项 items`);
  const table = new PdfTable<CauseLine>(
    c,
    [
      {
        title: { zh: '根本原因', en: 'Root cause' },
        width: 200,
        lines: (l) => [`${l.label.zh} ${l.label.en}`],
      },
      { title: LABELS.count, width: 60, align: 'right', lines: (l) => [groupDigits(String(l.count))] },
      { title: LABELS.moneyAtStake, width: 100, align: 'right', lines: (l) => [money(l.money)] },
    ],
    { size: 7.5, width: 440, zebra: true },
  );
  table.begin();
  for (const line of model.analysis.causes) table.row(line);
  table.totals([
    `${LABELS.total.zh} ${LABELS.total.en}`,
    groupDigits(String(model.kpis.discrepancies)),
    money(model.kpis.moneyAtStake.total),
  ]);
  table.end();
}

function drawProgress(c: ReportCanvas, model: ReportModel): void {
  const a = model.analysis;
  c.ensure(80);
  c.heading(
    SECTION_TITLES.progress,
    `逾期 ${a.overdue} 项 overdue · 到期规则 due: 红灯当日 RED same day, 黄灯 ${a.dueDays.YELLOW} 天 YELLOW ${a.dueDays.YELLOW} d, 绿灯 ${a.dueDays.GREEN} 天 GREEN ${a.dueDays.GREEN} d`,
  );
  const table = new PdfTable<ProgressLine>(
    c,
    [
      { title: LABELS.caseState, width: 200, lines: (l) => [`${l.label.zh} ${l.label.en}`] },
      { title: LABELS.count, width: 60, align: 'right', lines: (l) => [groupDigits(String(l.count))] },
      { title: LABELS.moneyAtStake, width: 100, align: 'right', lines: (l) => [money(l.money)] },
      {
        title: LABELS.overdue,
        width: 60,
        align: 'right',
        lines: (l) => [String(l.overdue)],
        color: (l) => (l.overdue > 0 ? INK.RED : undefined),
      },
    ],
    { size: 7.5, width: 520, zebra: true },
  );
  table.begin();
  for (const line of a.progress) table.row(line);
  table.totals([
    `${LABELS.total.zh} ${LABELS.total.en}`,
    groupDigits(String(model.kpis.discrepancies)),
    money(model.kpis.moneyAtStake.total),
    String(a.overdue),
  ]);
  table.end();
}

function drawOwners(c: ReportCanvas, model: ReportModel): void {
  const a = model.analysis;
  c.ensure(80);
  c.heading(SECTION_TITLES.owners, `报告日 report day ${a.today}`);
  if (a.owners.length === 0) {
    c.font(false, 9, INK.muted).line('没有未结项 No open items', CONTENT.left, c.y);
    c.y += 16;
    return;
  }
  const table = new PdfTable<OwnerLine>(
    c,
    [
      { title: LABELS.owner, width: 150, wrapLines: true, lines: (l) => [l.owner] },
      { title: LABELS.openItems, width: 60, align: 'right', lines: (l) => [groupDigits(String(l.open))] },
      { title: LABELS.redItems, width: 60, align: 'right', lines: (l) => [String(l.red)] },
      { title: LABELS.moneyAtStake, width: 100, align: 'right', lines: (l) => [money(l.money)] },
      {
        title: { zh: '红灯当日到期', en: 'RED due today' },
        width: 80,
        align: 'right',
        bold: true,
        lines: (l) => [l.redDueToday === 0 ? '—' : `${l.redDueToday} 项 items`],
        color: (l) => (l.redDueToday > 0 ? INK.RED : undefined),
      },
      {
        title: { zh: '最早到期日', en: 'First due' },
        width: 80,
        lines: (l) => [l.firstDue ?? '—'],
      },
      {
        title: LABELS.overdue,
        width: 60,
        align: 'right',
        lines: (l) => [String(l.overdue)],
        color: (l) => (l.overdue > 0 ? INK.RED : undefined),
      },
    ],
    { size: 7.5, width: 700, zebra: true },
  );
  table.begin();
  for (const line of a.owners) table.row(line);
  table.end();
}

type Rejected = ReportModel['rejected'][number];

function drawRejected(c: ReportCanvas, model: ReportModel): void {
  c.ensure(90);
  c.y += 6;
  c.heading(SECTION_TITLES.rejected, `${model.rejected.length} 行 rows`);
  if (model.rejected.length === 0) {
    c.font(false, 9, INK.muted).line('没有拒收行 No rows were rejected', CONTENT.left, c.y);
    c.y += 18;
    return;
  }
  const table = new PdfTable<Rejected>(
    c,
    [
      { title: LABELS.file, width: 110, lines: (r) => [r.file] },
      { title: LABELS.line, width: 40, align: 'right', lines: (r) => [String(r.line)] },
      { title: LABELS.field, width: 80, lines: (r) => [r.field ?? '—'] },
      { title: LABELS.source, width: 60, lines: (r) => [r.source] },
      { title: LABELS.reason, width: 480, paragraph: (r) => r.reason },
    ],
    { size: 7.5, maxLines: 4, zebra: true },
  );
  table.begin();
  for (const r of model.rejected) table.row(r);
  table.end();
}

function drawSignOff(c: ReportCanvas, signatories: readonly Signatory[]): void {
  c.ensure(150);
  c.y += 6;
  c.heading(SECTION_TITLES.signOff);
  c.font(false, 8, INK.muted).line(
    '签字即确认已审阅本报告所列差异及其处理意见。 By signing I confirm I have reviewed the discrepancies in this report and how they are to be handled.',
    CONTENT.left,
    c.y,
    CONTENT.width,
  );
  c.y += 16;
  const gap = 18;
  const perRow = Math.min(Math.max(signatories.length, 1), 4);
  const width = (CONTENT.width - gap * (perRow - 1)) / perRow;
  const height = 100;
  signatories.forEach((who, i) => {
    const col = i % perRow;
    if (col === 0 && i > 0) c.y += height + 10;
    if (col === 0) c.ensure(height + 4);
    const x = CONTENT.left + col * (width + gap);
    const y = c.y;
    c.doc.rect(x, y, width, height).lineWidth(0.7).strokeColor(INK.muted).stroke();
    c.font(true, 10).line(who.role, x + 10, y + 9, width - 20);
    c.font(false, 9, who.name === '' ? INK.faint : INK.text).line(
      who.name === '' ? '姓名 Name' : who.name,
      x + 10,
      y + 25,
      width - 20,
    );
    for (const [j, label] of [LABELS.signature, LABELS.date].entries()) {
      const ly = y + 58 + j * 26;
      c.font(false, 8.5).line(`${label.zh} ${label.en}`, x + 10, ly - 9);
      c.doc
        .moveTo(x + 80, ly)
        .lineTo(x + width - 12, ly)
        .lineWidth(0.5)
        .strokeColor(INK.text)
        .stroke();
    }
  });
  c.y += height + 10;
}
