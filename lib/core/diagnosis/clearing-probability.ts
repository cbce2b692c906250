import type { Source } from '../records/records.js';

/**
 * How likely a one-sided TIMING_LAG clears by itself (CONTRACT §11): from how late the other side
 * has arrived before for this warehouse and movement type, an empirical survival curve
 * (Kaplan-Meier over hourly bins, so groups still waiting count as censored rather than as never
 * arriving), and the probability the missing side arrives inside the lag window given the age the
 * group has reached without it: P(lag <= L | lag > age) = 1 - S(L) / S(age).
 *
 * A curve is kept per (missing side, type, warehouse), per (missing side, type) and per missing
 * side; the most specific one with enough history answers. Counts only: models add up, so each
 * partition's arrivals can be kept apart and summed.
 */
export interface ArrivalObservation {
  warehouseId: string;
  type: string;
  /** The side that came (or is still to come) second. */
  missing: Source;
  /** Hours from the first side's latest record to the second side's (or to asOf while it waits). */
  hours: number;
  /** False while the second side has not come (a censored observation). */
  arrived: boolean;
}

/** Hour bin -> observations: arrivals and waits cut short (censored) in that hour. */
export interface SurvivalCounts {
  arrived: Record<string, number>;
  censored: Record<string, number>;
  total: number;
  arrivals: number;
}

export interface ClearingModel {
  curves: Record<string, SurvivalCounts>;
}

/** Lags beyond 30 days fall in one last bin: the window that matters is hours to days. */
const MAX_BIN = 24 * 30;
/** A curve answers with at least this many groups behind it, this many of them arrived. */
export const MIN_OBSERVATIONS = 20;
const MIN_ARRIVALS = 5;

export interface ClearingKey {
  warehouseId: string;
  type: string;
  missing: Source;
}

/** The curves an observation counts in, most specific first. */
function curveKeys(k: ClearingKey): string[] {
  return [`${k.missing}|${k.type}|${k.warehouseId}`, `${k.missing}|${k.type}|*`, `${k.missing}|*|*`];
}

export function emptyClearingModel(): ClearingModel {
  return { curves: {} };
}

const bin = (hours: number): string => String(Math.min(MAX_BIN, Math.max(0, Math.floor(hours))));

export function addArrival(model: ClearingModel, o: ArrivalObservation): void {
  for (const key of curveKeys(o)) {
    const c = (model.curves[key] ??= { arrived: {}, censored: {}, total: 0, arrivals: 0 });
    const counts = o.arrived ? c.arrived : c.censored;
    const b = bin(o.hours);
    counts[b] = (counts[b] ?? 0) + 1;
    c.total++;
    if (o.arrived) c.arrivals++;
  }
}

export function trainClearingModel(observations: readonly ArrivalObservation[]): ClearingModel {
  const model = emptyClearingModel();
  for (const o of observations) addArrival(model, o);
  return model;
}

/** The sum of two models (each partition's history kept apart, added for the run). */
export function mergeClearingModels(into: ClearingModel, from: ClearingModel): ClearingModel {
  for (const [key, c] of Object.entries(from.curves)) {
    const target = (into.curves[key] ??= { arrived: {}, censored: {}, total: 0, arrivals: 0 });
    for (const [b, n] of Object.entries(c.arrived)) target.arrived[b] = (target.arrived[b] ?? 0) + n;
    for (const [b, n] of Object.entries(c.censored)) target.censored[b] = (target.censored[b] ?? 0) + n;
    target.total += c.total;
    target.arrivals += c.arrivals;
  }
  return into;
}

/** P(lag >= hours): Kaplan-Meier through the whole bins before it, linear inside the last one. */
function survival(c: SurvivalCounts, hours: number): number {
  const whole = Math.min(MAX_BIN, Math.floor(Math.max(0, hours)));
  let atRisk = c.total;
  let s = 1;
  for (let b = 0; b < whole; b++) {
    const d = c.arrived[b] ?? 0;
    if (atRisk > 0 && d > 0) s *= 1 - d / atRisk;
    atRisk -= d + (c.censored[b] ?? 0);
  }
  const d = c.arrived[whole] ?? 0;
  const next = atRisk > 0 ? s * (1 - d / atRisk) : s;
  return s + (next - s) * (Math.max(0, hours) - whole);
}

/** The curve that answers for a group: the most specific one with enough history, if any. */
function curveFor(model: ClearingModel, key: ClearingKey): SurvivalCounts | undefined {
  for (const k of curveKeys(key)) {
    const c = model.curves[k];
    if (c !== undefined && c.total >= MIN_OBSERVATIONS && c.arrivals >= MIN_ARRIVALS) return c;
  }
  return undefined;
}

/**
 * The probability the missing side arrives inside the lag window for a group `ageHours` old
 * without it, two decimals; undefined without enough history.
 */
export function clearingProbability(
  model: ClearingModel,
  key: ClearingKey,
  ageHours: number,
  lagHours: number,
): number | undefined {
  const c = curveFor(model, key);
  if (c === undefined) return undefined;
  if (ageHours >= lagHours) return 0;
  const waited = survival(c, ageHours);
  if (waited <= 0) return 0;
  const p = 1 - survival(c, lagHours) / waited;
  return Math.round(Math.min(1, Math.max(0, p)) * 100) / 100;
}
