import { formatMoney, parseDecimal, type Decimal } from '../shared/decimal.js';
import { KINDS, listedKinds, SEVERITIES, type Kind, type Severity } from '../reconcile/discrepancy.js';
import { toRunDiscrepancy, type Transition } from './lifecycle.js';
import { AGE_BUCKETS, type AgeBucket } from './run-events.js';

/**
 * The dashboard's aggregates of one run (issue 9), computed where the discrepancies are made and
 * stored with the run, so the browser never sums: every discrepancy the run found (NEW or
 * PERSISTING, not RESOLVED) counted into warehouse x kind and warehouse x age-bucket cells, each
 * with its count and exact money at stake, split by severity, and per severity the open count and
 * the oldest firstSeen (the age of the open RED items). Reconcile tasks tally their partition;
 * SummarizeRun merges the tallies (sums are order-free, so a retried partition changes nothing).
 */
export interface SeverityFigure {
  count: number;
  /** Exact decimal string. */
  moneyAtStake: string;
}

export interface HeatCell {
  warehouseId: string;
  count: number;
  moneyAtStake: string;
  bySeverity: Record<Severity, SeverityFigure>;
}

export type KindCell = HeatCell & { kind: Kind };
export type AgeCell = HeatCell & { ageBucket: AgeBucket };

export interface OpenFigure extends SeverityFigure {
  /** ISO 8601: the earliest firstSeen among them; null when there are none. */
  oldestFirstSeen: string | null;
}

/** GET /v1/runs/{runId}/heatmap (and what a partition keeps of it, without runId and asOf). */
export interface HeatMapJson {
  /** Warehouses with at least one discrepancy, most money at stake first (ties: by id). */
  warehouses: string[];
  kinds: readonly Kind[];
  ageBuckets: readonly AgeBucket[];
  /** Non-empty cells only. */
  byKind: KindCell[];
  byAge: AgeCell[];
  open: Record<Severity, OpenFigure>;
}

export interface RunHeatMap extends HeatMapJson {
  runId: string;
  asOf: string;
}

/** What a discrepancy contributes: its cell coordinates, severity, money and first sighting. */
export interface HeatInput {
  warehouseId: string;
  kind: Kind;
  ageBucket: AgeBucket;
  severity: Severity;
  moneyAtStake: string;
  firstSeen: string;
}

interface Sums {
  count: Record<Severity, number>;
  money: Record<Severity, Decimal>;
}

const emptySums = (): Sums => ({
  count: { RED: 0, YELLOW: 0, GREEN: 0 },
  money: { RED: 0n, YELLOW: 0n, GREEN: 0n },
});

function exact(text: string, what: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`${what} holds a bad amount ${JSON.stringify(text)}: ${parsed.reason}`);
  return parsed.value;
}

// The second coordinate (a kind or an age bucket) never holds NUL, so the last NUL separates the
// two, whatever text the warehouse id holds.
const SEP = '\u0000';

export class HeatTally {
  private readonly kinds = new Map<string, Sums>();
  private readonly ages = new Map<string, Sums>();
  private readonly oldest: Record<Severity, string | null> = { RED: null, YELLOW: null, GREEN: null };

  private static add(map: Map<string, Sums>, key: string, severity: Severity, count: number, money: Decimal) {
    let sums = map.get(key);
    if (sums === undefined) map.set(key, (sums = emptySums()));
    sums.count[severity] += count;
    sums.money[severity] += money;
  }

  private older(severity: Severity, firstSeen: string | null): void {
    if (firstSeen === null) return;
    const known = this.oldest[severity];
    if (known === null || Date.parse(firstSeen) < Date.parse(known)) this.oldest[severity] = firstSeen;
  }

  add(d: HeatInput): this {
    const money = exact(d.moneyAtStake, `discrepancy ${d.warehouseId}`);
    HeatTally.add(this.kinds, `${d.warehouseId}${SEP}${d.kind}`, d.severity, 1, money);
    HeatTally.add(this.ages, `${d.warehouseId}${SEP}${d.ageBucket}`, d.severity, 1, money);
    this.older(d.severity, d.firstSeen);
    return this;
  }

