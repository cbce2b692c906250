import { formatDecimal, formatMoney, parseDecimal, type Decimal } from '../shared/decimal.js';
import {
  KIND_ZH,
  KINDS,
  listedKinds,
  SEVERITIES,
  SEVERITY_ZH,
  type Discrepancy,
  type Kind,
  type Severity,
} from '../reconcile/discrepancy.js';
import { MOVEMENT_TYPE_ZH, type MovementType } from '../records/movement-type.js';
import { ZoneClock } from '../shared/zone-clock.js';
import { groupDigits } from '../shared/digits.js';
import { KIND_EN } from '../reconcile/discrepancy.js';
import { closedPeriod, localDay } from '../shared/period.js';
import type { CaseState } from '../cases/case-workflow.js';
import type { RootCauseCode } from '../cases/root-cause.js';
import {
  DEFAULT_DUE_DAYS,
  WorkflowAnalyser,
  type AnalysedItem,
  type DueDays,
  type WorkflowAnalysis,
} from './report-analysis.js';

export { KIND_EN };

export { groupDigits };

/**
 * The report finance signs (issue 6), as one model that the PDF, XLSX and CSV renderers draw:
 * a run's summary and its discrepancies -> cover, KPI figures, a warehouse x kind heat map, the
 * largest items, the detail rows and the rejected input rows. Every total is summed here from the
 * rows' exact decimals, so a number shown is the number summed; the builder takes one
 * discrepancy at a time, so a run of any size is summarized in bounded memory.
 */

import type { Bilingual } from './bilingual.js';

export type { Bilingual };

export const REPORT_TITLE: Bilingual = {
  zh: '库存-财务对账报告',
  en: 'Inventory–Finance Reconciliation Report',
};

