import { abs, formatDecimal, formatMoney, parseDecimal, type Decimal } from '../shared/decimal.js';
import type { Discrepancy } from '../reconcile/discrepancy.js';
import { MOVEMENT_TYPE_ZH, isMovementType } from '../records/movement-type.js';
import type { Source } from '../records/records.js';
import type { Settings } from '../reconcile/settings.js';
import { withinTolerance } from '../reconcile/tolerance.js';
import type { SuggestedMatch } from './diagnosis-facts.js';
import {
  compareCodes,
  compareForms,
  describeLikeness,
  likenessScore,
  normalForms,
  type CodeLikeness,
} from './reference-normalise.js';

/**
 * Suggested matches (CONTRACT §11): a one-sided discrepancy is often one half of a transaction whose
 * other half was booked under a mistyped document reference or sku, and shows up as a second
 * one-sided discrepancy of the other side in the same warehouse. Pairs are scored on the codes'
 * likeness (reference-normalise.ts), equal or near quantity and amount, type and date distance.
 *
 * Never all pairs: candidates are blocked by (warehouse, side, sign and ~6 % quantity band) and,
 * inside a block sorted by time, by a date window; both are as wide as a pair that could still be
 * shown needs, no wider.
 * Each pair is scored once and its score shown on both sides, so the suggestion is symmetric.
 */
export type { SuggestedMatch };

/** What the suggester needs of a one-sided discrepancy. */
export interface MatchSubject {
  groupKey: string;
  /** The side the group has records on; its candidates are groups of the other side. */
  side: Source;
  warehouseId: string;
  sku: string;
  documentRef: string;
  uom: string;
  quantity: Decimal;
  /** The WMS side's expected amount (when it has a unit cost) or the finance amount. */
  amount: Decimal | undefined;
  types: readonly string[];
  /** Epoch ms of the side's latest record. */
  at: number;
}

export type MatchSettings = Pick<Settings, 'lagHours' | 'amountTolerance' | 'amountToleranceRate'>;

export interface SuggestOptions {
  settings: MatchSettings;
  /**
   * Candidates farther apart in time are not looked at (days); by default the distance at which
   * the date alone halves a score below the minimum (the lag window and a week at 0.5).
   */
  windowDays?: number;
  /** Suggestions below this score are not shown (default 0.5). */
  minScore?: number;
  /** At most this many per discrepancy (default 3). */
  limit?: number;
}

export const MAX_SUGGESTIONS = 3;
export const MIN_SCORE = 0.5;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Beyond the lag window, each week apart halves a pair's score. */
const HALF_LIFE_HOURS = 7 * 24;
/** Quantities further apart than this never score enough to be shown. */
const MAX_QUANTITY_GAP = 0.05;
/** Quantities within 5 % of each other (a ratio up to 1.0527) fall in the same or adjacent band. */
const BAND_BASE = Math.log(1.06);
/** Both codes mistyped at once is rarer than either alone. */
const BOTH_CODES_FACTOR = 0.8;

const ONE_SIDED_KINDS: ReadonlySet<string> = new Set(['MISSING_IN_WMS', 'MISSING_IN_FINANCE']);

/** MISSING_IN_WMS, MISSING_IN_FINANCE, or a TIMING_LAG with records on one side only. */
export function isOneSided(d: Pick<Discrepancy, 'kind' | 'wmsEventIds' | 'financeEntryIds'>): boolean {
  if (ONE_SIDED_KINDS.has(d.kind)) return true;
  return d.kind === 'TIMING_LAG' && (d.wmsEventIds.length === 0) !== (d.financeEntryIds.length === 0);
}

function decimalOf(text: string | null): Decimal | undefined {
  if (text === null) return undefined;
  const parsed = parseDecimal(text);
  return parsed.ok ? parsed.value : undefined;
}

