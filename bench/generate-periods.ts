// Several months of synthetic WMS / finance data for `reconcile --period` (CONTRACT §7): month after month of
// agreeing documents, injected discrepancies that stay open and are carried forward, half of them fixed in the
// next month (the missing side arrives, a correcting or reversing line is posted), cut-off pairs across every
// month end, and items priced only by the periodic weighted average (no WMS unit cost) whose unit cost moves
// from month to month, so the run-wide average and the periodic one disagree. No truth: the DuckDB peer is the
// second opinion (bench/periods.ts --peer). Streams like generate.ts; CSV only (the peer reads CSV).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ZoneClock } from '../lib/core/shared/zone-clock.js';
import {
  CONFUSED_TYPE,
  FINANCE_HEADER,
  RowFile,
  Rng,
  TYPE_WEIGHTS,
  UOM_HEADER,
  WMS_HEADER,
  amountCents,
  csvField,
  formatCents,
  formatCost,
  formatQty,
  isoMinute,
  makeBadFinance,
  makeBadWms,
  mix32,
  openSink,
  skuAt,
  skuCountFor,
  warehousesFor,
  type MovementType,
  type Sku,
  type TruthRejected,
} from './generate.js';

export interface PeriodsOptions {
  /** Consecutive months, `YYYY-MM`, oldest first. */
  months: string[];
  documentsPerMonth: number;
  seed: number;
  outDir: string;
  /** The zone whose month ends the cut-off pairs straddle (default UTC). */
  timeZone?: string;
  /** Every Nth physical data row of each file is a malformed row (0 = none). */
  malformedEvery?: number;
  /** Share of a month's open items fixed in the next month (default 0.5). */
  fixRate?: number;
}