export const SECTION_IDS = [
  'cover',
  'kpis',
  'comparison',
  'heatMap',
  'causes',
  'progress',
  'owners',
  'top',
  'detail',
  'rejected',
  'signOff',
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export const SECTION_TITLES: Readonly<Record<SectionId, Bilingual>> = {
  cover: { zh: '报告信息', en: 'About this report' },
  kpis: { zh: '关键指标', en: 'Key figures' },
  comparison: { zh: '本期与上期对比', en: 'This period beside the previous one' },
  causes: { zh: '原因分析', en: 'Cause analysis' },
  progress: { zh: '整改进度', en: 'Rectification progress' },
  owners: { zh: '责任人追踪', en: 'Owners and due dates' },
  heatMap: { zh: '差异热力图:仓库 × 差异类型', en: 'Heat map: warehouse × kind' },
  top: { zh: '涉及金额最大的差异', en: 'Largest discrepancies by money at stake' },
  detail: { zh: '差异明细', en: 'Discrepancies by severity and money' },
  rejected: { zh: '拒收行', en: 'Rejected input rows' },
  signOff: { zh: '签字确认', en: 'Sign-off' },
};

/** The column labels every renderer uses, so PDF, XLSX and CSV speak the same words. */
export const LABELS = {
  company: { zh: '公司', en: 'Company' },
  period: { zh: '会计期间', en: 'Period' },
  asOf: { zh: '对账基准时间', en: 'As of' },
  runId: { zh: '运行编号', en: 'Run ID' },
  generatedAt: { zh: '生成时间', en: 'Generated at' },
  lagWindow: { zh: '滞后窗口', en: 'Lag window' },
  sources: { zh: '数据来源', en: 'Data sources' },
  source: { zh: '来源', en: 'Source' },
  file: { zh: '文件', en: 'File' },
  rows: { zh: '数据行数', en: 'Rows' },
  accepted: { zh: '采用', en: 'Accepted' },
  rejectedRows: { zh: '拒收行', en: 'Rejected rows' },
  groupsSeen: { zh: '对账组数', en: 'Groups seen' },
  groupsMatched: { zh: '已匹配组数', en: 'Matched' },
  matchRate: { zh: '匹配率', en: 'Match rate' },
  discrepancies: { zh: '差异数', en: 'Discrepancies' },
  moneyAtStake: { zh: '涉及金额', en: 'Money at stake' },
  openRed: { zh: '未关闭红灯项', en: 'Open RED items' },
  rank: { zh: '序号', en: '#' },
  severity: { zh: '严重程度', en: 'Severity' },
  kind: { zh: '差异类型', en: 'Kind' },
  warehouse: { zh: '仓库', en: 'Warehouse' },
  sku: { zh: '物料', en: 'SKU' },
  document: { zh: '业务单据', en: 'Document' },
  uom: { zh: '单位', en: 'UoM' },
  wmsQuantity: { zh: 'WMS数量', en: 'WMS qty' },
  financeQuantity: { zh: '财务数量', en: 'Finance qty' },
  quantityDelta: { zh: '数量差', en: 'Qty delta' },
  unitCost: { zh: '单位成本', en: 'Unit cost' },
  expectedAmount: { zh: '预期金额', en: 'Expected amount' },
  financeAmount: { zh: '财务金额', en: 'Finance amount' },
  amountDelta: { zh: '金额差', en: 'Amount delta' },
  wmsTypes: { zh: 'WMS业务类型', en: 'WMS types' },
  financeTypes: { zh: '财务业务类型', en: 'Finance types' },
  latestEventAt: { zh: '最近WMS事件(UTC)', en: 'Latest WMS event (UTC)' },
  latestPostingAt: { zh: '最近财务过账(UTC)', en: 'Latest posting (UTC)' },
  wmsEventIds: { zh: 'WMS事件编号', en: 'WMS event ids' },
  financeEntryIds: { zh: '财务分录行编号', en: 'Finance entry ids' },
  explanation: { zh: '说明', en: 'Explanation' },
  explanationZh: { zh: '中文说明', en: 'Explanation in Chinese' },
  workflow: { zh: '原因 / 整改 / 负责人', en: 'Cause / rectification / owner' },
  cause: { zh: '原因', en: 'Cause' },
  rectification: { zh: '整改措施', en: 'Rectification' },
  owner: { zh: '负责人', en: 'Owner' },
  status: { zh: '处理状态', en: 'Status' },
  count: { zh: '项数', en: 'Count' },
  total: { zh: '合计', en: 'Total' },
  others: { zh: '其他仓库', en: 'Other warehouses' },
  line: { zh: '行号', en: 'Line' },
  field: { zh: '字段', en: 'Field' },
  reason: { zh: '拒收原因', en: 'Reason' },
  warehouseLead: { zh: '仓库负责人', en: 'Warehouse lead' },
  financeReviewer: { zh: '财务复核', en: 'Finance reviewer' },
  signature: { zh: '签字', en: 'Signature' },
  date: { zh: '日期', en: 'Date' },
  dueDay: { zh: '到期日', en: 'Due' },
  overdue: { zh: '逾期', en: 'Overdue' },
  openItems: { zh: '未结项', en: 'Open items' },
  redItems: { zh: '红灯项', en: 'RED items' },
  caseState: { zh: '案件状态', en: 'Case state' },
  thisPeriod: { zh: '本期', en: 'This period' },
  previousPeriod: { zh: '上期', en: 'Previous period' },
  change: { zh: '变动', en: 'Change' },
  deliveries: { zh: '批次', en: 'Deliveries' },
  duplicates: { zh: '重复', en: 'Duplicates' },
} as const satisfies Record<string, Bilingual>;

export const SOURCE_LABELS: Readonly<Record<string, Bilingual>> = {
  wms: { zh: 'WMS出入库记录', en: 'WMS movements' },
  finance: { zh: '财务分录', en: 'Finance entries' },
  uom: { zh: '计量单位换算表', en: 'Unit conversions' },
  costs: { zh: '标准成本表', en: 'Standard costs' },
};

/**
 * What the exception workflow says about a discrepancy; until it exists every item is open.
 * `resolved` only once a run found the group agreeing; `accepted`: its difference was written off
 * (accept-difference) and stays; `awaiting-books`: a resolution is approved, the books not yet agree.
 */
export interface WorkflowNote {
  status: 'open' | 'in-progress' | 'awaiting-books' | 'accepted' | 'resolved';
  cause?: string | undefined;
  rectification?: string | undefined;
  owner?: string | undefined;
  /** The case's own state, for the progress table (undefined: no case). */
  caseState?: CaseState | undefined;
  /** The root cause's code, for the cause analysis. */
  causeCode?: RootCauseCode | undefined;
  /** ISO instant the books are due to agree by (a case awaiting the books). */
  dueBy?: string | undefined;
}

/** Looks a group up in the exception workflow (by the stable groupKey of a discrepancy). */
export type WorkflowLookup = (groupKey: string) => WorkflowNote | undefined;

export const WORKFLOW_STATUS: Readonly<Record<WorkflowNote['status'], Bilingual>> = {
  open: { zh: '待处理', en: 'open' },
  'in-progress': { zh: '处理中', en: 'in progress' },
  'awaiting-books': { zh: '已审批待入账', en: 'approved, awaiting the books' },
  accepted: { zh: '差异已核销', en: 'difference accepted' },
  resolved: { zh: '已解决', en: 'resolved' },
};

/** The figures of summary.json the report reads; the CLI's Summary and a run's summary both fit. */
export interface ReportSummary {
  asOf: string;
  timezone: string;
  lagHours: number;
  groupsSeen: number;
  groupsMatched: number;
  matchRate: string;
  discrepancies: number;
  moneyAtStake: { total: string };
  inputs: Readonly<
    Record<
      string,
      | { file: string; rows: number; rejected: number; accepted?: number | undefined; duplicates?: number }
      | undefined
    >
  >;
  rejected: readonly { file: string; line: number; field: string | null; reason: string; source: string }[];
  run?: { generatedAt?: string | undefined } | undefined;
}

/** One person who signs the report: the role they sign as and their name (configuration). */
export interface Signatory {
  role: string;
  name: string;
}

/** Without configuration: the two boxes the report always had, the names left to be written in. */
export const DEFAULT_SIGNATORIES: readonly Signatory[] = [
  { role: `${'仓库负责人'} Warehouse lead`, name: '' },
  { role: `${'财务复核'} Finance reviewer`, name: '' },
];

/** A run's figures as the comparison with the previous period reads them (a run's summary fits). */
export interface PeriodFigures {
  period: string;
  runId: string;
  asOf: string;
  groupsSeen: number;
  groupsMatched: number;
  matchRate: string;
  discrepancies: number;
  bySeverity: Record<Severity, number>;
  moneyAtStake: { total: string } & Record<Severity, string>;
}

/** One input of the run as the data-sources table lists it: a file or drop, or a source's webhooks. */
export interface SourceInput {
  source: string;
  file: string;
  rows: number;
  accepted: number | null;
  rejected: number;
  duplicates?: number | undefined;
  /** How many deliveries the line stands for (webhook calls folded into one line). */
  deliveries?: number | undefined;
}

/** Who and what the report is about, beyond the summary. */
export interface ReportRunInfo {
  runId: string;
  /** Shown on the cover; "Stocktally" unless the caller names the company (configuration). */
  company?: string | undefined;
  /** Who signs: one box each (configuration); by default warehouse lead and finance reviewer. */
  signatories?: readonly Signatory[] | undefined;
  /**
   * The accounting period reported; when absent it follows from `mode` (a close of the period
   * before asOf, the live period holding asOf), else the periods the discrepancies fall in.
   */
  period?: string | undefined;
  mode?: 'close' | 'continuous' | undefined;
  /** ISO instant; by default the summary's generatedAt. */
  generatedAt?: string | undefined;
  /** The run's inputs; by default the summary's `inputs` (one file per source, the CLI's). */
  sources?: readonly SourceInput[] | undefined;
  /** The previous period's close: its figures, null when there is none, undefined to leave it out. */
  previous?: PeriodFigures | null | undefined;
}

export interface ReportOptions {
  /** How many of the largest discrepancies get their own section (20). */
  topCount?: number;
  /** How many discrepancies the PDF's detail lists, by severity then money (500); the XLSX has all. */
  detailCount?: number;
  /** Days from first seen to due, by severity (RED 0: the same day). */
  dueDays?: DueDays | undefined;
  /** Warehouses drawn in the heat map before the rest fold into one row (16). */
  heatMapWarehouses?: number;
  workflow?: WorkflowLookup | undefined;
}

/** One discrepancy as every renderer shows it: decimals stay exact strings, labels are ready. */
export interface DetailRow {
  groupKey: string;
  severity: Severity;
  kind: Kind;
  warehouseId: string;
  sku: string;
  documentRef: string;
  uom: string;
  wmsQuantity: string;
  financeQuantity: string;
  quantityDelta: string;
  unitCost: string | null;
  expectedAmount: string | null;
  financeAmount: string;
  amountDelta: string | null;
  moneyAtStake: string;
  wmsTypes: string;
  financeTypes: string;
  latestEventAt: string | null;
  latestPostingAt: string | null;
  wmsEventIds: string;
  financeEntryIds: string;
  explanation: string;
  /** The same in Chinese (CONTRACT §11); empty for a discrepancy stored before it was made. */
  explanationZh: string;
  workflow: WorkflowNote;
  /** "待处理 open", or the workflow's cause / rectification / owner. */
  workflowText: string;
  /** The day the item is due (YYYY-MM-DD), null once settled. */
  dueDay: string | null;
  overdue: boolean;
}

export interface HeatCell {
  kind: Kind;
  count: number;
  /** Exact sum of the cell's money at stake, 2 places. */
  money: string;
  /** 0..1: the cell's money against the largest cell's, for the colour. */
  intensity: number;
}

export interface HeatRow {
  warehouseId: string;
  /** True for the row that folds the warehouses beyond the drawn ones. */
  others: boolean;
  /** How many warehouses the row stands for (1 unless `others`). */
  warehouses: number;
  cells: HeatCell[];
  count: number;
  money: string;
}

export interface HeatMap {
  kinds: readonly Kind[];
  rows: HeatRow[];
  totals: { kind: Kind; count: number; money: string }[];
  count: number;
  money: string;
  /** The largest cell's money: the top of the colour scale. */
  maxCellMoney: string;
}

export interface SourceFigures extends SourceInput {
  label: Bilingual;
}

/** One line of the comparison with the previous period; `previous`/`change` null without one. */
export interface ComparisonLine {
  label: Bilingual;
  current: string;
  previous: string | null;
  change: string | null;
  /** Money lines are shown with thousands separators. */
  money: boolean;
  /** Which way is better (more matched, fewer differences); undefined for a neutral figure. */
  better?: 'up' | 'down' | undefined;
}

export interface ReportModel {
  title: Bilingual;
  sections: { id: SectionId; title: Bilingual }[];
  cover: {
    company: string;
    period: string;
    asOf: string;
    timezone: string;
    lagHours: number;
    runId: string;
    generatedAt: string;
    sources: SourceFigures[];
    rejectedRows: number;
    signatories: readonly Signatory[];
  };
  kpis: {
    groupsSeen: number;
    groupsMatched: number;
    /** Percent with two places, from the summary's exact ratio: "92.00". */
    matchRatePercent: string;
    discrepancies: number;
    moneyAtStake: Record<Severity | 'total', string>;
    countBySeverity: Record<Severity, number>;
    openRed: number;
  };
  byKind: { kind: Kind; count: number; money: string }[];
  heatMap: HeatMap;
  top: DetailRow[];
  /** The PDF's detail: the first `detailCount` discrepancies by severity, then money, descending. */
  detail: DetailRow[];
  /** Discrepancies not in `detail` (the XLSX and CSV list every one, in the same order). */
  detailOmitted: number;
  analysis: WorkflowAnalysis;
  /** Undefined when the caller asked for no comparison (a CLI run). */
  comparison?: { previous: PeriodFigures | null; lines: ComparisonLine[] } | undefined;
  rejected: ReportSummary['rejected'];
  /** Whether the rows add up to the summary's own figures (a partial list would not). */
  consistency: {
    agrees: boolean;
    summaryCount: number;
    rowCount: number;
    summaryMoney: string;
    rowMoney: string;
  };
}

export const OPEN: WorkflowNote = { status: 'open' };

function exact(text: string, field: string): Decimal {
  const parsed = parseDecimal(text);
  // The engine writes these fields itself: a non-decimal is a bug upstream, not bad input.
  if (!parsed.ok) throw new Error(`discrepancy ${field} ${parsed.reason}`);
  return parsed.value;
}

function typeNames(types: readonly MovementType[]): string {
  return types.map((t) => `${MOVEMENT_TYPE_ZH[t]} ${t}`).join(', ');
}

export function workflowText(note: WorkflowNote): string {
  const status = WORKFLOW_STATUS[note.status];
  const parts = [note.cause, note.rectification, note.owner].filter(
    (p): p is string => p !== undefined && p !== '',
  );
  return parts.length === 0 ? `${status.zh} ${status.en}` : `${status.zh} ${status.en}: ${parts.join(' / ')}`;
}

/** When an item is due and whether it is overdue (report-analysis.ts); none for a settled item. */
export interface DueNote {
  dueDay: string | null;
  overdue: boolean;
}

export function toDetailRow(d: Discrepancy, workflow?: WorkflowLookup, due?: DueNote): DetailRow {
  const note = workflow?.(d.groupKey) ?? OPEN;
  return {
    groupKey: d.groupKey,
    severity: d.severity,
    kind: d.kind,
    warehouseId: d.warehouseId,
    sku: d.sku,
    documentRef: d.documentRef,
    uom: d.uom,
    wmsQuantity: d.wmsQuantity,
    financeQuantity: d.financeQuantity,
    quantityDelta: d.quantityDelta,
    unitCost: d.unitCost,
    expectedAmount: d.expectedAmount,
    financeAmount: d.financeAmount,
    amountDelta: d.amountDelta,
    moneyAtStake: d.moneyAtStake,
    wmsTypes: typeNames(d.wmsTypes),
    financeTypes: typeNames(d.financeTypes),
    latestEventAt: d.latestEventAt,
    latestPostingAt: d.latestPostingAt,
    wmsEventIds: d.wmsEventIds.join(' '),
    financeEntryIds: d.financeEntryIds.join(' '),
    explanation: d.explanation,
    explanationZh: d.explanationZh ?? '',
    workflow: note,
    workflowText: workflowText(note),
    dueDay: due?.dueDay ?? null,
    overdue: due?.overdue ?? false,
  };
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { RED: 0, YELLOW: 1, GREEN: 2 };

/** What orders the report's detail: severity (RED first), then money at stake, largest first. */
export interface OrderKey {
  severity: Severity;
  money: Decimal;
  groupKey: string;
  /**
   * The severity's rank and the money as a double, compared first because that is fast: a double
   * never orders two amounts the wrong way round (conversion is monotonic), and where two differ
   * by less than it can tell, the exact amounts decide.
   */
  rank: number;
  approx: number;
}

/** Negative when `a` comes first: RED before YELLOW before GREEN, more money first, then the group. */
export function reportOrder(a: OrderKey, b: OrderKey): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.approx !== b.approx) return b.approx - a.approx;
  if (a.money !== b.money) return a.money > b.money ? -1 : 1;
  return a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0;
}