/** The subject of a one-sided discrepancy, or undefined for any other. */
export function subjectOf(d: Discrepancy): MatchSubject | undefined {
  if (!isOneSided(d)) return undefined;
  const side: Source = d.wmsEventIds.length > 0 ? 'wms' : 'finance';
  const at = Date.parse((side === 'wms' ? d.latestEventAt : d.latestPostingAt) ?? '');
  const quantity = decimalOf(side === 'wms' ? d.wmsQuantity : d.financeQuantity);
  if (Number.isNaN(at) || quantity === undefined) return undefined;
  return {
    groupKey: d.groupKey,
    side,
    warehouseId: d.warehouseId,
    sku: d.sku,
    documentRef: d.documentRef,
    uom: d.uom,
    quantity,
    amount: decimalOf(side === 'wms' ? d.expectedAmount : d.financeAmount),
    types: side === 'wms' ? d.wmsTypes : d.financeTypes,
    at,
  };
}

/** |a - b| / max(|a|, |b|) as a plain ratio: a similarity figure, never a reported sum. */
function relativeGap(a: Decimal, b: Decimal): number {
  const top = abs(a) > abs(b) ? abs(a) : abs(b);
  if (top === 0n) return 0;
  return Number((abs(a - b) * 1_000_000n) / top) / 1_000_000;
}

const sign = (d: Decimal): number => (d > 0n ? 1 : d < 0n ? -1 : 0);

/** The block a subject's candidates are looked for in: warehouse, sign and magnitude band. */
function bandOf(s: MatchSubject): { prefix: string; band: number } | undefined {
  const byQuantity = s.quantity !== 0n;
  const figure = byQuantity ? s.quantity : s.amount;
  if (figure === undefined || figure === 0n) return undefined;
  const magnitude = Number(abs(figure)) / 1_000_000;
  return {
    prefix: `${s.warehouseId}\u0000${byQuantity ? 'q' : 'a'}${sign(figure)}\u0000`,
    band: Math.floor(Math.log(magnitude) / BAND_BASE),
  };
}

interface Figures {
  score: number;
  ref: CodeLikeness;
  sku: CodeLikeness;
  quantityGap: number;
  amount: 'same' | 'near' | 'other' | 'unknown';
  sameType: boolean;
  hours: number;
}

function quantityFactor(gap: number): number | undefined {
  if (gap === 0) return 1;
  if (gap <= 0.001) return 0.95;
  if (gap <= 0.01) return 0.85;
  if (gap <= MAX_QUANTITY_GAP) return 0.6;
  return undefined;
}

/** A subject with its codes' normal forms made once: a subject meets dozens of candidates. */
interface Prepared {
  s: MatchSubject;
  ref: readonly string[];
  sku: readonly string[];
}

const prepare = (s: MatchSubject): Prepared => ({
  s,
  ref: normalForms(s.documentRef),
  sku: normalForms(s.sku),
});

/** How alike a WMS-side and a finance-side group are; undefined when they cannot be one transaction. */
function figuresOf(pw: Prepared, pf: Prepared, settings: MatchSettings): Figures | undefined {
  const { s: w } = pw;
  const { s: f } = pf;
  if (w.warehouseId !== f.warehouseId || w.side === f.side) return undefined;
  const ref = compareForms(w.documentRef, f.documentRef, pw.ref, pf.ref);
  if (ref.kind === 'different') return undefined;
  const sku = compareForms(w.sku, f.sku, pw.sku, pf.sku);
  if (sku.kind === 'different' || (ref.kind === 'same' && sku.kind === 'same')) return undefined;
  let score = likenessScore(ref) * likenessScore(sku);
  if (ref.kind !== 'same' && sku.kind !== 'same') score *= BOTH_CODES_FACTOR;

  if (w.quantity !== 0n && f.quantity !== 0n && sign(w.quantity) !== sign(f.quantity)) return undefined;
  // Value-only groups (no quantity) are matched on their amounts alone, as they are blocked.
  if (w.quantity === 0n && f.quantity === 0n) {
    if (w.amount === undefined || f.amount === undefined || w.amount === 0n) return undefined;
    if (sign(w.amount) !== sign(f.amount) || relativeGap(w.amount, f.amount) > MAX_QUANTITY_GAP)
      return undefined;
  }
  const quantityGap = relativeGap(w.quantity, f.quantity);
  const q = quantityFactor(quantityGap);
  if (q === undefined) return undefined;
  score *= q;

  let amount: Figures['amount'] = 'unknown';
  if (w.amount !== undefined && f.amount !== undefined && (w.amount !== 0n || f.amount !== 0n)) {
    const gap = relativeGap(w.amount, f.amount);
    if (withinTolerance(f.amount - w.amount, w.amount, settings)) amount = 'same';
    else amount = gap <= 0.05 ? 'near' : 'other';
    score *= amount === 'same' ? 1 : gap <= 0.01 ? 0.9 : gap <= 0.05 ? 0.75 : 0.6;
  }
  const sameType = w.types.some((t) => f.types.includes(t));
  if (!sameType) score *= 0.6;
  const hours = Math.abs(w.at - f.at) / HOUR;
  // Inside the lag window the other side is simply late; beyond it, each week halves the belief.
  if (hours > settings.lagHours) score *= 0.5 ** ((hours - settings.lagHours) / HALF_LIFE_HOURS);
  return { score, ref, sku, quantityGap, amount, sameType, hours };
}