  /** Adds a tally kept as JSON (a partition's). */
  merge(json: HeatMapJson): this {
    for (const cell of json.byKind) this.mergeCell(this.kinds, `${cell.warehouseId}${SEP}${cell.kind}`, cell);
    for (const cell of json.byAge)
      this.mergeCell(this.ages, `${cell.warehouseId}${SEP}${cell.ageBucket}`, cell);
    for (const s of SEVERITIES) this.older(s, json.open[s].oldestFirstSeen);
    return this;
  }

  private mergeCell(map: Map<string, Sums>, key: string, cell: HeatCell): void {
    for (const s of SEVERITIES) {
      const figure = cell.bySeverity[s];
      if (figure.count > 0)
        HeatTally.add(map, key, s, figure.count, exact(figure.moneyAtStake, `cell ${key}`));
    }
  }

  private cell(key: string, sums: Sums): HeatCell & { second: string } {
    const at = key.lastIndexOf(SEP);
    const warehouseId = key.slice(0, at);
    const second = key.slice(at + 1);
    const bySeverity = Object.fromEntries(
      SEVERITIES.map((s) => [s, { count: sums.count[s], moneyAtStake: formatMoney(sums.money[s]) }]),
    ) as Record<Severity, SeverityFigure>;
    const count = SEVERITIES.reduce((n, s) => n + sums.count[s], 0);
    const money = SEVERITIES.reduce((m, s) => m + sums.money[s], 0n);
    return { warehouseId, second, count, moneyAtStake: formatMoney(money), bySeverity };
  }

  toJson(): HeatMapJson {
    const totals = new Map<string, Decimal>();
    for (const [key, sums] of this.kinds) {
      const w = key.split(SEP)[0] ?? '';
      totals.set(w, (totals.get(w) ?? 0n) + SEVERITIES.reduce((m, s) => m + sums.money[s], 0n));
    }
    const warehouses = [...totals].sort(([a, x], [b, y]) =>
      x === y ? (a < b ? -1 : a > b ? 1 : 0) : x > y ? -1 : 1,
    );
    const rank = new Map(warehouses.map(([w], i) => [w, i]));
    const order = <T extends string>(axis: readonly T[]) => {
      const pos = new Map<string, number>(axis.map((v, i) => [v, i]));
      return (a: { warehouseId: string; second: string }, b: { warehouseId: string; second: string }) =>
        (rank.get(a.warehouseId) ?? 0) - (rank.get(b.warehouseId) ?? 0) ||
        (pos.get(a.second) ?? 0) - (pos.get(b.second) ?? 0);
    };
    const byKind = [...this.kinds]
      .map(([k, sums]) => this.cell(k, sums))
      .sort(order(KINDS))
      .map(({ second, ...cell }) => ({ ...cell, kind: second as Kind }));
    const byAge = [...this.ages]
      .map(([k, sums]) => this.cell(k, sums))
      .sort(order(AGE_BUCKETS))
      .map(({ second, ...cell }) => ({ ...cell, ageBucket: second as AgeBucket }));
    const open = Object.fromEntries(
      SEVERITIES.map((s) => {
        let count = 0;
        let money = 0n;
        for (const sums of this.kinds.values()) {
          count += sums.count[s];
          money += sums.money[s];
        }
        return [s, { count, moneyAtStake: formatMoney(money), oldestFirstSeen: this.oldest[s] }];
      }),
    ) as Record<Severity, OpenFigure>;
    return {
      warehouses: warehouses.map(([w]) => w),
      // An optional kind (ACCOUNT_MISMATCH) is a column only when the run found one.
      kinds: listedKinds((k) => byKind.some((c) => c.kind === k)),
      ageBuckets: AGE_BUCKETS,
      byKind,
      byAge,
      open,
    };
  }
}

/** Whole days an ISO instant lies before `asOf` (for "open RED for N days"). */
export function daysBefore(instant: string, asOf: string): number {
  return Math.max(0, Math.floor((Date.parse(asOf) - Date.parse(instant)) / 86_400_000));
}

/** A partition's aggregates from its transitions: what the run found there, resolved groups left out. */
export function heatOfTransitions(transitions: readonly Transition[], asOf: string): HeatMapJson {
  const tally = new HeatTally();
  for (const t of transitions) {
    if (t.next.lifecycle.state === 'RESOLVED') continue;
    tally.add(toRunDiscrepancy(t.next, asOf));
  }
  return tally.toJson();
}