/** A discrepancy's order key; its money at stake parsed exactly. */
export function orderKeyOf(d: Pick<Discrepancy, 'severity' | 'moneyAtStake' | 'groupKey'>): OrderKey {
  const money = exact(d.moneyAtStake, 'moneyAtStake');
  return {
    severity: d.severity,
    money,
    groupKey: d.groupKey,
    rank: SEVERITY_RANK[d.severity],
    approx: Number(money),
  };
}

/**
 * The accounting period a report names: the one asked for; else a close's (the period holding the
 * instant before its asOf) or a continuous run's (the period holding its asOf), in the zone.
 */
export function reportPeriod(
  run: Pick<ReportRunInfo, 'period' | 'mode'>,
  asOf: string,
  timezone: string,
): string | undefined {
  if (run.period !== undefined) return run.period;
  if (run.mode === undefined || Number.isNaN(Date.parse(asOf))) return undefined;
  const zone = new ZoneClock(timezone);
  return run.mode === 'close' ? closedPeriod(asOf, zone) : zone.periodOf(Date.parse(asOf));
}

export function severityLabel(s: Severity): string {
  return `${SEVERITY_ZH[s]} ${s}`;
}

export function kindLabel(k: Kind): Bilingual {
  return { zh: KIND_ZH[k], en: KIND_EN[k] };
}

