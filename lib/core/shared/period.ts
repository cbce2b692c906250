import type { Kind } from '../reconcile/discrepancy.js';
import { groupRecords, periodTotals, type ItemFigures } from '../reconcile/group.js';
import type { Entry, Movement } from '../records/records.js';
import type { UomTable } from '../records/uom.js';
import { daysInMonth } from './civil-date.js';
import type { ZoneClock } from './zone-clock.js';

/**
 * Periods, cut-off and clearing (CONTRACT §7): a reconciliation of the books as they stood at the
 * end of one calendar month. The CLI's `reconcile --period` and the pipeline's close of a period
 * both go through these rules, so they cannot disagree on what a period holds.
 */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface PeriodWindow {
  /** `YYYY-MM`. */
  period: string;
  /** The period's first instant in the zone. */
  start: number;
  /** The next period's first instant: the cut-off. Records dated at or after it are not read. */
  end: number;
}

export function isPeriod(text: string): boolean {
  return PERIOD_PATTERN.test(text);
}

/** `2026-01` -> `2025-12`. */
export function previousPeriod(period: string): string {
  const [year = 0, month = 1] = period.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** `2026-10` -> `2026-10-31`, the period's last calendar day ('' for what is not a period). */
export function periodLastDay(period: string): string {
  if (!isPeriod(period)) return '';
  const [year = 0, month = 1] = period.split('-').map(Number);
  return `${period}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

/** The period's end as an instant: the first instant of the next month in the zone (a close's default asOf). */
export function periodEnd(period: string, zone: ZoneClock): string {
  return new Date(zone.periodBounds(period).end).toISOString();
}

/**
 * The month a close taken at `asOf` closes: the one its last instant belongs to. A monthly close
 * scheduled at midnight on the first closes the month before, in the configured time zone.
 */
export function closedPeriod(asOf: string, zone: ZoneClock): string {
  return zone.periodOf(Date.parse(asOf) - 1);
}

/** The day of an instant in the zone, `YYYY-MM-DD`. */
export function localDay(iso: string, zone: ZoneClock): string {
  const t = Date.parse(iso);
  return new Date(t + zone.offsetAt(t)).toISOString().slice(0, 10);
}

export function periodWindow(period: string, zone: ZoneClock): PeriodWindow {
  // Callers validate what users type; a malformed period here is a bug.
  if (!isPeriod(period)) throw new Error(`not a period YYYY-MM: ${period}`);
  return { period, ...zone.periodBounds(period) };
}

/**
 * How a group takes part in the reconciliation of a period:
 * - `current`: it has a record dated in the period; counted, and reported when it disagrees;
 * - `carried`: all its records date before the period and it still disagrees: an open item
 *   carried forward, counted and reported with its age;
 * - `cleared`: earlier and agreeing, or earlier with only a cut-off difference (the period of its
 *   latest record reported that one): neither reported nor counted.
 */
export type Standing = 'current' | 'carried' | 'cleared';

export function standingIn(
  window: PeriodWindow,
  latestRecord: number,
  kind: Kind | undefined,
  cutOffOnly: boolean,
): Standing {
  if (latestRecord >= window.start) return 'current';
  return kind === undefined || cutOffOnly ? 'cleared' : 'carried';
}

/** Whole days from `since` to `asOf`; never negative (a record after asOf is not old yet). */
export function ageInDays(asOf: number, since: number): number {
  return Math.max(0, Math.floor((asOf - since) / 86_400_000));
}

/**
 * The figures a period reconciliation needs of every item, from all of its records dated before
 * `before`: its comparison unit and finance totals per period. What a store keeps per (item,
 * period) so that a close can read the period's groups and the open items only (GroupOptions.items).
 */
export function itemFigures(
  movements: readonly Movement[],
  entries: readonly Entry[],
  uom: UomTable,
  zone: ZoneClock,
  before?: number,
): Map<string, ItemFigures> {
  const grouped = groupRecords(movements, entries, uom, { before, financeUnitWithoutEvents: true });
  const figures = new Map<string, ItemFigures>();
  const periodOf = (at: number) => zone.periodOf(at);
  for (const [sku, item] of grouped.items) {
    figures.set(sku, { unit: item.unit, periods: periodTotals(item.entries, periodOf) });
  }
  return figures;
}
