// Data of the public sample-typos kind at any size, for the suggested-matches backtest (bench/diagnosis.ts):
// clean documents on both sides, genuine one-sided groups, transactions whose finance side was booked
// under a mistyped documentRef or sku (each a MISSING_IN_WMS plus a MISSING_IN_FINANCE or TIMING_LAG),
// and look-alike decoys beside them (same warehouse and sku, near quantity, another document) that are
// not the same transaction. Document refs run in sequence (DOC-0000417, DOC-0000418, ...), as ERP
// numbers do, so many genuine groups are one digit from each other: a suggester that trusts the
// reference alone is caught out.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, csvField } from './generate.js';

export interface TypoSetOptions {
  documents: number;
  pairs: number;
  decoys: number;
  seed: number;
  outDir: string;
  /** The run's asOf; documents fall in the 30 days before it. */
  asOf?: string;
}

export interface TypoSide {
  sku: string;
  documentRef: string;
}

export interface TypoPair {
  warehouseId: string;
  typo: string;
  field: 'documentRef' | 'sku';
  wms: TypoSide;
  finance: TypoSide;
}

export interface TypoDecoy {
  warehouseId: string;
  sku: string;
  documentRef: string;
  side: 'wms' | 'finance';
}

export interface TypoSet {
  files: { wms: string; finance: string };
  asOf: string;
  pairs: TypoPair[];
  decoys: TypoDecoy[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TYPES = ['RECEIPT', 'SHIPMENT', 'TRANSFER_IN', 'TRANSFER_OUT', 'CUSTOMER_RETURN', 'VENDOR_RETURN'];
const WAREHOUSES = ['WH-01', 'WH-上海-02', 'WH-03', 'WH-04', 'WH-05', 'WH-06', 'WH-07', 'WH-08'];

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Doc {
  warehouseId: string;
  sku: string;
  documentRef: string;
  type: string;
  /** Tenths of a unit: KG items weigh to one decimal. */
  tenths: number;
  /** Cost per unit in cents. */
  cost: number;
  wmsAt: number;
  financeAt: number;
  wms: boolean;
  finance: boolean;
  financeRef: string;
  financeSku: string;
}

const quantity = (tenths: number): string =>
  tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
const cents = (c: number): string =>
  `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
/** Quantity x unit cost in cents, rounded half up (tenths x cents / 10). */
const amountOf = (tenths: number, cost: number): number =>
  Math.sign(tenths) * Math.floor((Math.abs(tenths) * cost + 5) / 10);

/** The numeric part's digits with two adjacent, different ones swapped, or undefined. */
function transpose(rng: Rng, code: string): string | undefined {
  const spots: number[] = [];
  for (let i = 0; i + 1 < code.length; i++) {
    const a = code[i] ?? '';
    const b = code[i + 1] ?? '';
    if (/\d/.test(a) && /\d/.test(b) && a !== b) spots.push(i);
  }
  if (spots.length === 0) return undefined;
  const i = rng.pick(spots);
  return code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
}

/** One way a person mistypes a code (the public sample's list), or undefined when it does not apply. */
function mistype(rng: Rng, kind: string, code: string): string | undefined {
  const dash = code.indexOf('-');
  switch (kind) {
    case 'transposed digits':
      return transpose(rng, code);
    case 'dropped dash':
      return dash < 0 ? undefined : code.slice(0, dash) + code.slice(dash + 1);
    case 'added dash': {
      const at = code.length - rng.int(2, 4);
      return at <= dash + 1 ? undefined : `${code.slice(0, at)}-${code.slice(at)}`;
    }
    case 'leading zeros removed':
      return /-0+\d/.test(code) ? code.replace(/-0+(?=\d)/, '-') : undefined;
    case 'case changed':
      return code.toLowerCase() === code ? undefined : code.toLowerCase();
    case 'trailing space':
      return `${code} `;
    case 'letter O for zero': {
      const zeros = [...code].flatMap((c, i) => (c === '0' ? [i] : []));
      if (zeros.length === 0) return undefined;
      const i = rng.pick(zeros);
      return `${code.slice(0, i)}O${code.slice(i + 1)}`;
    }
    case 'one digit wrong': {
      const digits = [...code].flatMap((c, i) => (/\d/.test(c) ? [i] : []));
      const i = rng.pick(digits.slice(-4));
      const was = Number(code[i]);
      const now = (was + rng.int(1, 9)) % 10;
      return `${code.slice(0, i)}${now}${code.slice(i + 1)}`;
    }
    default:
      return undefined;
  }
}

const REF_TYPOS = [
  'transposed digits',
  'dropped dash',
  'added dash',
  'leading zeros removed',
  'case changed',
  'trailing space',
  'letter O for zero',
  'one digit wrong',
];
const SKU_TYPOS = ['transposed digits', 'dropped dash', 'case changed'];

export async function generateTypos(opts: TypoSetOptions): Promise<TypoSet> {
  const rng = new Rng(opts.seed ^ 0x7390);
  const asOf = Date.parse(opts.asOf ?? '2026-11-02T00:00:00Z');
  const skuCount = Math.max(40, Math.round(opts.documents / 6));
  const skus = [...Array(skuCount).keys()].map((i) => ({
    name: `${i % 10 === 7 ? 'KG' : 'SKU'}-${String(i + 1).padStart(5, '0')}`,
    kg: i % 10 === 7,
    cost: rng.int(50, 200_000),
  }));
  const docs: Doc[] = [];
  const groups = new Set<string>();
  const key = (w: string, s: string, r: string) => JSON.stringify([w, s, r]);
  for (let n = 1; n <= opts.documents; n++) {
    const sku = rng.pick(skus);
    const warehouseId = rng.pick(WAREHOUSES);
    const documentRef = `DOC-${String(n).padStart(7, '0')}`;
    const wmsAt = rng.time(asOf - 31 * DAY, asOf - 1 * HOUR);
    const r = rng.float();
    const doc: Doc = {
      warehouseId,
      sku: sku.name,
      documentRef,
      type: rng.pick(TYPES),
      tenths: sku.kg ? rng.int(10, 5000) : rng.int(1, 500) * 10,
      cost: sku.cost,
      wmsAt,
      financeAt: wmsAt + rng.int(0, 30) * HOUR + rng.int(0, 59) * 60_000,
      // Genuine one-sided groups: 4 % never posted, 4 % posted with no movement.
      wms: r >= 0.04,
      finance: r < 0.04 || r >= 0.08,
      financeRef: documentRef,
      financeSku: sku.name,
    };
    docs.push(doc);
    groups.add(key(warehouseId, sku.name, documentRef));
  }

  const pairs: TypoPair[] = [];
  const candidates = docs.filter((d) => d.wms && d.finance);
  while (pairs.length < opts.pairs && candidates.length > 0) {
    const doc = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
    if (doc === undefined) break;
    // A sku typo names an item finance has no unit table for: only EA items keep their quantity.
    const field = rng.chance(0.2) && !doc.sku.startsWith('KG') ? 'sku' : 'documentRef';
    const typo = rng.pick(field === 'sku' ? SKU_TYPOS : REF_TYPOS);
    const wrong = mistype(rng, typo, field === 'sku' ? doc.sku : doc.documentRef);
    if (wrong === undefined) continue;
    const financeSku = field === 'sku' ? wrong : doc.sku;
    const financeRef = field === 'sku' ? doc.documentRef : wrong;
    // A typo that lands on a real group is no longer one-sided: choose another.
    if (groups.has(key(doc.warehouseId, financeSku, financeRef))) continue;
    groups.add(key(doc.warehouseId, financeSku, financeRef));
    doc.financeRef = financeRef;
    doc.financeSku = financeSku;
    pairs.push({
      warehouseId: doc.warehouseId,
      typo,
      field,
      wms: { sku: doc.sku, documentRef: doc.documentRef },
      finance: { sku: financeSku, documentRef: financeRef },
    });
  }

  const decoys: TypoDecoy[] = [];
  const byPair = pairs.map((p) =>
    docs.find((d) => d.documentRef === p.wms.documentRef && d.sku === p.wms.sku),
  );
  for (let i = 0; i < opts.decoys && byPair.length > 0; i++) {
    const near = rng.pick(byPair);
    if (near === undefined) continue;
    const side = rng.chance(0.5) ? 'wms' : 'finance';
    const documentRef = rng.pick([
      `DOC-${String(rng.int(1_000_000, 9_999_999))}`,
      `SO-${rng.int(10_000, 99_999)}`,
      `RMA-${rng.int(1000, 9999)}-${String.fromCharCode(65 + rng.int(0, 25))}`,
    ]);
    if (groups.has(key(near.warehouseId, near.sku, documentRef))) continue;
    groups.add(key(near.warehouseId, near.sku, documentRef));
    const spread = Math.max(1, Math.round(Math.abs(near.tenths) * rng.float() * 0.1));
    const at = near.wmsAt + (rng.chance(0.5) ? -1 : 1) * rng.int(3, 12) * DAY;
    docs.push({
      ...near,
      documentRef,
      financeRef: documentRef,
      financeSku: near.sku,
      tenths: rng.chance(0.3) ? near.tenths : near.tenths + (rng.chance(0.5) ? -spread : spread),
      wmsAt: Math.min(at, asOf - 72 * HOUR),
      financeAt: Math.min(at, asOf - 72 * HOUR),
      wms: side === 'wms',
      finance: side === 'finance',
    });
    decoys.push({ warehouseId: near.warehouseId, sku: near.sku, documentRef, side });
  }

  const wmsRows = ['eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost'];
  const financeRows = [
    'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account',
  ];
  docs.forEach((d, i) => {
    const uom = d.sku.startsWith('KG') ? 'KG' : 'EA';
    const qty = quantity(d.tenths);
    const id = String(i + 1).padStart(8, '0');
    if (d.wms) {
      wmsRows.push(
        [`E${id}`, d.warehouseId, d.sku, d.type, qty, uom, d.documentRef, iso(d.wmsAt), cents(d.cost)]
          .map(csvField)
          .join(','),
      );
    }
    if (d.finance) {
      const amount = cents(amountOf(d.tenths, d.cost));
      financeRows.push(
        [
          `F${id}`,
          d.warehouseId,
          d.financeSku,
          d.type,
          qty,
          uom,
          amount,
          'CNY',
          d.financeRef,
          iso(d.financeAt),
          '1405',
        ]
          .map(csvField)
          .join(','),
      );
    }
  });
  const files = { wms: join(opts.outDir, 'wms.csv'), finance: join(opts.outDir, 'finance.csv') };
  await writeFile(files.wms, wmsRows.join('\n') + '\n');
  await writeFile(files.finance, financeRows.join('\n') + '\n');
  return { files, asOf: new Date(asOf).toISOString(), pairs, decoys };
}
