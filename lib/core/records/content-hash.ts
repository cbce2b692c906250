import { createHash } from 'node:crypto';
import { formatDecimal } from '../shared/decimal.js';
import type { Entry, EntryInput, LedgerRecord, Movement, MovementInput } from './records.js';
import { formatInstant } from '../shared/timestamp.js';

/**
 * The canonical content of a validated record: its wire form with fields in one fixed order,
 * decimals in their shortest exact text ("446.00" and 446 are both "446") and instants as UTC ISO
 * text (two spellings of one instant are one text). The same fields decide "same content" as the
 * engine's de-duplication (group.ts): origin (file, line) is not content.
 */
export type CanonicalMovement = MovementInput & { uom: string; quantity: string; unitCost?: string };
export type CanonicalEntry = EntryInput & { uom: string; quantity: string; amount: string };

export function canonicalMovement(m: Movement): CanonicalMovement {
  const wire: CanonicalMovement = {
    eventId: m.id,
    warehouseId: m.warehouseId,
    sku: m.sku,
    type: m.type,
    quantity: formatDecimal(m.quantity),
    uom: m.uom,
    documentRef: m.documentRef,
    occurredAt: formatInstant(m.at),
  };
  if (m.unitCost !== undefined) wire.unitCost = formatDecimal(m.unitCost);
  return wire;
}

export function canonicalEntry(e: Entry): CanonicalEntry {
  const wire: CanonicalEntry = {
    entryId: e.id,
    warehouseId: e.warehouseId,
    sku: e.sku,
    type: e.type,
    quantity: formatDecimal(e.quantity),
    uom: e.uom,
    amount: formatDecimal(e.amount),
    documentRef: e.documentRef,
    postedAt: formatInstant(e.at),
  };
  if (e.currency !== undefined) wire.currency = e.currency;
  if (e.account !== undefined) wire.account = e.account;
  return wire;
}

export function canonicalRecord(r: LedgerRecord): CanonicalMovement | CanonicalEntry {
  return r.source === 'wms' ? canonicalMovement(r) : canonicalEntry(r);
}

/** The canonical wire form as JSON text: keys in the fixed order above, so equal content is equal text. */
export function canonicalText(r: LedgerRecord): string {
  return JSON.stringify(canonicalRecord(r));
}

/** sha256 hex of the canonical text: equal content, equal hash. */
export function contentHash(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Field names (as on the wire) whose canonical values differ between two versions of a record. */
export function differingFields(a: object, b: object): string[] {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const names = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...names].filter((name) => left[name] !== right[name]);
}
