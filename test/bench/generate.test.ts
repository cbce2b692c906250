// The bench is only as good as its truth: these tests re-read the generated files with an independent
// parser and a small reference classifier written from CONTRACT.md, and hold truth.json to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, type GenerateResult } from '../../bench/generate.js';

const DOCS = 2000;
const EVERY = 97;
const AS_OF_MS = Date.parse('2026-11-02T00:00:00Z');
const LAG_MS = 48 * 3600_000;
const TYPES = new Set([
  'RECEIPT',
  'SHIPMENT',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'ADJUSTMENT',
  'CUSTOMER_RETURN',
  'VENDOR_RETURN',
]);
const KINDS = [
  'MISSING_IN_WMS',
  'MISSING_IN_FINANCE',
  'TIMING_LAG',
  'TYPE_MISMATCH',
  'DUPLICATE_POSTING',
  'QUANTITY_MISMATCH',
  'AMOUNT_MISMATCH',
];

interface Truth {
  asOf: string;
  lagHours: number;
  discrepancies: { kind: string; warehouseId: string; sku: string; documentRef: string }[];
  rejected: { file: string; line: number; why: string }[];
  wmsRows: number;
  financeRows: number;
}

interface GenSet {
  dir: string;
  result: GenerateResult;
  truth: Truth;
  wmsText: string;
  financeText: string;
  uomText: string;
}

let root = '';
const sets: Record<'csv' | 'again' | 'other' | 'ndjson', GenSet> = {} as Record<
  'csv' | 'again' | 'other' | 'ndjson',
  GenSet
>;

async function make(name: string, seed: number, format: 'csv' | 'ndjson'): Promise<GenSet> {
  const dir = path.join(root, name);
  const result = await generate({ documents: DOCS, seed, outDir: dir, format, malformedEvery: EVERY });
  const truth = JSON.parse(await readFile(path.join(dir, 'truth.json'), 'utf8')) as Truth;
  return {
    dir,
    result,
    truth,
    wmsText: await readFile(result.files.wms, 'utf8'),
    financeText: await readFile(result.files.finance, 'utf8'),
    uomText: await readFile(result.files.uom, 'utf8'),
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'stocktally-gen-'));
  sets.csv = await make('csv', 7, 'csv');
  sets.again = await make('again', 7, 'csv');
  sets.other = await make('other', 8, 'csv');
  sets.ndjson = await make('ndjson', 7, 'ndjson');
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// An independent reader: strict about everything a good row must be.

/** RFC 4180 fields of one physical line (the generator never puts line breaks inside fields). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quote: ${line}`);
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      field = line.slice(i, end);
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new Error(`junk after quoted field: ${line}`);
    i++;
  }
}

/** Exact decimal text (or a JSON number, whose shortest form is the text it was written as) to a scaled bigint. */
function scaled(value: unknown, decimals: number): bigint {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text))
    throw new Error(`not a decimal: ${String(value)}`);
  const negative = text.startsWith('-');
  const [whole = '', frac = ''] = text.replace('-', '').split('.');
  if (frac.replace(/0+$/, '').length > decimals) throw new Error(`too many decimals: ${text}`);
  const v = BigInt(whole + frac.padEnd(decimals, '0').slice(0, decimals));
  return negative ? -v : v;
}

function instant(value: unknown, plainDateOk: boolean): number {
  if (typeof value !== 'string') throw new Error(`not a date: ${String(value)}`);
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const plain = plainDateOk && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(value);
  if (!(full || plain) || Number.isNaN(ms)) throw new Error(`not a date: ${value}`);
  // Date.parse rolls Feb 30 over; the round trip catches it.
  if (plain && new Date(ms).toISOString().slice(0, 10) !== value)
    throw new Error(`impossible date: ${value}`);
  return ms;
}

function required(record: Record<string, unknown>, field: string): string {
  const v = record[field];
  if (typeof v !== 'string' || v === '') throw new Error(`missing ${field}`);
  return v;
}

interface Wms {
  id: string;
  key: string;
  sku: string;
  type: string;
  qty: bigint; // thousandths
  uom: string;
  at: number;
  cost: bigint; // ten-thousandths
  raw: string;
}

interface Fin {
  id: string;
  /** Quantity converted to the item's WMS unit, thousandths. */
  qtyWms: bigint;
  key: string;
  sku: string;
  type: string;
  qty: bigint; // thousandths of the finance unit
  uom: string;
  amount: bigint; // cents
  at: number;
  raw: string;
}