interface Ranked {
  key: OrderKey;
  row: DetailRow;
}

/** Larger money first; equal money in groupKey order, so the list is the same on every run. */
function byMoney(a: OrderKey, b: OrderKey): number {
  if (a.approx !== b.approx) return b.approx - a.approx;
  return a.money !== b.money ? (a.money > b.money ? -1 : 1) : a.groupKey < b.groupKey ? -1 : 1;
}

/** The first `size` items under `order`, kept sorted as items are offered; the rest never built. */
class Leaders {
  readonly items: Ranked[] = [];
  constructor(
    private readonly size: number,
    private readonly order: (a: OrderKey, b: OrderKey) => number,
  ) {}

  offer(key: OrderKey, row: () => DetailRow): void {
    if (this.size <= 0) return;
    const last = this.items[this.items.length - 1];
    // Cheap reject first: most rows of a large run never make the list.
    if (this.items.length >= this.size && last !== undefined && this.order(key, last.key) >= 0) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const at = this.items[mid];
      if (at !== undefined && this.order(at.key, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { key, row: row() });
    if (this.items.length > this.size) this.items.pop();
  }
}

function zeroByKind(): Record<Kind, { count: number; money: Decimal }> {
  return Object.fromEntries(KINDS.map((k) => [k, { count: 0, money: 0n }])) as Record<
    Kind,
    { count: number; money: Decimal }
  >;
}

/** A discrepancy as the pipeline lists it carries the day it was first seen (a run's lifecycle). */
export type ReportedDiscrepancy = Discrepancy & { firstSeen?: string | undefined };

/** Feeds on discrepancies one at a time and keeps only aggregates and the top list. */
export class ReportModelBuilder {
  private readonly topCount: number;
  private readonly workflow: WorkflowLookup | undefined;
  private readonly heatMapWarehouses: number;
  private readonly bySeverity: Record<Severity, { count: number; money: Decimal }> = {
    RED: { count: 0, money: 0n },
    YELLOW: { count: 0, money: 0n },
    GREEN: { count: 0, money: 0n },
  };
  private readonly byKind = zeroByKind();