export interface PeriodsResult {
  wmsRows: number;
  financeRows: number;
  bytes: number;
  files: { wms: string; finance: string; uom: string };
  months: { period: string; documents: number; injected: number; fixes: number; cutOffPairs: number }[];
  rejected: TruthRejected[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const INJECTED_RATE = 0.07;

type Injected =
  | 'MISSING_IN_WMS'
  | 'MISSING_IN_FINANCE'
  | 'TYPE_MISMATCH'
  | 'DUPLICATE_POSTING'
  | 'QUANTITY_MISMATCH'
  | 'AMOUNT_MISMATCH';

const INJECTIONS: readonly [Injected, number][] = [
  ['MISSING_IN_WMS', 3],
  ['MISSING_IN_FINANCE', 3],
  ['TYPE_MISMATCH', 2],
  ['DUPLICATE_POSTING', 3],
  ['QUANTITY_MISMATCH', 3],
  ['AMOUNT_MISMATCH', 3],
];

interface Doc {
  ref: string;
  warehouseId: string;
  sku: Sku;
  type: MovementType;
  finUom: string;
  factor: number;
  /** Granularity (thousandths of the WMS unit) of finance and of WMS quantities. */
  step: number;
  wmsStep: number;
  /** Unit cost of the document's month, ten-thousandths. */
  cost: number;
  /** No WMS unit cost: priced by the item's (periodic) weighted average. */
  averaged: boolean;
}

interface Move {
  qty: number;
  type: MovementType;
  at: number;
}

interface Line extends Move {
  amount: number;
}

/** What the next month needs to fix an open item. */
interface OpenItem {
  doc: Doc;
  kind: Injected;
  wmsTotal: number;
  finTotal: number;
  finAmount: number;
  copy: Line | undefined;
}

function nextMonth(period: string): string {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export async function generatePeriods(options: PeriodsOptions): Promise<PeriodsResult> {
  const { months, documentsPerMonth, outDir } = options;
  if (months.length === 0) throw new Error('months must name at least one month');
  for (let i = 1; i < months.length; i++) {
    if (months[i] !== nextMonth(months[i - 1] ?? '')) throw new Error('months must be consecutive');
  }
  const seed = options.seed >>> 0;
  const zone = new ZoneClock(options.timeZone ?? 'UTC');
  const fixRate = options.fixRate ?? 0.5;
  const malformedEvery = options.malformedEvery ?? 0;
  await mkdir(outDir, { recursive: true });
  const files = {
    wms: path.join(outDir, 'wms.csv'),
    finance: path.join(outDir, 'finance.csv'),
    uom: path.join(outDir, 'uom.csv'),
  };
  const stream = (salt: number): Rng => new Rng(mix32(seed, salt));
  const rng = stream(11);
  const skuCount = skuCountFor(documentsPerMonth);
  const width = Math.max(5, String(skuCount).length);
  const warehouses = warehousesFor(stream(12));
  const rejected: TruthRejected[] = [];
  const wmsRng = stream(13);
  const finRng = stream(14);
  const wmsSink = openSink(files.wms);
  const finSink = openSink(files.finance);
  const wms = new RowFile(wmsSink, wmsRng, 'wms.csv', '\n', malformedEvery, makeBadWms(false), rejected);
  let stocked: Sku | undefined;
  const finance = new RowFile(
    finSink,
    finRng,
    'finance.csv',
    '\r\n',
    malformedEvery,
    makeBadFinance(false, () => stocked),
    rejected,
  );
  await wmsSink.write('\uFEFF');
  await wms.header(WMS_HEADER);
  await finance.header(FINANCE_HEADER);

  let eventSeq = 0;
  let entrySeq = 0;
  const writeMoves = async (doc: Doc, moves: readonly Move[]): Promise<void> => {
    if (moves.length > 0) stocked = doc.sku;
    for (const m of moves) {
      const id = 'E' + String(++eventSeq).padStart(9, '0');
      await wms.push(
        [
          id,
          csvField(doc.warehouseId),
          csvField(doc.sku.name),
          m.type,
          formatQty(m.qty),
          doc.sku.unit,
          csvField(doc.ref),
          isoMinute(m.at),
          doc.averaged ? '' : formatCost(doc.cost),
        ].join(','),
      );
    }
  };
  const writeLines = async (doc: Doc, lines: readonly Line[]): Promise<void> => {
    for (const f of lines) {
      const id = 'F' + String(++entrySeq).padStart(9, '0');
      await finance.push(
        [
          id,
          csvField(doc.warehouseId),
          csvField(doc.sku.name),
          f.type,
          formatQty(f.qty / doc.factor),
          doc.finUom,
          formatCents(f.amount),
          'CNY',
          csvField(doc.ref),
          isoMinute(f.at),
          doc.sku.unit === 'KG' ? '1403' : '1405',
        ].join(','),
      );
    }
  };

  /** The item's unit cost in month `index`: its base cost moved by -5 %..+8 % a month, whole cents. */
  const costIn = (item: number, sku: Sku, index: number): number => {
    const pct = (mix32(seed ^ 0x0c0575, item * 131 + index) % 14) - 5;
    return Math.max(100, Math.round((sku.cost * (100 + pct)) / 10_000) * 100);
  };
  const quantity = (doc: Doc): number => {
    if (doc.sku.unit === 'KG') return doc.sku.fine ? rng.int(1000, 500_000) : rng.int(1, 5000) * 100;
    if (doc.finUom === 'BOX') return rng.int(1, 40) * 12_000;
    return rng.int(1, 500) * 1000;
  };
  const signed = (doc: Doc, magnitude: number): number =>
    doc.type === 'ADJUSTMENT' && rng.chance(0.5) ? -magnitude : magnitude;
  const split = (total: number, parts: number, step: number): number[] => {
    const sign = total < 0 ? -1 : 1;
    let units = Math.abs(total) / step;
    const count = Math.max(1, Math.min(parts, units));
    const out: number[] = [];
    for (let left = count; left > 1; left--) {
      const take = rng.int(1, units - (left - 1));
      out.push(sign * take * step);
      units -= take;
    }
    out.push(sign * units * step);
    return out;
  };
  const moves = (doc: Doc, total: number, parts: number, at: number, type = doc.type): Move[] =>
    split(total, parts, doc.wmsStep).map((qty, i) => ({ qty, type, at: at + i * MINUTE }));
  /** Lines whose amounts sum exactly to round(total x cost): the largest line takes the remainder. */
  const lines = (doc: Doc, quantities: number[], at: number, type = doc.type): Line[] => {
    const total = quantities.reduce((a, b) => a + b, 0);
    let anchor = 0;
    quantities.forEach((q, i) => {
      if (Math.abs(q) > Math.abs(quantities[anchor] ?? 0)) anchor = i;
    });
    let others = 0;
    const amounts = quantities.map((q, i) => {
      if (i === anchor) return 0;
      const a = amountCents(q, doc.cost);
      others += a;
      return a;
    });
    amounts[anchor] = amountCents(total, doc.cost) - others;
    return quantities.map((qty, i) => ({ qty, type, at: at + i * 37 * MINUTE, amount: amounts[i] ?? 0 }));
  };

  const summary: PeriodsResult['months'] = [];
  let open: OpenItem[] = [];
  for (let index = 0; index < months.length; index++) {
    const period = months[index] ?? '';
    const { start, end } = zone.periodBounds(period);
    const yymm = period.slice(2, 4) + period.slice(5, 7);
    const month = { period, documents: documentsPerMonth, injected: 0, fixes: 0, cutOffPairs: 0 };

    // Last month's open items: about half get fixed this month, the rest stay open and are carried.
    const stillOpen: OpenItem[] = [];
    for (const item of open) {
      if (item.kind === 'TYPE_MISMATCH' || !rng.chance(fixRate)) {
        stillOpen.push(item);
        continue;
      }
      month.fixes++;
      const { doc } = item;
      const at = rng.time(start + HOUR, start + 20 * DAY);
      switch (item.kind) {
        case 'MISSING_IN_FINANCE':
          await writeLines(doc, lines(doc, [item.wmsTotal], at));
          break;
        case 'MISSING_IN_WMS':
          await writeMoves(doc, moves(doc, item.finTotal, 1, at));
          break;
        case 'QUANTITY_MISMATCH':
          await writeLines(doc, lines(doc, [item.wmsTotal - item.finTotal], at));
          break;
        case 'DUPLICATE_POSTING':
          if (item.copy !== undefined)
            await writeLines(doc, [{ ...item.copy, qty: -item.copy.qty, amount: -item.copy.amount, at }]);
          break;
        case 'AMOUNT_MISMATCH': {
          const expected = amountCents(item.wmsTotal, doc.cost);
          await writeLines(doc, [{ qty: 0, type: doc.type, at, amount: expected - item.finAmount }]);
          break;
        }
      }
    }
    open = stillOpen;

    for (let n = 1; n <= documentsPerMonth; n++) {
      const itemIndex = rng.int(1, skuCount);
      const sku = skuAt(seed, itemIndex, width);
      const averaged = itemIndex % 5 === 0;
      const num = String(n).padStart(7, '0');
      const type = rng.weighted(TYPE_WEIGHTS);
      let finUom = sku.unit === 'KG' ? 'KG' : 'EA';
      let factor = 1;
      if (sku.box && rng.chance(0.7)) [finUom, factor] = ['BOX', 12];
      const wmsStep = sku.unit === 'KG' ? (sku.fine ? 1 : 100) : 1000;
      const doc: Doc = {
        ref: rng.chance(0.02) ? `${yymm}-PO-${num},"rush"` : `${yymm}-DOC-${num}`,
        warehouseId: rng.pick(warehouses),
        sku,
        type,
        finUom,
        factor,
        step: wmsStep * factor,
        wmsStep,
        cost: costIn(itemIndex, sku, index),
        averaged,
      };
      const parts = (): number => (rng.chance(0.8) ? 1 : rng.int(2, 3));
      if (rng.chance(INJECTED_RATE)) {
        let kind = rng.weighted(INJECTIONS);
        // A finance-only KG item would be compared in EA where the item has no events: stay clear of it.
        if (kind === 'MISSING_IN_WMS' && sku.unit === 'KG') kind = 'MISSING_IN_FINANCE';
        // An amount off on an averaged item would move the item's average under its other documents.
        if (kind === 'AMOUNT_MISMATCH' && averaged) kind = 'QUANTITY_MISMATCH';
        month.injected++;
        const t0 = rng.time(start, end - 5 * DAY);
        const total = signed(doc, quantity(doc));
        const after = t0 + rng.int(30, 600) * MINUTE;
        const item: OpenItem = { doc, kind, wmsTotal: total, finTotal: total, finAmount: 0, copy: undefined };
        let w: Move[] = [];
        let f: Line[] = [];
        switch (kind) {
          case 'MISSING_IN_FINANCE':
            w = moves(doc, total, parts(), t0);
            item.finTotal = 0;
            break;
          case 'MISSING_IN_WMS':
            f = lines(doc, split(total, parts(), doc.step), after);
            item.wmsTotal = 0;
            break;
          case 'TYPE_MISMATCH':
            w = moves(doc, total, parts(), t0);
            f = lines(doc, [total], after, CONFUSED_TYPE[type]);
            break;
          case 'DUPLICATE_POSTING': {
            w = moves(doc, total, parts(), t0);
            f = lines(doc, split(total, parts(), doc.step), after);
            const original = rng.pick(f);
            item.copy = { ...original, at: original.at + rng.int(1, 6) * HOUR };
            f.push(item.copy);
            break;
          }
          case 'QUANTITY_MISMATCH': {
            w = moves(doc, total, parts(), t0);
            const delta = rng.int(1, 5) * Math.ceil(Math.max(doc.step, 1000) / doc.step) * doc.step;
            const magnitude =
              Math.abs(total) > delta && rng.chance(0.5) ? Math.abs(total) - delta : Math.abs(total) + delta;
            item.finTotal = total < 0 ? -magnitude : magnitude;
            f = lines(doc, [item.finTotal], after);
            break;
          }
          case 'AMOUNT_MISMATCH': {
            w = moves(doc, total, parts(), t0);
            const [line] = lines(doc, [total], after);
            if (line === undefined) throw new Error('no finance line');
            const expected = Math.abs(line.amount);
            const off = Math.max(Math.ceil((expected * rng.int(3, 20)) / 100), 10_000 + rng.int(0, 50_000));
            const magnitude =
              expected - off > expected / 2 && rng.chance(0.5) ? expected - off : expected + off;
            f = [{ ...line, amount: line.amount < 0 ? -magnitude : magnitude }];
            break;
          }
        }
        item.finAmount = f.reduce((a, l) => a + l.amount, 0);
        await writeMoves(doc, w);
        await writeLines(doc, f);
        open.push(item);
        continue;
      }
      const total = signed(doc, quantity(doc));
      const shape = rng.float();
      if (shape < 0.06 && !averaged) {
        // A cut-off pair: both sides agree, one on the last evening of the month, the other early next month.
        month.cutOffPairs++;
        const before = rng.time(end - 8 * HOUR, end - HOUR);
        const after = rng.time(end + 30 * MINUTE, end + 8 * HOUR);
        const wmsFirst = rng.chance(0.7);
        await writeMoves(doc, moves(doc, total, parts(), wmsFirst ? before : after));
        await writeLines(doc, lines(doc, split(total, parts(), doc.step), wmsFirst ? after : before));
      } else if (shape < 0.1) {
        // A movement and its reversal on both sides, the reversal up to three weeks later (maybe next month).
        const t1 = rng.time(start, end - 2 * DAY);
        const t2 = t1 + rng.int(2, 21 * 24) * HOUR;
        await writeMoves(doc, [
          { qty: total, type, at: t1 },
          { qty: -total, type, at: t2 },
        ]);
        await writeLines(doc, [...lines(doc, [total], t1 + HOUR), ...lines(doc, [-total], t2 + HOUR)]);
      } else {
        // Agrees within the month: the posting within a day of the movement.
        const t0 = rng.time(start, end - 30 * HOUR);
        const w = moves(doc, total, parts(), t0);
        await writeMoves(doc, w);
        await writeLines(
          doc,
          lines(doc, split(total, parts(), doc.step), t0 + rng.int(30, 20 * 60) * MINUTE),
        );
      }
    }
    summary.push(month);
  }
  await wms.finish();
  await finance.finish();

  const uom = openSink(files.uom);
  await uom.write(UOM_HEADER + '\n');
  for (let i = 1; i <= skuCount; i++) {
    const sku = skuAt(seed, i, width);
    if (sku.box) await uom.write(`${sku.name},BOX,EA,12\n`);
  }
  await uom.close();
  rejected.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === 'wms.csv' ? -1 : 1));
  const result: PeriodsResult = {
    wmsRows: wms.rows,
    financeRows: finance.rows,
    bytes: wmsSink.bytes + finSink.bytes + uom.bytes,
    files,
    months: summary,
    rejected,
  };
  await writeFile(
    path.join(outDir, 'periods.json'),
    JSON.stringify({ seed, timezone: zone.timeZone, documentsPerMonth, ...result }, null, 1) + '\n',
  );
  return result;
}