const groupKey = (r: Record<string, unknown>): string =>
  [required(r, 'warehouseId'), required(r, 'sku'), required(r, 'documentRef')].join('\u0000');

function toWms(r: Record<string, unknown>, raw: string): Wms {
  const type = required(r, 'type');
  if (!TYPES.has(type)) throw new Error(`unknown type ${type}`);
  const uom = r.uom === undefined || r.uom === '' ? 'EA' : required(r, 'uom');
  return {
    id: required(r, 'eventId'),
    key: groupKey(r),
    sku: required(r, 'sku'),
    type,
    qty: scaled(r.quantity, 3),
    uom,
    at: instant(r.occurredAt, false),
    cost: scaled(r.unitCost, 4),
    raw,
  };
}

function toFin(r: Record<string, unknown>, raw: string): Omit<Fin, 'qtyWms'> {
  const type = required(r, 'type');
  if (!TYPES.has(type)) throw new Error(`unknown type ${type}`);
  const uom = r.uom === undefined || r.uom === '' ? 'EA' : required(r, 'uom');
  return {
    id: required(r, 'entryId'),
    key: groupKey(r),
    sku: required(r, 'sku'),
    type,
    qty: scaled(r.quantity, 3),
    uom,
    amount: scaled(r.amount, 2),
    at: instant(r.postedAt, true),
    raw,
  };
}

/** Data lines with their physical line numbers (header = line 1 in CSV, first record = line 1 in NDJSON). */
function dataLines(text: string, csv: boolean): { line: number; text: string }[] {
  const body = text.replace(/^\uFEFF/, '');
  const lines = body.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((t, i) => ({ line: i + 1, text: t })).slice(csv ? 1 : 0);
}

function recordOf(text: string, header: string[] | undefined): Record<string, unknown> {
  if (header === undefined) return JSON.parse(text) as Record<string, unknown>;
  const fields = splitCsv(text);
  if (fields.length !== header.length) throw new Error('too few fields');
  return Object.fromEntries(header.map((h, i) => [h, fields[i]]));
}

interface Parsed {
  wms: Wms[];
  fin: Fin[];
  /** Physical lines (per file) that failed the strict reader, with the record or raw text. */
  bad: Map<string, { text: string; record?: Record<string, unknown>; error: string }>;
}

function parse(set: GenSet): Parsed {
  const csv = set.result.files.wms.endsWith('.csv');
  const bad: Parsed['bad'] = new Map();
  const headerOf = (text: string): string[] | undefined =>
    csv ? splitCsv(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '') : undefined;
  const read = <T>(text: string, file: string, to: (r: Record<string, unknown>, raw: string) => T): T[] => {
    const header = headerOf(text);
    const out: T[] = [];
    for (const { line, text: t } of dataLines(text, csv)) {
      let record: Record<string, unknown> | undefined;
      try {
        record = recordOf(t, header);
        out.push(to(record, t));
      } catch (e) {
        bad.set(`${file}:${line}`, { text: t, record, error: (e as Error).message });
      }
    }
    return out;
  };
  const uom = new Map<string, bigint>();
  for (const { text } of dataLines(set.uomText, true)) {
    const [sku = '', from = '', to = '', factor = ''] = splitCsv(text);
    uom.set(`${sku}|${from}|${to}`, scaled(factor, 3));
  }
  const wms = read(set.wmsText, path.basename(set.result.files.wms), toWms);
  // Quantities compare in the item's WMS unit (EA when it has no events); a unit that cannot get
  // there makes the row a rejected one.
  const wmsUnit = new Map<string, string>();
  for (const w of wms) if (!wmsUnit.has(w.sku)) wmsUnit.set(w.sku, w.uom);
  const fin = read(set.financeText, path.basename(set.result.files.finance), (r, raw): Fin => {
    const f = toFin(r, raw);
    const unit = wmsUnit.get(f.sku) ?? 'EA';
    const factor =
      f.uom === unit ? 1000n : (uom.get(`${f.sku}|${f.uom}|${unit}`) ?? uom.get(`*|${f.uom}|${unit}`));
    if (factor === undefined) throw new Error(`unit ${f.uom} cannot be converted to ${unit} for ${f.sku}`);
    return { ...f, qtyWms: (f.qty * factor) / 1000n };
  });
  return { wms, fin, bad };
}

