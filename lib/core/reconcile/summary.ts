import { formatMoney, type Decimal } from '../shared/decimal.js';
import { KINDS, listedKinds, SEVERITIES, type Kind, type PerKind, type Severity } from './discrepancy.js';

/** Running counts of a reconciliation that merge across partitions. */
export interface Tally {
  groupsSeen: number;
  groupsMatched: number;
  byKind: Record<Kind, number>;
  bySeverity: Record<Severity, number>;
  moneyBySeverity: Record<Severity, Decimal>;
  moneyByKind: Record<Kind, Decimal>;
}

export function emptyTally(): Tally {
  return {
    groupsSeen: 0,
    groupsMatched: 0,
    byKind: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>,
    bySeverity: { RED: 0, YELLOW: 0, GREEN: 0 },
    moneyBySeverity: { RED: 0n, YELLOW: 0n, GREEN: 0n },
    moneyByKind: Object.fromEntries(KINDS.map((k) => [k, 0n])) as Record<Kind, Decimal>,
  };
}

export function countDiscrepancy(t: Tally, kind: Kind, severity: Severity, money: Decimal): void {
  t.byKind[kind]++;
  t.bySeverity[severity]++;
  t.moneyBySeverity[severity] += money;
  t.moneyByKind[kind] += money;
}

export function mergeTally(into: Tally, from: Tally): Tally {
  into.groupsSeen += from.groupsSeen;
  into.groupsMatched += from.groupsMatched;
  for (const k of KINDS) {
    into.byKind[k] += from.byKind[k];
    into.moneyByKind[k] += from.moneyByKind[k];
  }
  for (const s of SEVERITIES) {
    into.bySeverity[s] += from.bySeverity[s];
    into.moneyBySeverity[s] += from.moneyBySeverity[s];
  }
  return into;
}

/** The figures of summary.json (CONTRACT §3), decimals as strings. */
export interface SummaryFigures {
  groupsSeen: number;
  groupsMatched: number;
  matchRate: string;
  discrepancies: number;
  byKind: PerKind<number>;
  bySeverity: Record<Severity, number>;
  moneyAtStake: { total: string } & Record<Severity, string>;
  moneyAtStakeByKind: PerKind<string>;
}

/**
 * The figures of a tally. An optional kind (ACCOUNT_MISMATCH) is listed when found or when the run
 * `checked` it, so a run without --accounts writes exactly the figures it always wrote.
 */
export function summaryFigures(t: Tally, checked: readonly Kind[] = []): SummaryFigures {
  const kinds = listedKinds((k) => t.byKind[k] > 0 || checked.includes(k));
  const total = SEVERITIES.reduce((acc, s) => acc + t.moneyBySeverity[s], 0n);
  const discrepancies = SEVERITIES.reduce((acc, s) => acc + t.bySeverity[s], 0);
  // Four places of a ratio, computed in integers so the figure shown is exact.
  const rate = t.groupsSeen === 0 ? 1 : Math.round((t.groupsMatched * 10_000) / t.groupsSeen) / 10_000;
  return {
    groupsSeen: t.groupsSeen,
    groupsMatched: t.groupsMatched,
    matchRate: rate.toFixed(4),
    discrepancies,
    byKind: Object.fromEntries(kinds.map((k) => [k, t.byKind[k]])) as PerKind<number>,
    bySeverity: { ...t.bySeverity },
    moneyAtStake: {
      total: formatMoney(total),
      RED: formatMoney(t.moneyBySeverity.RED),
      YELLOW: formatMoney(t.moneyBySeverity.YELLOW),
      GREEN: formatMoney(t.moneyBySeverity.GREEN),
    },
    moneyAtStakeByKind: Object.fromEntries(
      kinds.map((k) => [k, formatMoney(t.moneyByKind[k])]),
    ) as PerKind<string>,
  };
}
