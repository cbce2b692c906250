// The diagnosis backtest `npm run bench` prints (CONTRACT §11): on generated history,
//   - suggested matches: reconcile (the bundled CLI) on a sample-typos-like set with injected reference and
//     sku typos and look-alike decoys; top-1 recall (a pair's discrepancy has its other side first) and
//     top-1 precision (of the discrepancies shown a suggestion, the share whose first one is right);
//   - predicted cause: a naive Bayes trained on the earlier 80 % of generated closed cases, accuracy on the
//     later 20 % against always answering the majority cause;
//   - clearing probability: survival curves learned from the arrivals visible at a cut-off day, Brier score
//     on the one-sided TIMING_LAGs of the days after it against always answering the base rate.
// The cause and lag histories are synthetic with a planted structure (causes that follow the kind and the
// warehouse, lags that differ by warehouse and type): the figures show the models find such structure,
// not how well they will do on a real company's history.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrivalOf } from '../lib/core/diagnosis/diagnose.js';
import {
  clearingProbability,
  trainClearingModel,
  type ArrivalObservation,
} from '../lib/core/diagnosis/clearing-probability.js';
import {
  causeFeatures,
  majorityCause,
  predictCause,
  trainCauseModel,
  type CauseFacts,
} from '../lib/core/diagnosis/predict-cause.js';
import { CostTable } from '../lib/core/records/costs.js';
import { reconcilePartition } from '../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../lib/core/records/records.js';
import { DEFAULT_SETTINGS } from '../lib/core/reconcile/settings.js';
import { UomTable } from '../lib/core/records/uom.js';
import { ZoneClock } from '../lib/core/shared/zone-clock.js';
import { Rng } from './generate.js';
import { generateTypos, type TypoSet } from './generate-typos.js';