// ---------------------------------------------------------------------------------------------------------
// Reference classification from CONTRACT.md §2 (UTC months, default tolerances).

function roundCents(qtyMilli: bigint, costTenThousandths: bigint): bigint {
  const p = qtyMilli * costTenThousandths; // 1e-7
  const abs = p < 0n ? -p : p;
  const cents = (abs + 50_000n) / 100_000n; // half away from zero
  return p < 0n ? -cents : cents;
}

const month = (ms: number): string => new Date(ms).toISOString().slice(0, 7);
const latest = (xs: { at: number }[]): number => xs.reduce((m, x) => Math.max(m, x.at), -Infinity);
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

interface Group {
  key: string;
  wms: Wms[];
  fin: Fin[];
}

function groups(p: Parsed): Map<string, Group> {
  const out = new Map<string, Group>();
  const group = (key: string): Group => {
    let g = out.get(key);
    if (g === undefined) out.set(key, (g = { key, wms: [], fin: [] }));
    return g;
  };
  // Same id and same text is one record; same id with other text would be a conflict the bench never makes.
  const seen = new Map<string, string>();
  const firstTime = (id: string, raw: string): boolean => {
    const before = seen.get(id);
    if (before !== undefined && before !== raw) throw new Error(`id ${id} repeated with other content`);
    seen.set(id, raw);
    return before === undefined;
  };
  for (const w of p.wms) if (firstTime(w.id, w.raw)) group(w.key).wms.push(w);
  for (const f of p.fin) if (firstTime(f.id, f.raw)) group(f.key).fin.push(f);
  return out;
}

function expectedAmount(g: Group): bigint {
  const cost = g.wms[0]?.cost ?? 0n;
  return roundCents(
    g.wms.reduce((s, w) => s + w.qty, 0n),
    cost,
  );
}

function agrees(g: Group, fin: Group['fin']): boolean {
  const q = g.wms.reduce((s, w) => s + w.qty, 0n);
  const fq = fin.reduce((s, f) => s + f.qtyWms, 0n);
  const fa = fin.reduce((s, f) => s + f.amount, 0n);
  if (q === 0n && fq === 0n && fa === 0n) return true;
  const exp = expectedAmount(g);
  const diff = abs(fa - exp);
  const amountOk = diff <= 1n || diff * 1000n <= abs(exp);
  return q === fq && amountOk && month(latest(g.wms)) === month(latest(fin));
}

function classify(g: Group): string | undefined {
  const old = (xs: { at: number }[]): boolean => latest(xs) < AS_OF_MS - LAG_MS;
  if (g.wms.length === 0) return old(g.fin) ? 'MISSING_IN_WMS' : 'TIMING_LAG';
  if (g.fin.length === 0) return old(g.wms) ? 'MISSING_IN_FINANCE' : 'TIMING_LAG';
  const wt = [...new Set(g.wms.map((w) => w.type))].sort().join();
  const ft = [...new Set(g.fin.map((f) => f.type))].sort().join();
  if (wt !== ft) return 'TYPE_MISMATCH';
  if (agrees(g, g.fin)) return undefined;
  const byPattern = new Map<string, Group['fin']>();
  for (const f of g.fin) {
    const k = `${f.type}|${f.qty}|${f.uom}|${f.amount}`;
    byPattern.set(k, [...(byPattern.get(k) ?? []), f]);
  }
  for (const same of byPattern.values()) {
    for (let drop = 1; drop < same.length; drop++) {
      const dropped = new Set(same.slice(same.length - drop).map((f) => f.id));
      if (
        agrees(
          g,
          g.fin.filter((f) => !dropped.has(f.id)),
        )
      )
        return 'DUPLICATE_POSTING';
    }
  }
  const q = g.wms.reduce((s, w) => s + w.qty, 0n);
  const fq = g.fin.reduce((s, f) => s + f.qtyWms, 0n);
  if (q !== fq) return 'QUANTITY_MISMATCH';
  const fa = g.fin.reduce((s, f) => s + f.amount, 0n);
  const exp = expectedAmount(g);
  if (abs(fa - exp) > 1n && abs(fa - exp) * 1000n > abs(exp)) return 'AMOUNT_MISMATCH';
  return 'TIMING_LAG';
}

const truthKey = (d: { warehouseId: string; sku: string; documentRef: string }): string =>
  [d.warehouseId, d.sku, d.documentRef].join('\u0000');

// ---------------------------------------------------------------------------------------------------------