/** The pair's score alone (symmetric in its two groups), or undefined when it is no candidate. */
export function scoreMatch(a: MatchSubject, b: MatchSubject, settings: MatchSettings): number | undefined {
  const [w, f] = a.side === 'wms' ? [a, b] : [b, a];
  const figures = figuresOf(prepare(w), prepare(f), settings);
  return figures === undefined ? undefined : shownScore(figures.score);
}

/** Three decimals, never 0: a shown suggestion is always a little likely. */
const shownScore = (score: number): number => Math.min(1, Math.max(0.001, Math.round(score * 1000) / 1000));

const typeZh = (t: string): string => (isMovementType(t) ? MOVEMENT_TYPE_ZH[t] : t);

function span(hours: number): { en: string; zh: string } {
  if (hours < 48) {
    const h = Math.round(hours);
    return { en: `${h} h apart`, zh: `相隔 ${h} 小时` };
  }
  const days = Math.round(hours / 24);
  return { en: `${days} days apart`, zh: `相隔 ${days} 天` };
}

/** The reason `self` is shown `other`, from self's point of view. */
function reasonOf(self: MatchSubject, other: MatchSubject, x: Figures): { en: string; zh: string } {
  const en: string[] = [];
  const zh: string[] = [];
  const code = (field: string, fieldZh: string, l: CodeLikeness, mine: string, theirs: string) => {
    if (l.kind === 'same') {
      en.push(`same ${field}`);
      zh.push(`${fieldZh}相同`);
      return;
    }
    // Described from this side: "theirs has 43 for our 34".
    const d = describeLikeness(compareCodes(theirs, mine));
    en.push(`${field} ${JSON.stringify(theirs)} ${d.en} from ${JSON.stringify(mine)}`);
    zh.push(`${fieldZh} ${JSON.stringify(theirs)} 与 ${JSON.stringify(mine)} ${d.zh}`);
  };
  code('documentRef', '单据号', x.ref, self.documentRef, other.documentRef);
  code('sku', '物料编码', x.sku, self.sku, other.sku);
  const mine = formatDecimal(self.quantity);
  const theirs = formatDecimal(other.quantity);
  if (x.quantityGap === 0) {
    en.push(`same quantity ${mine} ${self.uom}`);
    zh.push(`数量同为 ${mine} ${self.uom}`);
  } else {
    const pct = `${(x.quantityGap * 100).toFixed(1)} %`;
    en.push(`quantity ${theirs} against ${mine} ${self.uom} (${pct} apart)`);
    zh.push(`数量 ${theirs} 对 ${mine} ${self.uom}(相差 ${pct})`);
  }
  if (x.amount === 'same' && other.amount !== undefined) {
    en.push(`same amount ${formatMoney(other.amount)} within tolerance`);
    zh.push(`金额 ${formatMoney(other.amount)} 在容差内相同`);
  } else if (x.amount !== 'unknown' && self.amount !== undefined && other.amount !== undefined) {
    en.push(`amount ${formatMoney(other.amount)} against ${formatMoney(self.amount)}`);
    zh.push(`金额 ${formatMoney(other.amount)} 对 ${formatMoney(self.amount)}`);
  }
  if (x.sameType) {
    const t = self.types.find((type) => other.types.includes(type)) ?? '';
    en.push(`same type ${t}`);
    zh.push(`业务类型同为${typeZh(t)}`);
  } else {
    en.push(`types ${other.types.join('/')} against ${self.types.join('/')}`);
    zh.push(`业务类型 ${other.types.map(typeZh).join('/')} 对 ${self.types.map(typeZh).join('/')}`);
  }
  const s = span(x.hours);
  en.push(s.en);
  zh.push(s.zh);
  return { en: en.join('; '), zh: zh.join(';') };
}