export interface BacktestRow {
  backtest: string;
  figure: string;
  model: string;
  baseline: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Shown {
  warehouseId: string;
  sku: string;
  documentRef: string;
  suggestedMatches?: { sku: string; documentRef: string }[];
}

/** Top-1 recall and precision of the suggestions, counted as the acceptance check counts them. */
export function scoreSuggestions(found: readonly Shown[], set: Pick<TypoSet, 'pairs' | 'decoys'>) {
  const key = (w: string, s: { sku: string; documentRef: string }) =>
    JSON.stringify([w, s.sku, s.documentRef]);
  const partner = new Map<string, string>();
  for (const p of set.pairs) {
    partner.set(key(p.warehouseId, p.wms), key(p.warehouseId, p.finance));
    partner.set(key(p.warehouseId, p.finance), key(p.warehouseId, p.wms));
  }
  const decoys = new Set(set.decoys.map((d) => key(d.warehouseId, d)));
  let right = 0;
  let shown = 0;
  let wrong = 0;
  let decoysShown = 0;
  for (const d of found) {
    const self = key(d.warehouseId, d);
    const top = d.suggestedMatches?.[0];
    const topKey = top === undefined ? undefined : key(d.warehouseId, top);
    if (partner.has(self) && topKey === partner.get(self)) right++;
    if (top === undefined) continue;
    shown++;
    if (topKey !== partner.get(self)) wrong++;
    if (decoys.has(self)) decoysShown++;
  }
  return { expected: partner.size, right, shown, wrong, decoysShown };
}

async function suggestionBacktest(cli: string, seed: number): Promise<BacktestRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'stocktally-typos-'));
  try {
    const set = await generateTypos({ documents: 20_000, pairs: 400, decoys: 250, seed, outDir: dir });
    const out = join(dir, 'out');
    const run = spawnSync(
      process.execPath,
      [cli, 'reconcile', '--wms', set.files.wms, '--finance', set.files.finance, '--as-of', set.asOf].concat([
        '--out',
        out,
        '--no-report',
        '--quiet',
      ]),
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`reconcile failed: ${run.stderr.trim()}`);
    const found = JSON.parse(await readFile(join(out, 'discrepancies.json'), 'utf8')) as Shown[];
    const s = scoreSuggestions(found, set);
    const label = `suggested matches: ${set.pairs.length} typo pairs, ${set.decoys.length} decoys, 20,000 documents`;
    const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} % (${n}/${d})`);
    return [
      {
        backtest: label,
        figure: 'top-1 recall (both discrepancies of a pair)',
        model: pct(s.right, s.expected),
        baseline: 'target >= 90 %',
      },
      {
        backtest: '',
        figure: 'top-1 precision (of discrepancies shown one)',
        model: pct(s.shown - s.wrong, s.shown),
        baseline: 'target >= 95 %',
      },
      {
        backtest: '',
        figure: 'decoys shown a suggestion',
        model: pct(s.decoysShown, set.decoys.length),
        baseline: '',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const WAREHOUSES = ['WH-01', 'WH-上海-02', 'WH-03', 'WH-04', 'WH-05', 'WH-06', 'WH-07', 'WH-08'];
const KINDS = [
  'MISSING_IN_WMS',
  'MISSING_IN_FINANCE',
  'TIMING_LAG',
  'TYPE_MISMATCH',
  'DUPLICATE_POSTING',
  'QUANTITY_MISMATCH',
  'AMOUNT_MISMATCH',
] as const;
const CAUSES = [
  'late-posting',
  'wrong-unit',
  'wrong-price',
  'duplicate-posting',
  'wrong-movement-type',
  'missing-voucher',
  'count-error',
  'integration-failure',
  'wrong-reference',
] as const;

/** A closed case's facts and the cause a reviewer named: planted rules, a quarter of them noise. */
function closedCase(rng: Rng, at: number): { facts: CauseFacts; code: string } {
  const kind = rng.weighted(
    KINDS.map((k) => [k, k === 'MISSING_IN_WMS' || k === 'MISSING_IN_FINANCE' ? 3 : 1.5] as const),
  );
  const warehouseId = rng.pick(WAREHOUSES);
  const kg = rng.chance(0.2);
  const suggested = kind === 'MISSING_IN_WMS' || kind === 'MISSING_IN_FINANCE' ? rng.chance(0.4) : false;
  const wmsOnly = kind === 'MISSING_IN_FINANCE' || kind === 'TIMING_LAG';
  const financeOnly = kind === 'MISSING_IN_WMS';
  const money = rng.pick(['800.00', '4200.00', '38000.00', '260000.00']);
  const ruled = (): string => {
    if (kind === 'MISSING_IN_WMS')
      return suggested
        ? 'wrong-reference'
        : warehouseId === 'WH-07'
          ? 'integration-failure'
          : 'missing-voucher';
    if (kind === 'MISSING_IN_FINANCE') {
      if (suggested) return 'wrong-reference';
      if (warehouseId === 'WH-07') return 'integration-failure';
      return rng.chance(0.6) ? 'late-posting' : 'missing-voucher';
    }
    if (kind === 'TIMING_LAG') return 'late-posting';
    if (kind === 'TYPE_MISMATCH') return 'wrong-movement-type';
    if (kind === 'DUPLICATE_POSTING') return 'duplicate-posting';
    if (kind === 'QUANTITY_MISMATCH') return kg ? 'wrong-unit' : 'count-error';
    return 'wrong-price';
  };
  const code = rng.chance(0.25) ? rng.pick(CAUSES) : ruled();
  const event = new Date(at).toISOString();
  const posting = new Date(at + rng.int(1, 60) * HOUR).toISOString();
  return {
    code,
    facts: {
      kind,
      warehouseId,
      sku: `${kg ? 'KG' : 'SKU'}-${String(rng.int(1, 400)).padStart(5, '0')}`,
      wmsTypes: financeOnly ? [] : ['RECEIPT'],
      financeTypes: wmsOnly ? [] : ['RECEIPT'],
      moneyAtStake: money,
      wmsEventIds: financeOnly ? [] : ['E1'],
      financeEntryIds: wmsOnly ? [] : ['F1'],
      latestEventAt: financeOnly ? null : event,
      latestPostingAt: wmsOnly ? null : posting,
      suggestedMatches: suggested
        ? [{ documentRef: 'X', sku: 'Y', score: 0.9, reason: '', reasonZh: '' }]
        : [],
    },
  };
}

function causeBacktest(seed: number): BacktestRow[] {
  const rng = new Rng(seed ^ 0xca05e);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const cases = [...Array(3000).keys()].map((i) => closedCase(rng, start + i * HOUR));
  const cut = Math.floor(cases.length * 0.8);
  const model = trainCauseModel(
    cases.slice(0, cut).map((c) => ({ features: causeFeatures(c.facts), code: c.code })),
  );
  const majority = majorityCause(model);
  const test = cases.slice(cut);
  let right = 0;
  let base = 0;
  for (const c of test) {
    if (predictCause(model, causeFeatures(c.facts))?.code === c.code) right++;
    if (majority === c.code) base++;
  }
  const pct = (n: number) => `${((100 * n) / test.length).toFixed(1)} % (${n}/${test.length})`;
  return [
    {
      backtest: `predicted cause: ${test.length} held-out of ${cases.length} closed cases`,
      figure: 'accuracy',
      model: pct(right),
      baseline: `${pct(base)} majority (${majority ?? '-'})`,
    },
  ];
}

/** Hours until finance posts, per warehouse and type: a log-normal around its own median, some never. */
function lagProfile(rng: Rng, warehouses: readonly string[], types: readonly string[]) {
  const profile = new Map<string, { median: number; never: number }>();
  for (const w of warehouses)
    for (const t of types)
      profile.set(`${w}|${t}`, { median: rng.pick([3, 10, 30, 70]), never: rng.pick([0.02, 0.05, 0.15]) });
  return profile;
}

function normal(rng: Rng): number {
  const u = Math.max(1e-12, rng.float());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

function clearingBacktest(seed: number): BacktestRow[] {
  const rng = new Rng(seed ^ 0xc1ea5);
  const types = ['RECEIPT', 'SHIPMENT', 'TRANSFER_IN'] as const;
  const profile = lagProfile(rng, WAREHOUSES, types);
  const start = Date.parse('2026-08-01T00:00:00Z');
  const cutAt = start + 45 * DAY;
  const lagHours = DEFAULT_SETTINGS.lagHours;
  const movements: Movement[] = [];
  const entries: Entry[] = [];
  const test: { warehouseId: string; type: string; lag: number }[] = [];
  for (let n = 0; n < 18_000; n++) {
    const warehouseId = rng.pick(WAREHOUSES);
    const type = rng.pick(types);
    const p = profile.get(`${warehouseId}|${type}`) ?? { median: 24, never: 0.05 };
    const lag = rng.chance(p.never) ? Infinity : p.median * Math.exp(0.8 * normal(rng));
    const at = start + Math.floor(rng.float() * 60 * DAY);
    if (at > cutAt) {
      test.push({ warehouseId, type, lag });
      continue;
    }
    const base = {
      warehouseId,
      sku: `SKU-${n}`,
      type,
      documentRef: `DOC-${n}`,
      file: 'bench',
      line: n,
      uom: 'EA',
    };
    movements.push({ ...base, source: 'wms', id: `E${n}`, quantity: 1_000_000n, at, unitCost: 100_000_000n });
    const postedAt = at + lag * HOUR;
    if (postedAt <= cutAt) {
      entries.push({
        ...base,
        source: 'finance',
        id: `F${n}`,
        quantity: 1_000_000n,
        amount: 100_000_000n,
        currency: undefined,
        at: Math.round(postedAt),
        account: undefined,
      });
    }
  }
  // What the runs up to the cut-off saw: every group's lag, or its wait so far.
  const observations: ArrivalObservation[] = [];
  const settings = { ...DEFAULT_SETTINGS, asOf: cutAt };
  reconcilePartition(movements, entries, {
    settings,
    uom: new UomTable([]),
    costs: new CostTable([]),
    zone: new ZoneClock('UTC'),
    observe: (a) => {
      const o = arrivalOf(a, cutAt);
      if (o !== undefined) observations.push(o);
    },
  });
  const model = trainClearingModel(observations);
  const known = observations.filter((o) => o.arrived || o.hours > lagHours);
  const baseRate = known.filter((o) => o.arrived && o.hours <= lagHours).length / known.length;
  let brier = 0;
  let brierBase = 0;
  let n = 0;
  let cleared = 0;
  for (const t of test) {
    // Seen as a one-sided TIMING_LAG at an age inside the window, its posting not yet come.
    const age = rng.float() * lagHours;
    if (t.lag <= age) continue;
    const p = clearingProbability(
      model,
      { warehouseId: t.warehouseId, type: t.type, missing: 'finance' },
      age,
      lagHours,
    );
    if (p === undefined) continue;
    const y = t.lag <= lagHours ? 1 : 0;
    brier += (p - y) ** 2;
    brierBase += (baseRate - y) ** 2;
    cleared += y;
    n++;
  }
  return [
    {
      backtest: `clearing probability: ${n} one-sided TIMING_LAGs after a cut-off, ${observations.length} groups of history`,
      figure: `Brier score (lower is better; ${((100 * cleared) / n).toFixed(0)} % cleared)`,
      model: (brier / n).toFixed(3),
      baseline: `${(brierBase / n).toFixed(3)} base rate ${baseRate.toFixed(2)}`,
    },
  ];
}

export async function diagnosisBacktest(cli: string, seed: number): Promise<BacktestRow[]> {
  return [...(await suggestionBacktest(cli, seed)), ...causeBacktest(seed), ...clearingBacktest(seed)];
}