  /** The kinds the report lists: an optional kind (ACCOUNT_MISMATCH) only when the run found one. */
  private listed(): Kind[] {
    return listedKinds((k) => this.byKind[k].count > 0);
  }
  private readonly byWarehouse = new Map<string, Record<Kind, { count: number; money: Decimal }>>();
  private readonly top: Leaders;
  private readonly detail: Leaders;
  private readonly analyser: WorkflowAnalyser;
  private readonly zone: ZoneClock;
  private readonly today: string;
  private readonly periods = new Set<string>();
  private rows = 0;
  private openRed = 0;

  constructor(
    private readonly run: ReportRunInfo,
    private readonly summary: ReportSummary,
    options: ReportOptions = {},
  ) {
    this.topCount = options.topCount ?? 20;
    this.heatMapWarehouses = options.heatMapWarehouses ?? 16;
    this.workflow = options.workflow;
    this.top = new Leaders(this.topCount, byMoney);
    this.detail = new Leaders(options.detailCount ?? 500, reportOrder);
    this.zone = new ZoneClock(summary.timezone);
    const asOf = Date.parse(summary.asOf);
    this.today = Number.isNaN(asOf) ? '' : localDay(summary.asOf, this.zone);
    this.analyser = new WorkflowAnalyser(this.today, asOf, options.dueDays ?? DEFAULT_DUE_DAYS);
  }