function firstAtOrAfter(list: readonly Prepared[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.s.at ?? Infinity) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byScoreThenCode = (x: SuggestedMatch, y: SuggestedMatch): number =>
  y.score - x.score ||
  (x.documentRef < y.documentRef ? -1 : x.documentRef > y.documentRef ? 1 : 0) ||
  (x.sku < y.sku ? -1 : x.sku > y.sku ? 1 : 0);

/**
 * The suggestions of every subject that has any, by group key, best first and at most `limit`.
 * Subjects of both sides go in together; a subject is only ever matched with the other side.
 */
export function suggestMatches(
  subjects: readonly MatchSubject[],
  options: SuggestOptions,
): Map<string, SuggestedMatch[]> {
  const minScore = options.minScore ?? MIN_SCORE;
  const windowMs =
    options.windowDays !== undefined
      ? options.windowDays * DAY
      : (options.settings.lagHours + HALF_LIFE_HOURS * Math.log2(1 / minScore)) * HOUR;
  const limit = options.limit ?? MAX_SUGGESTIONS;
  const blocks = new Map<string, Prepared[]>();
  for (const s of subjects) {
    if (s.side !== 'finance') continue;
    const b = bandOf(s);
    if (b === undefined) continue;
    const key = b.prefix + b.band;
    const list = blocks.get(key);
    if (list === undefined) blocks.set(key, [prepare(s)]);
    else list.push(prepare(s));
  }
  for (const list of blocks.values()) list.sort((x, y) => x.s.at - y.s.at);

  const found = new Map<string, SuggestedMatch[]>();
  const add = (self: MatchSubject, other: MatchSubject, figures: Figures) => {
    const reason = reasonOf(self, other, figures);
    const match: SuggestedMatch = {
      documentRef: other.documentRef,
      sku: other.sku,
      score: shownScore(figures.score),
      reason: reason.en,
      reasonZh: reason.zh,
    };
    const list = found.get(self.groupKey);
    if (list === undefined) found.set(self.groupKey, [match]);
    else list.push(match);
  };
  for (const w of subjects) {
    if (w.side !== 'wms') continue;
    const b = bandOf(w);
    if (b === undefined) continue;
    let pw: Prepared | undefined;
    for (const band of [b.band - 1, b.band, b.band + 1]) {
      const list = blocks.get(b.prefix + band);
      if (list === undefined) continue;
      for (let i = firstAtOrAfter(list, w.at - windowMs); i < list.length; i++) {
        const pf = list[i];
        if (pf === undefined || pf.s.at > w.at + windowMs) break;
        pw ??= prepare(w);
        const figures = figuresOf(pw, pf, options.settings);
        if (figures === undefined || shownScore(figures.score) < minScore) continue;
        add(w, pf.s, figures);
        add(pf.s, w, figures);
      }
    }
  }
  for (const [key, list] of found) found.set(key, list.sort(byScoreThenCode).slice(0, limit));
  return found;
}

/** Each one-sided discrepancy with its suggestions (an empty list when there are none). */
export function withSuggestions(
  d: Discrepancy,
  suggestions: ReadonlyMap<string, SuggestedMatch[]>,
): Discrepancy {
  if (!isOneSided(d)) return d;
  return { ...d, suggestedMatches: suggestions.get(d.groupKey) ?? [] };
}