describe('bench/generate', () => {
  it('writes the CSV files with the headers, BOM and line ends the sample has', () => {
    const { wmsText, financeText, uomText, dir } = sets.csv;
    expect(
      wmsText.startsWith('\uFEFFeventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost\n'),
    ).toBe(true);
    expect(wmsText.includes('\r')).toBe(false);
    expect(
      financeText.startsWith(
        'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account\r\n',
      ),
    ).toBe(true);
    expect(financeText.endsWith('\r\n')).toBe(true);
    expect(financeText.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    expect(financeText.charCodeAt(0)).not.toBe(0xfeff);
    expect(uomText.split('\n')[0]).toBe('sku,fromUom,toUom,factor');
    expect(uomText).toMatch(/^SKU-\d+,BOX,EA,12$/m);
    expect(sets.csv.result.files).toEqual({
      wms: path.join(dir, 'wms.csv'),
      finance: path.join(dir, 'finance.csv'),
      uom: path.join(dir, 'uom.csv'),
    });
  });

  it('writes truth.json in the shape of the public sample', () => {
    const { truth } = sets.csv;
    expect(Object.keys(truth)).toEqual([
      'asOf',
      'lagHours',
      'discrepancies',
      'rejected',
      'wmsRows',
      'financeRows',
    ]);
    expect(truth.asOf).toBe('2026-11-02T00:00:00Z');
    expect(truth.lagHours).toBe(48);
    for (const d of truth.discrepancies)
      expect(Object.keys(d)).toEqual(['kind', 'warehouseId', 'sku', 'documentRef']);
    for (const r of truth.rejected) expect(Object.keys(r)).toEqual(['file', 'line', 'why']);
  });

  it('counts the rows it wrote', () => {
    for (const set of [sets.csv, sets.ndjson]) {
      const { result, truth } = set;
      const csv = result.files.wms.endsWith('.csv');
      const rejectedIn = (file: string): number =>
        truth.rejected.filter((r) => r.file === path.basename(file)).length;
      expect(dataLines(set.wmsText, csv).length).toBe(result.wmsRows + rejectedIn(result.files.wms));
      expect(dataLines(set.financeText, csv).length).toBe(
        result.financeRows + rejectedIn(result.files.finance),
      );
      expect(truth.wmsRows).toBe(result.wmsRows);
      expect(truth.financeRows).toBe(result.financeRows);
      expect(result.bytes).toBe(
        Buffer.byteLength(set.wmsText) + Buffer.byteLength(set.financeText) + Buffer.byteLength(set.uomText),
      );
      // About 1.25 WMS rows and 1.1 finance rows per document, like the public sample.
      expect(result.wmsRows / DOCS).toBeGreaterThan(1.1);
      expect(result.wmsRows / DOCS).toBeLessThan(1.45);
      expect(result.financeRows / DOCS).toBeGreaterThan(0.95);
      expect(result.financeRows / DOCS).toBeLessThan(1.25);
    }
  });

  it('is deterministic: same seed, same bytes; another seed, other data', () => {
    for (const f of ['wmsText', 'financeText', 'uomText'] as const) expect(sets.again[f]).toBe(sets.csv[f]);
    expect(sets.again.truth).toEqual(sets.csv.truth);
    expect(sets.other.wmsText).not.toBe(sets.csv.wmsText);
    expect(sets.other.financeText).not.toBe(sets.csv.financeText);
    expect(sets.other.truth.discrepancies).not.toEqual(sets.csv.truth.discrepancies);
  });

  it('puts the malformed rows exactly on the lines truth.rejected names', () => {
    for (const set of [sets.csv, sets.ndjson]) {
      const p = parse(set);
      const claimed = new Map(set.truth.rejected.map((r) => [`${r.file}:${r.line}`, r.why]));
      // Both directions: every claimed line fails the strict reader, and nothing else does.
      expect([...p.bad.keys()].sort()).toEqual([...claimed.keys()].sort());
      for (const [where, why] of claimed) {
        const bad = p.bad.get(where);
        expect(bad, where).toBeDefined();
        if (bad === undefined) continue;
        const r = bad.record ?? {};
        const missing = /^missing (\w+)$/.exec(why);
        if (missing?.[1] !== undefined) expect(r[missing[1]] ?? '', where).toBe('');
        else if (why === 'quantity not a number') expect(r.quantity).toBe('abc');
        else if (why === 'impossible date')
          expect(['2026-13-45T99:00:00Z', '2026-02-30']).toContain(r.occurredAt ?? r.postedAt);
        else if (why === 'unknown movement type') expect(r.type).toBe('TELEPORT');
        else if (why.startsWith('amount not a decimal')) expect(r.amount).toBe('12,5');
        else if (why.startsWith('unit PALLET')) {
          expect(r.uom).toBe('PALLET');
          // An item with WMS events, so its unit is certain: the case the contract leaves no doubt about.
          expect(p.wms.some((w) => w.sku === r.sku && why.endsWith(`to ${w.uom} for ${w.sku}`))).toBe(true);
        } else if (why === 'too few fields') expect(splitCsv(bad.text).length).toBeLessThan(9);
        else if (why.startsWith('not JSON')) expect(() => JSON.parse(bad.text) as unknown).toThrow();
        else if (why.startsWith('empty object')) expect(bad.text).toBe('{}');
        else throw new Error(`unexpected why: ${why}`);
      }
      // Every EVERY-th data line of each file, no more, no fewer.
      const csv = set.result.files.wms.endsWith('.csv');
      for (const [file, text] of [
        [set.result.files.wms, set.wmsText],
        [set.result.files.finance, set.financeText],
      ] as const) {
        const n = dataLines(text, csv).length;
        const lines = set.truth.rejected.filter((r) => r.file === path.basename(file)).map((r) => r.line);
        const want = Array.from({ length: Math.floor(n / EVERY) }, (_, i) => (i + 1) * EVERY + (csv ? 1 : 0));
        expect(lines).toEqual(want);
      }
    }
  });

  it('names only groups that exist, of every kind, about 7 % of documents', () => {
    for (const set of [sets.csv, sets.ndjson]) {
      const g = groups(parse(set));
      const kinds = new Set<string>();
      for (const d of set.truth.discrepancies) {
        expect(g.has(truthKey(d)), JSON.stringify(d)).toBe(true);
        kinds.add(d.kind);
      }
      expect([...kinds].sort()).toEqual([...KINDS].sort());
      expect(new Set(set.truth.discrepancies.map(truthKey)).size).toBe(set.truth.discrepancies.length);
      expect(set.truth.discrepancies.length / DOCS).toBeGreaterThan(0.05);
      expect(set.truth.discrepancies.length / DOCS).toBeLessThan(0.09);
    }
  });

  it('prices clean documents exactly: finance amount = round-half-up(WMS quantity x unitCost)', () => {
    for (const set of [sets.csv, sets.ndjson]) {
      const flagged = new Set(set.truth.discrepancies.map(truthKey));
      const g = groups(parse(set));
      let checked = 0;
      for (const group of g.values()) {
        if (flagged.has(group.key)) continue;
        expect(group.wms.length, group.key).toBeGreaterThan(0);
        expect(group.fin.length, group.key).toBeGreaterThan(0);
        expect(new Set(group.wms.map((w) => w.cost)).size).toBe(1);
        const q = group.wms.reduce((s, w) => s + w.qty, 0n);
        expect(
          group.fin.reduce((s, f) => s + f.qtyWms, 0n),
          group.key,
        ).toBe(q);
        expect(
          group.fin.reduce((s, f) => s + f.amount, 0n),
          group.key,
        ).toBe(expectedAmount(group));
        checked++;
      }
      expect(checked).toBeGreaterThan(DOCS * 0.9);
    }
  });

  it('keeps one unit cost per item', () => {
    const cost = new Map<string, bigint>();
    for (const w of parse(sets.csv).wms) {
      expect(cost.get(w.sku) ?? w.cost, w.sku).toBe(w.cost);
      cost.set(w.sku, w.cost);
    }
  });

  it('agrees with a reference classification of every group', () => {
    for (const set of [sets.csv, sets.ndjson]) {
      const want = new Map(set.truth.discrepancies.map((d) => [truthKey(d), d.kind]));
      const have = new Map<string, string>();
      for (const g of groups(parse(set)).values()) {
        const kind = classify(g);
        if (kind !== undefined) have.set(g.key, kind);
      }
      expect(have).toEqual(want);
    }
  });

  it('injects with margins wide enough that the kind cannot depend on a boundary', () => {
    const p = parse(sets.csv);
    const g = groups(p);
    const day = 24 * 3600_000;
    for (const d of sets.csv.truth.discrepancies) {
      const group = g.get(truthKey(d));
      if (group === undefined) throw new Error(`no group for ${JSON.stringify(d)}`);
      const where = JSON.stringify(d);
      const wq = group.wms.reduce((s, w) => s + w.qty, 0n);
      const fq = group.fin.reduce((s, f) => s + f.qtyWms, 0n);
      const fa = group.fin.reduce((s, f) => s + f.amount, 0n);
      const oneSided = group.wms.length === 0 || group.fin.length === 0;
      const last = latest([...group.wms, ...group.fin]);
      switch (d.kind) {
        case 'MISSING_IN_WMS':
        case 'MISSING_IN_FINANCE':
          expect(last, where).toBeLessThanOrEqual(AS_OF_MS - 5 * day);
          break;
        case 'TIMING_LAG':
          if (oneSided) expect(last, where).toBeGreaterThanOrEqual(AS_OF_MS - day);
          else {
            expect(month(latest(group.wms)), where).toBe('2026-10');
            expect(month(latest(group.fin)), where).toBe('2026-11');
            expect(latest(group.fin) - latest(group.wms), where).toBeGreaterThanOrEqual(3 * 3600_000);
          }
          break;
        case 'QUANTITY_MISMATCH':
          expect(abs(wq - fq), where).toBeGreaterThanOrEqual(1000n);
          expect(fa, where).toBe(roundCents(fq, group.wms[0]?.cost ?? 0n));
          break;
        case 'AMOUNT_MISMATCH': {
          const diff = abs(fa - expectedAmount(group));
          expect(wq, where).toBe(fq);
          expect(diff, where).toBeGreaterThanOrEqual(10_000n);
          expect(diff * 50n, where).toBeGreaterThanOrEqual(abs(expectedAmount(group)));
          break;
        }
      }
    }
  });

  it('mixes in the benign complications the sample has', () => {
    const p = parse(sets.csv);
    const g = [...groups(p).values()];
    const ids = new Map<string, number>();
    for (const w of p.wms) ids.set(w.id, (ids.get(w.id) ?? 0) + 1);
    for (const f of p.fin) ids.set(f.id, (ids.get(f.id) ?? 0) + 1);
    expect([...ids.values()].filter((n) => n > 1).length).toBeGreaterThan(10); // retried rows
    expect(g.filter((x) => x.fin.length > 1 && x.wms.length === 1).length).toBeGreaterThan(10); // partial postings
    expect(g.filter((x) => x.wms.length > 1 && x.fin.length === 1).length).toBeGreaterThan(10); // WMS partials
    const zero = g.filter((x) => x.wms.length > 0 && x.wms.reduce((s, w) => s + w.qty, 0n) === 0n);
    expect(zero.length).toBeGreaterThan(10); // reversals netting to zero
    expect(zero.some((x) => month(x.wms[0]?.at ?? 0) !== month(latest(x.wms)))).toBe(true); // across months
    expect(p.fin.filter((f) => f.uom === 'BOX').length).toBeGreaterThan(10);
    expect(sets.csv.wmsText).toContain('"PO-');
    expect(sets.csv.wmsText).toContain('""rush""');
    expect(sets.csv.wmsText).toContain('WH-上海-02');
    // Half-cent ties, where half-up and banker's rounding part ways.
    const ties = p.fin.filter(
      (f) =>
        (f.uom === 'EA' || f.uom === 'KG') &&
        (f.qty * (p.wms.find((w) => w.sku === f.sku)?.cost ?? 0n)) % 100_000n === 50_000n,
    );
    expect(ties.length).toBeGreaterThan(0);
    const types = new Set(p.wms.map((w) => w.type));
    expect(types.size).toBe(7);
  });

  it('varies the NDJSON text: decimals as strings and numbers, offsets, plain dates, CASE via *', () => {
    const { wmsText, financeText, uomText } = sets.ndjson;
    expect(wmsText).toMatch(/"quantity": ?"-?\d/);
    expect(wmsText).toMatch(/"quantity": ?-?\d/);
    expect(financeText).toMatch(/"amount": ?-?\d/);
    expect(financeText).toMatch(/"amount": ?"-?\d/);
    expect(wmsText).toMatch(/\+08:00"/);
    expect(financeText).toMatch(/"postedAt": ?"\d{4}-\d{2}-\d{2}"/);
    expect(wmsText).toContain('\\u4e0a\\u6d77');
    expect(uomText.split('\n')[1]).toBe('*,CASE,EA,24');
    expect(financeText).toContain('"CASE"');
  });
});
