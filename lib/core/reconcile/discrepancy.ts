import type { MovementType } from '../records/movement-type.js';
import type { PredictedCause, SuggestedMatch } from '../diagnosis/diagnosis-facts.js';

/** The discrepancy kinds of CONTRACT §2, in the order the one-sided and two-sided rules apply. */
export const KINDS = [
  'MISSING_IN_WMS',
  'MISSING_IN_FINANCE',
  'TIMING_LAG',
  'TYPE_MISMATCH',
  'ACCOUNT_MISMATCH',
  'DUPLICATE_POSTING',
  'QUANTITY_MISMATCH',
  'AMOUNT_MISMATCH',
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Kinds a run finds only when asked to look (ACCOUNT_MISMATCH needs the account mapping, CONTRACT
 * §10). Summaries, reports and heat maps list them only when found or checked, so a run without
 * the flag reads exactly as before.
 */
export type OptionalKind = 'ACCOUNT_MISMATCH';
export const OPTIONAL_KINDS: ReadonlySet<Kind> = new Set<OptionalKind>(['ACCOUNT_MISMATCH']);

/** A figure per kind as outputs list them: the optional kinds only when found or checked. */
export type PerKind<V> = Record<Exclude<Kind, OptionalKind>, V> & Partial<Record<OptionalKind, V>>;

/** The kinds an output lists: every kind, an optional one only when `shown` says so. */
export function listedKinds(shown: (kind: Kind) => boolean): Kind[] {
  return KINDS.filter((k) => !OPTIONAL_KINDS.has(k) || shown(k));
}

export const KIND_ZH: Readonly<Record<Kind, string>> = {
  MISSING_IN_WMS: 'WMS缺失(财务有记录)',
  MISSING_IN_FINANCE: '财务缺失(WMS有记录)',
  TIMING_LAG: '时间滞后差异',
  TYPE_MISMATCH: '业务类型不匹配',
  ACCOUNT_MISMATCH: '科目不符',
  DUPLICATE_POSTING: '重复记账',
  QUANTITY_MISMATCH: '数量差异',
  AMOUNT_MISMATCH: '金额差异',
};

export const KIND_EN: Readonly<Record<Kind, string>> = {
  MISSING_IN_WMS: 'Missing in WMS',
  MISSING_IN_FINANCE: 'Missing in finance',
  TIMING_LAG: 'Timing lag',
  TYPE_MISMATCH: 'Type mismatch',
  ACCOUNT_MISMATCH: 'Account mismatch',
  DUPLICATE_POSTING: 'Duplicate posting',
  QUANTITY_MISMATCH: 'Quantity mismatch',
  AMOUNT_MISMATCH: 'Amount mismatch',
};

export const SEVERITIES = ['RED', 'YELLOW', 'GREEN'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_ZH: Readonly<Record<Severity, string>> = { RED: '红灯', YELLOW: '黄灯', GREEN: '绿灯' };

export type UnitCostSource = 'standard' | 'wms' | 'average';

/** One non-agreeing group, as written to discrepancies.json (decimals as strings). */
export interface Discrepancy {
  /** Stable identity of the group across runs: warehouseId, sku, documentRef. */
  groupKey: string;
  kind: Kind;
  severity: Severity;
  warehouseId: string;
  sku: string;
  documentRef: string;
  uom: string;
  wmsQuantity: string;
  financeQuantity: string;
  quantityDelta: string;
  unitCost: string | null;
  unitCostSource: UnitCostSource | null;
  financeUnitCost: string | null;
  expectedAmount: string | null;
  financeAmount: string;
  amountDelta: string | null;
  moneyAtStake: string;
  wmsTypes: MovementType[];
  financeTypes: MovementType[];
  latestEventAt: string | null;
  latestPostingAt: string | null;
  wmsPeriod: string | null;
  financePeriod: string | null;
  /**
   * Only in a period reconciliation (CONTRACT §7): the period of the group's latest record when it
   * is an open item carried forward from an earlier period (null for a group with a record in the
   * period), and whole days from the group's first record to asOf.
   */
  carriedFrom?: string | null;
  ageDays?: number;
  /**
   * Only when currencies are converted (CONTRACT §10): the finance lines' own currency and their
   * amount in it, beside the converted amounts (several currencies: the codes, and no amount).
   */
  currency?: string | null;
  originalAmount?: string | null;
  /** Only when accounts are checked (CONTRACT §10): the finance lines booked outside the mapping. */
  misbookedEntryIds?: string[];
  wmsEventIds: string[];
  financeEntryIds: string[];
  /** Finance lines that look like repeats of another line (DUPLICATE_POSTING only). */
  duplicateEntryIds: string[];
  explanation: string;
  /** The same explanation in Chinese, with the same numbers and CONTRACT §6's vocabulary (§11). */
  explanationZh: string;
  /** Rejected input rows that name the same documentRef: the likely cause of a one-sided group. */
  rejectedRows: { file: string; line: number; reason: string }[];
  /**
   * One-sided discrepancies only (CONTRACT §11): groups of the other side in the same warehouse that
   * are probably the same transaction under a mistyped documentRef or sku, best first, at most 3.
   */
  suggestedMatches?: SuggestedMatch[];
  /** Only where closed cases give history to learn from: the likely root cause. */
  predictedCause?: PredictedCause;
  /** One-sided TIMING_LAG with arrival history only: how likely the other side comes inside the lag window. */
  clearingProbability?: number;
  /** Pipeline only (CONTRACT §7): a record of the group arrived after its period was locked. */
  lateArrival?: true;
}

export const DISCREPANCY_FIELDS: readonly (keyof Discrepancy)[] = [
  'kind',
  'severity',
  'warehouseId',
  'sku',
  'documentRef',
  'uom',
  'wmsQuantity',
  'financeQuantity',
  'quantityDelta',
  'unitCost',
  'unitCostSource',
  'financeUnitCost',
  'expectedAmount',
  'financeAmount',
  'amountDelta',
  'moneyAtStake',
  'wmsTypes',
  'financeTypes',
  'latestEventAt',
  'latestPostingAt',
  'wmsPeriod',
  'financePeriod',
  'wmsEventIds',
  'financeEntryIds',
  'duplicateEntryIds',
  'explanation',
  'explanationZh',
  'rejectedRows',
  'suggestedMatches',
  'groupKey',
];

/** The columns of a period reconciliation: the open-item facts beside the periods they qualify. */
export const PERIOD_DISCREPANCY_FIELDS: readonly (keyof Discrepancy)[] = DISCREPANCY_FIELDS.flatMap((f) =>
  f === 'financePeriod' ? [f, 'carriedFrom' as const, 'ageDays' as const] : [f],
);

/** What a run adds to its discrepancies beyond CONTRACT §2: each only when its flag is given. */
export interface DiscrepancyExtras {
  period?: boolean;
  currency?: boolean;
  accounts?: boolean;
}

/** The columns of a run: each added fact beside the figure it qualifies. */
export function discrepancyColumns(extras: DiscrepancyExtras): readonly (keyof Discrepancy)[] {
  const base = extras.period === true ? PERIOD_DISCREPANCY_FIELDS : DISCREPANCY_FIELDS;
  if (extras.currency !== true && extras.accounts !== true) return base;
  return base.flatMap((f): (keyof Discrepancy)[] => {
    if (f === 'financeAmount' && extras.currency === true) return [f, 'currency', 'originalAmount'];
    if (f === 'duplicateEntryIds' && extras.accounts === true) return [f, 'misbookedEntryIds'];
    return [f];
  });
}