  private item(d: ReportedDiscrepancy, note: WorkflowNote, money: Decimal): AnalysedItem {
    return {
      severity: d.severity,
      money,
      caseState: note.caseState,
      causeCode: note.causeCode,
      owner: note.owner,
      dueBy: note.dueBy,
      dueByDay:
        note.dueBy === undefined || Number.isNaN(Date.parse(note.dueBy))
          ? undefined
          : localDay(note.dueBy, this.zone),
      firstSeenDay:
        d.firstSeen === undefined || Number.isNaN(Date.parse(d.firstSeen))
          ? undefined
          : localDay(d.firstSeen, this.zone),
      settled: note.status === 'resolved' || note.status === 'accepted',
    };
  }

  /** The row every renderer shows for `d`: its labels, its case and its due day. */
  detailRow(d: ReportedDiscrepancy): DetailRow {
    const note = this.workflow?.(d.groupKey) ?? OPEN;
    const item = this.item(d, note, 0n);
    return toDetailRow(d, this.workflow, {
      dueDay: this.analyser.dueDay(item) ?? null,
      overdue: this.analyser.isOverdue(item),
    });
  }

  add(d: ReportedDiscrepancy): void {
    const money = exact(d.moneyAtStake, 'moneyAtStake');
    this.rows++;
    const severity = this.bySeverity[d.severity];
    severity.count++;
    severity.money += money;
    const kind = this.byKind[d.kind];
    kind.count++;
    kind.money += money;
    let cells = this.byWarehouse.get(d.warehouseId);
    if (cells === undefined) {
      cells = zeroByKind();
      this.byWarehouse.set(d.warehouseId, cells);
    }
    cells[d.kind].count++;
    cells[d.kind].money += money;
    if (d.wmsPeriod !== null) this.periods.add(d.wmsPeriod);
    if (d.financePeriod !== null) this.periods.add(d.financePeriod);
    const note = this.workflow?.(d.groupKey) ?? OPEN;
    if (d.severity === 'RED' && note.status !== 'resolved' && note.status !== 'accepted') this.openRed++;
    this.analyser.add(this.item(d, note, money));
    const key: OrderKey = {
      severity: d.severity,
      money,
      groupKey: d.groupKey,
      rank: SEVERITY_RANK[d.severity],
      approx: Number(money),
    };
    this.top.offer(key, () => this.detailRow(d));
    this.detail.offer(key, () => this.detailRow(d));
  }

