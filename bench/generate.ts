// Synthetic WMS / finance data made to /work/shared/CONTRACT.md, with the answer (truth.json) it implies.
// Everything streams: documents are built one at a time and rows go through small buffers to a write stream,
// so a million documents (~200 MB of CSV) take a few MB of memory. Quantities are integers in thousandths,
// unit costs in ten-thousandths and amounts in cents; no float ever holds money.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';

export interface GenerateOptions {
  documents: number;
  seed: number;
  outDir: string;
  format?: 'csv' | 'ndjson';
  /** Every Nth physical data row of each file is a malformed row (0 = none). */
  malformedEvery?: number;
}

export interface GenerateResult {
  /** Good data rows written (retried copies included, malformed rows not). */
  wmsRows: number;
  financeRows: number;
  /** Bytes of the three input files. */
  bytes: number;
  files: { wms: string; finance: string; uom: string };
}

export type DiscrepancyKind =
  | 'MISSING_IN_WMS'
  | 'MISSING_IN_FINANCE'
  | 'TIMING_LAG'
  | 'TYPE_MISMATCH'
  | 'DUPLICATE_POSTING'
  | 'QUANTITY_MISMATCH'
  | 'AMOUNT_MISMATCH';

export interface TruthDiscrepancy {
  kind: DiscrepancyKind;
  warehouseId: string;
  sku: string;
  documentRef: string;
}

export interface TruthRejected {
  file: string;
  line: number;
  why: string;
}

export const AS_OF = '2026-11-02T00:00:00Z';
export const LAG_HOURS = 48;
export const WMS_HEADER = 'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost';
export const FINANCE_HEADER =
  'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account';
export const UOM_HEADER = 'sku,fromUom,toUom,factor';

export type MovementType =
  | 'RECEIPT'
  | 'SHIPMENT'
  | 'TRANSFER_IN'
  | 'TRANSFER_OUT'
  | 'ADJUSTMENT'
  | 'CUSTOMER_RETURN'
  | 'VENDOR_RETURN';

// Weights roughly like a distribution centre: receipts and shipments dominate.
export const TYPE_WEIGHTS: readonly [MovementType, number][] = [
  ['RECEIPT', 34],
  ['SHIPMENT', 36],
  ['TRANSFER_IN', 7],
  ['TRANSFER_OUT', 8],
  ['ADJUSTMENT', 7],
  ['CUSTOMER_RETURN', 3],
  ['VENDOR_RETURN', 5],
];

// The type finance plausibly books instead (a WMS shipment booked as a transfer, and so on).
export const CONFUSED_TYPE: Record<MovementType, MovementType> = {
  RECEIPT: 'CUSTOMER_RETURN',
  SHIPMENT: 'TRANSFER_OUT',
  TRANSFER_IN: 'RECEIPT',
  TRANSFER_OUT: 'SHIPMENT',
  ADJUSTMENT: 'RECEIPT',
  CUSTOMER_RETURN: 'RECEIPT',
  VENDOR_RETURN: 'SHIPMENT',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const utc = (month: number, day: number, hour = 0, minute = 0): number =>
  Date.UTC(2026, month - 1, day, hour, minute);

const INJECTED_RATE = 0.07;
const RETRY_RATE = 0.015;
const SHUFFLE_WINDOW = 512;
const FLUSH_CHARS = 1 << 16;

// ---------------------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, good enough for test data, and the same on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two 32-bit values, so independent streams and per-item draws come from one seed. */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }
  /** A minute-aligned instant in [from, to]. */
  time(from: number, to: number): number {
    return from + this.int(0, Math.floor((to - from) / MINUTE)) * MINUTE;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Exact decimals

function assertSafe(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`integer overflow in generator arithmetic: ${n}`);
  return n;
}

/** Scaled integer to a decimal string with trailing fraction zeros trimmed ("32.6", "-486"). */
export function formatScaled(value: number, scale: number, minDecimals = 0): string {
  const digits = String(scale).length - 1;
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / scale);
  let frac = String(abs % scale).padStart(digits, '0');
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return frac.length > 0 ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

export const formatQty = (milli: number): string => formatScaled(milli, 1000);
export const formatCents = (cents: number): string => formatScaled(cents, 100, 2);
export const formatCost = (tenThousandths: number): string => formatScaled(tenThousandths, 10_000);

/** Thousandths x ten-thousandths -> cents, rounded half away from zero (the contract's half-up). */
export function amountCents(qtyMilli: number, costTenThousandths: number): number {
  const product = assertSafe(qtyMilli * costTenThousandths); // unit 1e-7
  const abs = Math.abs(product);
  const rem = abs % 100_000;
  const cents = (abs - rem) / 100_000 + (rem * 2 >= 100_000 ? 1 : 0);
  return product < 0 ? -cents : cents;
}

// ---------------------------------------------------------------------------------------------------------
// Items, warehouses

export interface Sku {
  name: string;
  unit: 'EA' | 'KG';
  /** Has a `SKU,BOX,EA,12` row, so finance may post it in boxes. */
  box: boolean;
  /** Unit cost per WMS unit, ten-thousandths. One cost per item everywhere. */
  cost: number;
  /** KG items weighed to 3 decimals instead of 1. */
  fine: boolean;
}

export function skuCountFor(documents: number): number {
  return Math.min(200_000, Math.max(50, Math.round(documents / 2.5)));
}

// Item attributes come from a hash of (seed, index), not from the document stream: uom.csv and the
// documents agree without keeping a table, and the items stay the same whatever the document mix.
export function skuAt(seed: number, index: number, width: number): Sku {
  const r = mulberry32(mix32(seed ^ 0x5eed5c0, index));
  const kg = r() < 0.1;
  const num = String(index).padStart(width, '0');
  if (kg) {
    // 1.00 .. 80.00 per KG
    return {
      name: `KG-${num}`,
      unit: 'KG',
      box: false,
      cost: (100 + Math.floor(r() * 7900)) * 100,
      fine: r() < 0.2,
    };
  }
  const box = r() < 0.15;
  // Most costs have cents; some have a third decimal, so half-cent ties really happen.
  const cost =
    r() < 0.15 ? (1000 + Math.floor(r() * 1_999_000)) * 10 : (100 + Math.floor(r() * 199_900)) * 100;
  return { name: `SKU-${num}`, unit: 'EA', box, cost, fine: false };
}

export function warehousesFor(rng: Rng): string[] {
  const count = rng.int(8, 12);
  const list: string[] = [];
  for (let i = 1; i <= count; i++) list.push(i === 2 ? 'WH-上海-02' : `WH-${String(i).padStart(2, '0')}`);
  return list;
}

// ---------------------------------------------------------------------------------------------------------
// Output plumbing

/** A write stream with a string accumulator and backpressure. */
export class Sink {
  bytes = 0;
  private chunk = '';
  constructor(private readonly stream: WriteStream) {}

  async write(text: string): Promise<void> {
    this.chunk += text;
    if (this.chunk.length >= FLUSH_CHARS) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const text = this.chunk;
    this.chunk = '';
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}

export function openSink(file: string): Sink {
  return new Sink(createWriteStream(file, { encoding: 'utf8' }));
}

export interface BadRow {
  text: string;
  why: string;
}

/**
 * One data file: shuffles rows within a small window (exports are not sorted by document), repeats a few
 * rows verbatim later on (retried deliveries), and puts a malformed row on every Nth physical data line.
 */
export class RowFile {
  rows = 0;
  /** Data lines written so far, malformed ones included. */
  private dataLines = 0;
  /** 1 for CSV (the header is line 1), 0 for NDJSON. */
  private headerLines = 0;
  private badCount = 0;
  private readonly window: string[] = [];
  private readonly retries: { due: number; text: string }[] = [];

  constructor(
    private readonly sink: Sink,
    private readonly rng: Rng,
    private readonly fileName: string,
    private readonly eol: string,
    private readonly malformedEvery: number,
    private readonly makeBad: (index: number) => BadRow,
    private readonly rejected: TruthRejected[],
  ) {}

  async header(text: string): Promise<void> {
    this.headerLines = 1;
    await this.sink.write(text + this.eol);
  }

  async push(text: string): Promise<void> {
    if (this.window.length < SHUFFLE_WINDOW) {
      this.window.push(text);
      return;
    }
    const i = Math.floor(this.rng.float() * SHUFFLE_WINDOW);
    const out = this.window[i];
    this.window[i] = text;
    if (out !== undefined) await this.emit(out);
  }

  async finish(): Promise<void> {
    while (this.window.length > 0) {
      const [out] = this.window.splice(Math.floor(this.rng.float() * this.window.length), 1);
      if (out !== undefined) await this.emit(out);
    }
    for (const retry of this.retries.splice(0)) await this.put(retry.text);
    await this.sink.close();
  }

  private async emit(text: string): Promise<void> {
    await this.put(text);
    // Schedule the copy only once the original is out, so the retry really comes later in the file.
    if (this.rng.chance(RETRY_RATE)) this.retries.push({ due: this.rows + this.rng.int(3, 400), text });
    for (let i = 0; i < this.retries.length;) {
      const retry = this.retries[i];
      if (retry !== undefined && retry.due <= this.rows) {
        this.retries.splice(i, 1);
        await this.put(retry.text);
      } else i++;
    }
  }

  private async put(text: string): Promise<void> {
    // Data lines N, 2N, 3N, ... are the malformed ones; data line k is physical line k + header lines.
    if (this.malformedEvery > 0 && (this.dataLines + 1) % this.malformedEvery === 0) {
      const bad = this.makeBad(this.badCount++);
      this.dataLines++;
      this.rejected.push({ file: this.fileName, line: this.dataLines + this.headerLines, why: bad.why });
      await this.sink.write(bad.text + this.eol);
    }
    this.dataLines++;
    this.rows++;
    await this.sink.write(text + this.eol);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const dayPrefix = new Map<number, string>();
const two = (n: number): string => (n < 10 ? '0' : '') + n;

/** `2026-10-22T05:00:00Z`; the date part is cached per day (toISOString per row was a tenth of the run). */
export function isoMinute(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    if (dayPrefix.size < 1000) dayPrefix.set(day, prefix);
  }
  const rest = ms - day * DAY;
  const h = Math.floor(rest / HOUR);
  const m = Math.floor((rest % HOUR) / MINUTE);
  const sec = Math.floor((rest % MINUTE) / 1000);
  return `${prefix}${two(h)}:${two(m)}:${two(sec)}Z`;
}

/** NDJSON object text with optional key shuffling, spacing and \u escapes, like real exports. */
function jsonObject(rng: Rng, fields: [string, string][]): string {
  if (rng.chance(0.2)) {
    for (let i = fields.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const a = fields[i];
      const b = fields[j];
      if (a !== undefined && b !== undefined) {
        fields[i] = b;
        fields[j] = a;
      }
    }
  }
  const spaced = rng.chance(0.3);
  const sep = spaced ? ', ' : ',';
  const colon = spaced ? ': ' : ':';
  return '{' + fields.map(([k, v]) => `"${k}"${colon}${v}`).join(sep) + '}';
}

function jsonString(rng: Rng, value: string): string {
  const text = JSON.stringify(value);
  if (/[\u0080-\uffff]/.test(value) && rng.chance(0.4)) {
    return text.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  return text;
}

/** A decimal as a JSON string or a JSON number; strings sometimes carry a padding zero ("1604.720"). */
function jsonDecimal(rng: Rng, text: string): string {
  if (rng.chance(0.5)) return text;
  if (text.includes('.') && rng.chance(0.2)) return `"${text}0"`;
  return `"${text}"`;
}

function jsonTime(rng: Rng, ms: number): string {
  const r = rng.float();
  if (r < 0.55) return `"${isoMinute(ms)}"`;
  if (r < 0.65) return `"${new Date(ms).toISOString()}"`;
  // Same instant written in another offset.
  const offset = r < 0.9 ? 8 : -5;
  const local = new Date(ms + offset * HOUR).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  return `"${local}${sign}${String(Math.abs(offset)).padStart(2, '0')}:00"`;
}

// ---------------------------------------------------------------------------------------------------------
// Documents

interface WmsMove {
  /** Thousandths of the WMS unit, signed. */
  qty: number;
  type: MovementType;
  at: number;
}

interface FinLine {
  /** Thousandths of the WMS unit, signed; written in the document's finance unit. */
  qty: number;
  type: MovementType;
  at: number;
  amount: number;
}

interface Doc {
  ref: string;
  warehouseId: string;
  sku: Sku;
  type: MovementType;
  /** Unit finance posts in, and how many WMS units one of it holds. */
  finUom: string;
  factor: number;
  /** Granularity (thousandths of the WMS unit) of finance quantities. */
  step: number;
  /** Granularity of WMS quantities. */
  wmsStep: number;
  /** Finance may write postedAt as a plain date (NDJSON, benign documents only). */
  plainDates: boolean;
}

type Shape =
  | 'simple'
  | 'wmsPartial'
  | 'finPartial'
  | 'bothPartial'
  | 'reversalZero'
  | 'reversalPartial'
  | 'september'
  | 'lateSameMonth';

const BENIGN_SHAPES: readonly [Shape, number][] = [
  ['simple', 72],
  ['wmsPartial', 11],
  ['finPartial', 3],
  ['bothPartial', 1],
  ['reversalZero', 3],
  ['reversalPartial', 3],
  ['september', 4],
  ['lateSameMonth', 3],
];

type Injection = Exclude<DiscrepancyKind, 'TIMING_LAG'> | 'LAG_WMS_ONLY' | 'LAG_FINANCE_ONLY' | 'LAG_CUTOFF';

const INJECTIONS: readonly [Injection, number][] = [
  ['MISSING_IN_WMS', 3],
  ['MISSING_IN_FINANCE', 3],
  ['LAG_WMS_ONLY', 1],
  ['LAG_FINANCE_ONLY', 1],
  ['LAG_CUTOFF', 1],
  ['TYPE_MISMATCH', 3],
  ['DUPLICATE_POSTING', 3],
  ['QUANTITY_MISMATCH', 3],
  ['AMOUNT_MISMATCH', 3],
];

const kindOf = (injection: Injection): DiscrepancyKind =>
  injection === 'LAG_WMS_ONLY' || injection === 'LAG_FINANCE_ONLY' || injection === 'LAG_CUTOFF'
    ? 'TIMING_LAG'
    : injection;

// Benign documents stay inside October with room to spare: base time by Oct 30 12:00, finance within a
// day after, so every benign group's latest WMS event and latest posting share a UTC month.
const OCT_FROM = utc(10, 1);
const OCT_BASE_TO = utc(10, 30, 12);
// One-sided groups that must be MISSING: latest record at least 5 days before asOf.
const OLD_TO = utc(10, 26, 23);

class DocumentMaker {
  private eventSeq = 0;
  private entrySeq = 0;
  private readonly skuWidth: number;

  constructor(
    private readonly rng: Rng,
    private readonly seed: number,
    private readonly skuCount: number,
    private readonly warehouses: string[],
    private readonly ndjson: boolean,
  ) {
    this.skuWidth = Math.max(5, String(skuCount).length);
  }

  nextEventId(): string {
    return 'E' + String(++this.eventSeq).padStart(9, '0');
  }
  nextEntryId(): string {
    return 'F' + String(++this.entrySeq).padStart(9, '0');
  }

  sku(index: number): Sku {
    return skuAt(this.seed, index, this.skuWidth);
  }

  /** Builds document n: its WMS moves, finance lines and, when injected, the discrepancy it must yield. */
  make(n: number): { doc: Doc; wms: WmsMove[]; fin: FinLine[]; kind?: DiscrepancyKind } {
    const rng = this.rng;
    const injection = rng.chance(INJECTED_RATE) ? rng.weighted(INJECTIONS) : undefined;
    const financeOnly = injection === 'MISSING_IN_WMS' || injection === 'LAG_FINANCE_ONLY';
    let sku = this.sku(rng.int(1, this.skuCount));
    // A finance-only group of a KG item that has no WMS events anywhere would be compared in EA (the
    // contract's default) and its KG lines rejected as unconvertible; finance-only documents use EA items.
    for (let tries = 0; financeOnly && sku.unit === 'KG' && tries < 50; tries++) {
      sku = this.sku(rng.int(1, this.skuCount));
    }
    // Plain posting dates only on benign documents: injected margins are meant to be exact.
    const doc = this.docFor(n, sku, this.ndjson && injection === undefined);
    if (injection === undefined) return { doc, ...this.benign(doc, rng.weighted(BENIGN_SHAPES)) };
    return { doc, ...this.injected(doc, injection), kind: kindOf(injection) };
  }

  private docFor(n: number, sku: Sku, plainDates: boolean): Doc {
    const rng = this.rng;
    const num = String(n).padStart(7, '0');
    // Some document refs carry a comma and quotes, as ERP exports of free-text references do.
    const ref = rng.chance(0.02) ? `PO-${num},"rush"` : `DOC-${num}`;
    const type = rng.weighted(TYPE_WEIGHTS);
    const warehouseId = rng.pick(this.warehouses);
    let finUom = 'EA';
    let factor = 1;
    if (sku.unit === 'KG') finUom = 'KG';
    else if (sku.box && rng.chance(0.7)) [finUom, factor] = ['BOX', 12];
    // `*,CASE,EA,24` exists only in the NDJSON set (as in the second public sample).
    else if (this.ndjson && !sku.box && rng.chance(0.05)) [finUom, factor] = ['CASE', 24];
    const wmsStep = sku.unit === 'KG' ? (sku.fine ? 1 : 100) : 1000;
    return { ref, warehouseId, sku, type, finUom, factor, step: wmsStep * factor, wmsStep, plainDates };
  }

  /** A positive quantity that finance can post in its unit. */
  private quantity(doc: Doc): number {
    const rng = this.rng;
    if (doc.sku.unit === 'KG') return doc.sku.fine ? rng.int(1000, 500_000) : rng.int(1, 5000) * 100;
    if (doc.finUom === 'BOX') return rng.int(1, 40) * 12_000;
    if (doc.finUom === 'CASE') return rng.int(1, 20) * 24_000;
    return rng.int(1, 500) * 1000;
  }

  /** Adjustments carry their effect as the sign; everything else is a forward movement. */
  private signed(doc: Doc, magnitude: number): number {
    return doc.type === 'ADJUSTMENT' && this.rng.chance(0.5) ? -magnitude : magnitude;
  }

  /** Splits |total| into up to `parts` positive multiples of `step`, keeping the sign. */
  private split(total: number, parts: number, step: number): number[] {
    const sign = total < 0 ? -1 : 1;
    let units = Math.abs(total) / step;
    const count = Math.max(1, Math.min(parts, units));
    const out: number[] = [];
    for (let left = count; left > 1; left--) {
      const take = this.rng.int(1, units - (left - 1));
      out.push(sign * take * step);
      units -= take;
    }
    out.push(sign * units * step);
    return out;
  }

  private wmsMoves(doc: Doc, total: number, parts: number, at: number, type = doc.type): WmsMove[] {
    // Partial events of one movement follow each other by a minute or two.
    return this.split(total, parts, doc.wmsStep).map((qty, i) => ({
      qty,
      type,
      at: at + i * this.rng.int(1, 2) * MINUTE,
    }));
  }

  /**
   * Finance lines whose quantities sum to `total` and whose amounts sum exactly to round(total x cost):
   * every line is rounded on its own except the largest, which takes the remainder (as ERPs do).
   */
  private finLines(doc: Doc, quantities: number[], times: number[], type = doc.type): FinLine[] {
    const total = quantities.reduce((a, b) => a + b, 0);
    let anchor = 0;
    quantities.forEach((q, i) => {
      if (Math.abs(q) > Math.abs(quantities[anchor] ?? 0)) anchor = i;
    });
    let others = 0;
    const amounts = quantities.map((q, i) => {
      if (i === anchor) return 0;
      const a = amountCents(q, doc.sku.cost);
      others += a;
      return a;
    });
    amounts[anchor] = amountCents(total, doc.sku.cost) - others;
    return quantities.map((qty, i) => ({
      qty,
      type,
      at: times[i] ?? times[0] ?? 0,
      amount: amounts[i] ?? 0,
    }));
  }

  /** Finance posting times: hours after the WMS movement, the lines of a split an hour or so apart. */
  private postingTimes(count: number, after: number, maxDelayHours = 20): number[] {
    const first = after + this.rng.int(30, maxDelayHours * 60) * MINUTE;
    const times = [first];
    for (let i = 1; i < count; i++) times.push(first + i * this.rng.int(20, 180) * MINUTE);
    return times;
  }

  /** A group that agrees: one or more WMS events, one or more finance lines, same total, same month. */
  private agreeing(doc: Doc, t0: number, wmsParts: number, finParts: number, maxDelayHours = 20) {
    const total = this.signed(doc, this.quantity(doc));
    const wms = this.wmsMoves(doc, total, wmsParts, t0);
    const latest = wms.reduce((m, w) => Math.max(m, w.at), t0);
    const quantities = this.split(total, finParts, doc.step);
    const fin = this.finLines(doc, quantities, this.postingTimes(quantities.length, latest, maxDelayHours));
    return { wms, fin, total };
  }

  private benign(doc: Doc, shape: Shape): { wms: WmsMove[]; fin: FinLine[] } {
    const rng = this.rng;
    const t0 = rng.time(OCT_FROM, OCT_BASE_TO);
    const parts = (): number => (rng.chance(0.6) ? 2 : 3);
    switch (shape) {
      case 'simple':
        return this.agreeing(doc, t0, 1, 1);
      case 'wmsPartial':
        return this.agreeing(doc, t0, parts(), 1);
      case 'finPartial':
        return this.agreeing(doc, t0, 1, parts());
      case 'bothPartial':
        return this.agreeing(doc, t0, parts(), parts());
      case 'september':
        return this.agreeing(doc, rng.time(utc(9, 1), utc(9, 28)), rng.chance(0.2) ? 2 : 1, 1);
      case 'lateSameMonth':
        // Both sides inside the lag window yet in one month: agrees, must not be a TIMING_LAG.
        return this.agreeing(doc, rng.time(utc(10, 31, 0), utc(10, 31, 10)), 1, 1, 6);
      case 'reversalZero': {
        // A movement and its full reversal on both sides, half of them across a month end.
        const q = this.signed(doc, this.quantity(doc));
        const across = rng.chance(0.5);
        const t1 = across ? rng.time(utc(9, 5), utc(9, 25)) : rng.time(utc(10, 1), utc(10, 15));
        const t2 = across ? rng.time(utc(10, 2), utc(10, 25)) : t1 + rng.int(1, 10 * 24) * HOUR;
        const wms: WmsMove[] = [
          { qty: q, type: doc.type, at: t1 },
          { qty: -q, type: doc.type, at: t2 },
        ];
        const fin = this.finLines(
          doc,
          [q, -q],
          [t1 + rng.int(30, 360) * MINUTE, t2 + rng.int(30, 360) * MINUTE],
        );
        return { wms, fin };
      }
      case 'reversalPartial': {
        // Part of a movement reversed; finance posts the net or both lines.
        const magnitude = Math.max(2 * doc.step, this.quantity(doc));
        const back = rng.int(1, magnitude / doc.step - 1) * doc.step;
        const q = this.signed(doc, magnitude);
        const r = q < 0 ? back : -back;
        const t1 = rng.time(utc(10, 1), utc(10, 20));
        const t2 = t1 + rng.int(1, 5 * 24) * HOUR;
        const wms: WmsMove[] = [
          { qty: q, type: doc.type, at: t1 },
          { qty: r, type: doc.type, at: t2 },
        ];
        const fin = rng.chance(0.7)
          ? this.finLines(doc, [q + r], this.postingTimes(1, t2, 6))
          : this.finLines(doc, [q, r], [t1 + rng.int(1, 6) * HOUR, t2 + rng.int(1, 6) * HOUR]);
        return { wms, fin };
      }
    }
  }

  private injected(doc: Doc, injection: Injection): { wms: WmsMove[]; fin: FinLine[] } {
    const rng = this.rng;
    const oneOrTwo = (): number => (rng.chance(0.7) ? 1 : 2);
    switch (injection) {
      case 'MISSING_IN_FINANCE':
        return { wms: this.agreeing(doc, rng.time(OCT_FROM, OLD_TO), oneOrTwo(), 1).wms, fin: [] };
      case 'MISSING_IN_WMS':
        return { wms: [], fin: this.agreeing(doc, rng.time(OCT_FROM, OLD_TO - DAY), 1, oneOrTwo(), 20).fin };
      case 'LAG_WMS_ONLY':
        // Within 24 h before asOf, half the lag window: certainly still expected to arrive.
        return {
          wms: this.agreeing(doc, rng.time(utc(11, 1, 0), utc(11, 1, 21)), oneOrTwo(), 1).wms,
          fin: [],
        };
      case 'LAG_FINANCE_ONLY': {
        const q = this.signed(doc, this.quantity(doc));
        return { wms: [], fin: this.finLines(doc, [q], [rng.time(utc(11, 1, 0), utc(11, 1, 22))]) };
      }
      case 'LAG_CUTOFF': {
        // Agrees in every way but the month: WMS on the evening of Oct 31, finance early on Nov 1 (UTC).
        const q = this.signed(doc, this.quantity(doc));
        const wms = this.wmsMoves(doc, q, oneOrTwo(), rng.time(utc(10, 31, 18), utc(10, 31, 21, 50)));
        const fin = this.finLines(doc, [q], [rng.time(utc(11, 1, 1), utc(11, 1, 5, 59))]);
        return { wms, fin };
      }
      case 'TYPE_MISMATCH': {
        const q = this.signed(doc, this.quantity(doc));
        const t0 = rng.time(OCT_FROM, OCT_BASE_TO);
        const wms = this.wmsMoves(doc, q, oneOrTwo(), t0);
        const fin = this.finLines(doc, [q], this.postingTimes(1, t0 + 5 * MINUTE), CONFUSED_TYPE[doc.type]);
        return { wms, fin };
      }
      case 'DUPLICATE_POSTING': {
        // One finance line posted twice under another entryId; dropping the copy makes the group agree.
        const base = this.agreeing(doc, rng.time(OCT_FROM, OCT_BASE_TO), oneOrTwo(), oneOrTwo());
        const original = rng.pick(base.fin);
        const copy: FinLine = { ...original, at: original.at + rng.int(1, 6) * HOUR };
        return { wms: base.wms, fin: [...base.fin, copy] };
      }
      case 'QUANTITY_MISMATCH': {
        // Finance quantity off by at least one whole unit (one box when posted in boxes), amount priced
        // consistently with that quantity; a single finance line, so no duplicate pattern can explain it.
        const q = this.signed(doc, this.quantity(doc));
        const t0 = rng.time(OCT_FROM, OCT_BASE_TO);
        const wms = this.wmsMoves(doc, q, oneOrTwo(), t0);
        const unit = Math.max(doc.step, 1000);
        const delta = rng.int(1, 5) * Math.ceil(unit / doc.step) * doc.step;
        const mag = Math.abs(q);
        const finMag = mag > delta && rng.chance(0.5) ? mag - delta : mag + delta;
        const fq = q < 0 ? -finMag : finMag;
        return { wms, fin: this.finLines(doc, [fq], this.postingTimes(1, t0 + 5 * MINUTE)) };
      }
      case 'AMOUNT_MISMATCH': {
        // Same quantity, amount off by at least 2 % and at least 100.00: far beyond the 0.1 % tolerance.
        const q = this.signed(doc, this.quantity(doc));
        const t0 = rng.time(OCT_FROM, OCT_BASE_TO);
        const wms = this.wmsMoves(doc, q, oneOrTwo(), t0);
        const [line] = this.finLines(doc, [q], this.postingTimes(1, t0 + 5 * MINUTE));
        if (line === undefined) throw new Error('no finance line');
        const expected = Math.abs(line.amount);
        const off = Math.max(Math.ceil((expected * rng.int(3, 20)) / 100), 10_000 + rng.int(0, 50_000));
        const down = expected - off > expected / 2 && rng.chance(0.5);
        const magnitude = down ? expected - off : expected + off;
        return { wms, fin: [{ ...line, amount: line.amount < 0 ? -magnitude : magnitude }] };
      }
      default:
        throw new Error(`unknown injection ${String(injection)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Row text

function wmsCsv(doc: Doc, id: string, m: WmsMove): string {
  return [
    id,
    csvField(doc.warehouseId),
    csvField(doc.sku.name),
    m.type,
    formatQty(m.qty),
    doc.sku.unit,
    csvField(doc.ref),
    isoMinute(m.at),
    formatCost(doc.sku.cost),
  ].join(',');
}

function financeCsv(doc: Doc, id: string, f: FinLine): string {
  return [
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
  ].join(',');
}

function wmsJson(rng: Rng, doc: Doc, id: string, m: WmsMove): string {
  const fields: [string, string][] = [
    ['eventId', JSON.stringify(id)],
    ['warehouseId', jsonString(rng, doc.warehouseId)],
    ['sku', JSON.stringify(doc.sku.name)],
    ['type', JSON.stringify(m.type)],
    ['quantity', jsonDecimal(rng, formatQty(m.qty))],
  ];
  // uom is optional and defaults to EA; some exporters leave it out.
  if (doc.sku.unit !== 'EA' || rng.chance(0.7)) fields.push(['uom', JSON.stringify(doc.sku.unit)]);
  fields.push(
    ['documentRef', JSON.stringify(doc.ref)],
    ['occurredAt', jsonTime(rng, m.at)],
    ['unitCost', jsonDecimal(rng, formatCost(doc.sku.cost))],
  );
  return jsonObject(rng, fields);
}

function financeJson(rng: Rng, doc: Doc, id: string, f: FinLine): string {
  const fields: [string, string][] = [
    ['entryId', JSON.stringify(id)],
    ['warehouseId', jsonString(rng, doc.warehouseId)],
    ['sku', JSON.stringify(doc.sku.name)],
    ['type', JSON.stringify(f.type)],
    ['quantity', jsonDecimal(rng, formatQty(f.qty / doc.factor))],
  ];
  if (doc.finUom !== 'EA' || rng.chance(0.7)) fields.push(['uom', JSON.stringify(doc.finUom)]);
  fields.push(['amount', jsonDecimal(rng, formatCents(f.amount))]);
  if (rng.chance(0.9)) fields.push(['currency', '"CNY"']);
  fields.push(['documentRef', JSON.stringify(doc.ref)]);
  // A plain date is midnight UTC of the same day: same month, so the answer cannot change.
  const posted =
    doc.plainDates && rng.chance(0.15) ? `"${isoMinute(f.at).slice(0, 10)}"` : jsonTime(rng, f.at);
  fields.push(['postedAt', posted]);
  if (rng.chance(0.8)) fields.push(['account', doc.sku.unit === 'KG' ? '"1403"' : '"1405"']);
  return jsonObject(rng, fields);
}

// ---------------------------------------------------------------------------------------------------------
// Malformed rows: each wrong in exactly one way, each with its own documentRef.

interface BadFields {
  [key: string]: string | undefined;
}

function badCsv(columns: readonly string[], fields: BadFields): string {
  return columns.map((c) => csvField(fields[c] ?? '')).join(',');
}

function badJson(columns: readonly string[], fields: BadFields): string {
  const parts: string[] = [];
  for (const c of columns) {
    const v = fields[c];
    if (v !== undefined) parts.push(`${JSON.stringify(c)}: ${JSON.stringify(v)}`);
  }
  return '{' + parts.join(', ') + '}';
}

const WMS_COLUMNS = WMS_HEADER.split(',');
const FINANCE_COLUMNS = FINANCE_HEADER.split(',');

export function makeBadWms(ndjson: boolean): (i: number) => BadRow {
  return (i) => {
    const good: BadFields = {
      eventId: `BADW${i}`,
      warehouseId: 'WH-01',
      sku: 'SKU-BAD',
      type: 'RECEIPT',
      quantity: '5',
      uom: 'EA',
      documentRef: `BAD-W-${i}`,
      occurredAt: '2026-10-05T10:00:00Z',
      unitCost: '1.00',
    };
    const variants: [string, BadFields][] = [
      ['missing sku', { ...good, sku: undefined }],
      ['quantity not a number', { ...good, quantity: 'abc' }],
      ['impossible date', { ...good, occurredAt: '2026-13-45T99:00:00Z' }],
      ['unknown movement type', { ...good, type: 'TELEPORT' }],
      ['missing documentRef', { ...good, documentRef: undefined }],
      ['missing eventId', { ...good, eventId: undefined }],
      ['missing quantity', { ...good, quantity: undefined }],
    ];
    const count = variants.length + (ndjson ? 3 : 1);
    const pick = i % count;
    const variant = variants[pick];
    if (variant !== undefined) {
      const [why, fields] = variant;
      return { why, text: ndjson ? badJson(WMS_COLUMNS, fields) : badCsv(WMS_COLUMNS, fields) };
    }
    const extra = pick - variants.length;
    if (!ndjson) {
      // Cut after the documentRef: no occurredAt at all.
      return { why: 'too few fields', text: badCsv(WMS_COLUMNS.slice(0, 7), good) };
    }
    if (extra === 0)
      return { why: 'not JSON (a log line in the export)', text: `WARN wms export batch ${i} resumed` };
    if (extra === 1) return { why: 'empty object: every required field missing', text: '{}' };
    return { why: 'not JSON (cut off)', text: badJson(WMS_COLUMNS, good).slice(0, 60) };
  };
}

/** `stockedItem` names an item that has WMS events by the time the row is written (undefined if none yet). */
export function makeBadFinance(ndjson: boolean, stockedItem: () => Sku | undefined): (i: number) => BadRow {
  return (i) => {
    const good: BadFields = {
      entryId: `BADF${i}`,
      warehouseId: 'WH-01',
      sku: 'SKU-BAD',
      type: 'RECEIPT',
      quantity: '5',
      uom: 'EA',
      amount: '5.00',
      currency: 'CNY',
      documentRef: `BAD-F-${i}`,
      postedAt: '2026-10-05T10:00:00Z',
      account: '1405',
    };
    const variants: [string, BadFields][] = [
      ['amount not a decimal: 12,5', { ...good, amount: '12,5' }],
      ['missing warehouseId', { ...good, warehouseId: undefined }],
      ['impossible date', { ...good, postedAt: '2026-02-30' }],
      ['quantity not a number', { ...good, quantity: 'abc' }],
      ['unknown movement type', { ...good, type: 'TELEPORT' }],
      ['missing entryId', { ...good, entryId: undefined }],
      ['missing amount', { ...good, amount: undefined }],
    ];
    // An item with WMS events has a definite WMS unit (EA or KG) and nothing converts PALLET to it.
    // (For an item without WMS events the contract's EA default would apply, but whether such a row
    // needs converting at all is debatable; the bench stays clear of that.)
    const item = stockedItem();
    if (item !== undefined) {
      const why = `unit PALLET cannot be converted to ${item.unit} for ${item.name}`;
      variants.push([why, { ...good, sku: item.name, uom: 'PALLET' }]);
    } else variants.push(['missing amount', { ...good, amount: undefined }]);
    const count = variants.length + (ndjson ? 2 : 0);
    const pick = i % count;
    const variant = variants[pick];
    if (variant !== undefined) {
      const [why, fields] = variant;
      return { why, text: ndjson ? badJson(FINANCE_COLUMNS, fields) : badCsv(FINANCE_COLUMNS, fields) };
    }
    if (pick === variants.length)
      return { why: 'not JSON (cut off)', text: badJson(FINANCE_COLUMNS, good).slice(0, 70) };
    return { why: 'empty object: every required field missing', text: '{}' };
  };
}

// ---------------------------------------------------------------------------------------------------------

/** Writes wms / finance / uom files and truth.json into outDir. Same options, same bytes. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { documents, outDir } = options;
  const format = options.format ?? 'csv';
  const malformedEvery = options.malformedEvery ?? 0;
  if (!Number.isSafeInteger(documents) || documents < 1)
    throw new Error('documents must be a positive integer');
  if (!Number.isSafeInteger(malformedEvery) || malformedEvery < 0) {
    throw new Error('malformedEvery must be a non-negative integer');
  }
  const seed = options.seed >>> 0;
  const ndjson = format === 'ndjson';
  await mkdir(outDir, { recursive: true });

  const ext = ndjson ? 'ndjson' : 'csv';
  const files = {
    wms: path.join(outDir, `wms.${ext}`),
    finance: path.join(outDir, `finance.${ext}`),
    uom: path.join(outDir, 'uom.csv'),
  };
  const stream = (salt: number): Rng => new Rng(mix32(seed, salt));
  const docRng = stream(1);
  const skuCount = skuCountFor(documents);
  const maker = new DocumentMaker(docRng, seed, skuCount, warehousesFor(stream(2)), ndjson);
  const rejected: TruthRejected[] = [];
  const wmsRng = stream(3);
  const finRng = stream(4);

  const wmsSink = openSink(files.wms);
  const finSink = openSink(files.finance);
  const wms = new RowFile(
    wmsSink,
    wmsRng,
    path.basename(files.wms),
    '\n',
    malformedEvery,
    makeBadWms(ndjson),
    rejected,
  );
  // The latest item that got WMS events, for the unconvertible-unit malformed row.
  let stocked: Sku | undefined;
  const finance = new RowFile(
    finSink,
    finRng,
    path.basename(files.finance),
    ndjson ? '\n' : '\r\n',
    malformedEvery,
    makeBadFinance(ndjson, () => stocked),
    rejected,
  );
  if (!ndjson) {
    await wmsSink.write('\uFEFF');
    await wms.header(WMS_HEADER);
    await finance.header(FINANCE_HEADER);
  }

  // truth.json streams too: discrepancies as documents are made, then rejected rows and counts.
  const truth = openSink(path.join(outDir, 'truth.json'));
  await truth.write(`{\n "asOf": ${JSON.stringify(AS_OF)},\n "lagHours": ${LAG_HOURS},\n "discrepancies": [`);
  let truthCount = 0;

  for (let n = 1; n <= documents; n++) {
    const { doc, wms: moves, fin, kind } = maker.make(n);
    if (moves.length > 0) stocked = doc.sku;
    for (const m of moves) {
      const id = maker.nextEventId();
      await wms.push(ndjson ? wmsJson(wmsRng, doc, id, m) : wmsCsv(doc, id, m));
    }
    for (const f of fin) {
      const id = maker.nextEntryId();
      await finance.push(ndjson ? financeJson(finRng, doc, id, f) : financeCsv(doc, id, f));
    }
    if (kind !== undefined) {
      const entry: TruthDiscrepancy = {
        kind,
        warehouseId: doc.warehouseId,
        sku: doc.sku.name,
        documentRef: doc.ref,
      };
      await truth.write((truthCount++ === 0 ? '\n  ' : ',\n  ') + JSON.stringify(entry));
    }
  }
  await wms.finish();
  await finance.finish();

  rejected.sort((a, b) =>
    a.file === b.file ? a.line - b.line : a.file === path.basename(files.wms) ? -1 : 1,
  );
  const rejectedText = rejected.map((r) => '\n  ' + JSON.stringify(r)).join(',');
  await truth.write(
    `${truthCount > 0 ? '\n ' : ''}],\n "rejected": [${rejectedText}${rejected.length > 0 ? '\n ' : ''}],\n` +
      ` "wmsRows": ${wms.rows},\n "financeRows": ${finance.rows}\n}\n`,
  );
  await truth.close();

  const uom = openSink(files.uom);
  await uom.write(UOM_HEADER + '\n');
  if (ndjson) await uom.write('*,CASE,EA,24\n');
  for (let i = 1; i <= skuCount; i++) {
    const sku = maker.sku(i);
    if (sku.box) await uom.write(`${sku.name},BOX,EA,12\n`);
  }
  await uom.close();

  return {
    wmsRows: wms.rows,
    financeRows: finance.rows,
    bytes: wmsSink.bytes + finSink.bytes + uom.bytes,
    files,
  };
}