  build(): ReportModel {
    const s = this.summary;
    const total = SEVERITIES.reduce((acc, sev) => acc + this.bySeverity[sev].money, 0n);
    const summaryMoney = parseDecimal(s.moneyAtStake.total);
    const rowMoney = formatMoney(total);
    const period = reportPeriod(this.run, s.asOf, s.timezone) ?? this.period();
    const kpis: ReportModel['kpis'] = {
      groupsSeen: s.groupsSeen,
      groupsMatched: s.groupsMatched,
      matchRatePercent: percent(s.matchRate),
      discrepancies: this.rows,
      moneyAtStake: {
        total: rowMoney,
        RED: formatMoney(this.bySeverity.RED.money),
        YELLOW: formatMoney(this.bySeverity.YELLOW.money),
        GREEN: formatMoney(this.bySeverity.GREEN.money),
      },
      countBySeverity: {
        RED: this.bySeverity.RED.count,
        YELLOW: this.bySeverity.YELLOW.count,
        GREEN: this.bySeverity.GREEN.count,
      },
      openRed: this.openRed,
    };
    return {
      title: REPORT_TITLE,
      sections: SECTION_IDS.map((id) => ({ id, title: SECTION_TITLES[id] })),
      cover: {
        company: this.run.company ?? 'Stocktally',
        period,
        asOf: s.asOf,
        timezone: s.timezone,
        lagHours: s.lagHours,
        runId: this.run.runId,
        generatedAt: this.run.generatedAt ?? s.run?.generatedAt ?? s.asOf,
        sources: sourceFigures(s, this.run.sources),
        rejectedRows: s.rejected.length,
        signatories: this.run.signatories ?? DEFAULT_SIGNATORIES,
      },
      kpis,
      byKind: this.listed().map((k) => ({
        kind: k,
        count: this.byKind[k].count,
        money: formatMoney(this.byKind[k].money),
      })),
      heatMap: this.heatMap(),
      top: this.top.items.map((r) => r.row),
      detail: this.detail.items.map((r) => r.row),
      detailOmitted: this.rows - this.detail.items.length,
      analysis: this.analyser.build(),
      comparison: this.run.previous === undefined ? undefined : comparison(s, kpis, this.run.previous),
      rejected: s.rejected,
      consistency: {
        agrees: this.rows === s.discrepancies && summaryMoney.ok && summaryMoney.value === total,
        summaryCount: s.discrepancies,
        rowCount: this.rows,
        summaryMoney: s.moneyAtStake.total,
        rowMoney,
      },
    };
  }

  private period(): string {
    const sorted = [...this.periods].sort();
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    if (first === undefined || last === undefined) {
      const asOf = Date.parse(this.summary.asOf);
      return Number.isNaN(asOf) ? '' : new ZoneClock(this.summary.timezone).periodOf(asOf);
    }
    return first === last ? first : `${first} – ${last}`;
  }

  private heatMap(): HeatMap {
    const warehouses = [...this.byWarehouse.entries()].map(([id, cells]) => {
      let money = 0n;
      let count = 0;
      for (const k of KINDS) {
        money += cells[k].money;
        count += cells[k].count;
      }
      return { id, cells, money, count };
    });
    // The warehouses with the most at stake first; the id breaks ties so the order is stable.
    warehouses.sort((a, b) => (a.money !== b.money ? (a.money > b.money ? -1 : 1) : a.id < b.id ? -1 : 1));
    const limit = Math.max(1, this.heatMapWarehouses);
    // Folding a single warehouse into "others" would hide its name for nothing.
    const shown = warehouses.length > limit ? warehouses.slice(0, limit - 1) : warehouses;
    const folded = warehouses.slice(shown.length);
    const rows: {
      id: string;
      others: boolean;
      warehouses: number;
      cells: Record<Kind, { count: number; money: Decimal }>;
    }[] = shown.map((w) => ({ id: w.id, others: false, warehouses: 1, cells: w.cells }));
    if (folded.length > 0) {
      const cells = zeroByKind();
      for (const w of folded) {
        for (const k of KINDS) {
          cells[k].count += w.cells[k].count;
          cells[k].money += w.cells[k].money;
        }
      }
      rows.push({ id: '', others: true, warehouses: folded.length, cells });
    }
    let maxCell = 0n;
    for (const r of rows) for (const k of KINDS) if (r.cells[k].money > maxCell) maxCell = r.cells[k].money;
    const intensity = (money: Decimal): number =>
      maxCell === 0n || money === 0n ? 0 : Number((money * 10_000n) / maxCell) / 10_000;
    let money = 0n;
    let count = 0;
    for (const k of KINDS) {
      money += this.byKind[k].money;
      count += this.byKind[k].count;
    }
    const kinds = this.listed();
    return {
      kinds,
      rows: rows.map((r) => {
        let rowMoney = 0n;
        let rowCount = 0;
        for (const k of KINDS) {
          rowMoney += r.cells[k].money;
          rowCount += r.cells[k].count;
        }
        return {
          warehouseId: r.id,
          others: r.others,
          warehouses: r.warehouses,
          cells: kinds.map((k) => ({
            kind: k,
            count: r.cells[k].count,
            money: formatMoney(r.cells[k].money),
            intensity: intensity(r.cells[k].money),
          })),
          count: rowCount,
          money: formatMoney(rowMoney),
        };
      }),
      totals: kinds.map((k) => ({
        kind: k,
        count: this.byKind[k].count,
        money: formatMoney(this.byKind[k].money),
      })),
      count,
      money: formatMoney(money),
      maxCellMoney: formatMoney(maxCell),
    };
  }
}

function percent(ratio: string): string {
  const parsed = parseDecimal(ratio);
  return parsed.ok ? formatDecimal(parsed.value * 100n, 2) : ratio;
}

const SOURCE_ORDER = ['wms', 'finance', 'uom', 'costs', 'rates', 'codes'];

function sourceFigures(s: ReportSummary, given: readonly SourceInput[] | undefined): SourceFigures[] {
  const label = (source: string): Bilingual => SOURCE_LABELS[source] ?? { zh: source, en: source };
  if (given !== undefined) {
    const rank = (source: string): number =>
      SOURCE_ORDER.includes(source) ? SOURCE_ORDER.indexOf(source) : SOURCE_ORDER.length;
    return [...given]
      .sort((a, b) => rank(a.source) - rank(b.source) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
      .map((input) => ({ ...input, label: label(input.source) }));
  }
  const names = [
    ...SOURCE_ORDER.filter((k) => s.inputs[k] !== undefined),
    ...Object.keys(s.inputs).filter((k) => !SOURCE_ORDER.includes(k)),
  ];
  const figures: SourceFigures[] = [];
  for (const name of names) {
    const input = s.inputs[name];
    if (input === undefined) continue;
    figures.push({
      source: name,
      label: label(name),
      file: input.file,
      rows: input.rows,
      accepted: input.accepted ?? null,
      rejected: input.rejected,
    });
  }
  return figures;
}

/** Exact difference of two decimal texts, signed ("+1,000.00" style is the renderer's). */
function difference(current: string, previous: string, places: number): string {
  const a = parseDecimal(current);
  const b = parseDecimal(previous);
  if (!a.ok || !b.ok) return '';
  const delta = a.value - b.value;
  const text = places === 2 ? formatMoney(delta) : formatDecimal(delta, places);
  return delta > 0n ? `+${text}` : text;
}

function comparison(
  s: ReportSummary,
  kpis: ReportModel['kpis'],
  previous: PeriodFigures | null,
): { previous: PeriodFigures | null; lines: ComparisonLine[] } {
  const lines: ComparisonLine[] = [];
  const count = (
    label: Bilingual,
    current: number,
    before: number | undefined,
    better?: ComparisonLine['better'],
  ): void => {
    const change = before === undefined ? null : current - before;
    lines.push({
      label,
      current: String(current),
      previous: before === undefined ? null : String(before),
      change: change === null ? null : change > 0 ? `+${change}` : String(change),
      money: false,
      better,
    });
  };
  const money = (label: Bilingual, current: string, before: string | undefined): void => {
    lines.push({
      label,
      current,
      previous: before ?? null,
      change: before === undefined ? null : difference(current, before, 2),
      money: true,
      better: 'down',
    });
  };
  const p = previous ?? undefined;
  count(LABELS.groupsSeen, s.groupsSeen, p?.groupsSeen);
  count(LABELS.groupsMatched, s.groupsMatched, p?.groupsMatched, 'up');
  const rate = percent(s.matchRate);
  const before = p === undefined ? undefined : percent(p.matchRate);
  lines.push({
    label: { zh: `${LABELS.matchRate.zh} (%)`, en: `${LABELS.matchRate.en} (%)` },
    current: rate,
    previous: before ?? null,
    change: before === undefined ? null : difference(rate, before, 2),
    money: false,
    better: 'up',
  });
  count(LABELS.discrepancies, kpis.discrepancies, p?.discrepancies, 'down');
  for (const sev of SEVERITIES) {
    count({ zh: SEVERITY_ZH[sev], en: sev }, kpis.countBySeverity[sev], p?.bySeverity[sev], 'down');
  }
  money(
    { zh: `${LABELS.moneyAtStake.zh}合计`, en: `${LABELS.moneyAtStake.en}, total` },
    kpis.moneyAtStake.total,
    p?.moneyAtStake.total,
  );
  for (const sev of SEVERITIES) {
    money(
      { zh: `${SEVERITY_ZH[sev]}${LABELS.moneyAtStake.zh}`, en: `${sev} money at stake` },
      kpis.moneyAtStake[sev],
      p?.moneyAtStake[sev],
    );
  }
  return { previous, lines };
}

/** The whole model from a list already in memory (tests, small runs). */
export function buildReportModel(
  run: ReportRunInfo,
  summary: ReportSummary,
  discrepancies: Iterable<Discrepancy>,
  options?: ReportOptions,
): ReportModel {
  const builder = new ReportModelBuilder(run, summary, options);
  for (const d of discrepancies) builder.add(d);
  return builder.build();
}
