import { describe, expect, it } from 'vitest';
import { canonicalText, contentHash, differingFields } from '../../../lib/core/records/content-hash.js';
import { isRejection, parseEntry, parseMovement } from '../../../lib/core/records/record-parser.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

const zone = new ZoneClock('UTC');

function m(raw: Record<string, unknown>, line = 1): Movement {
  const r = parseMovement(raw, { file: 'a.csv', line }, zone);
  if (isRejection(r)) throw new Error(r.reason);
  return r;
}

function e(raw: Record<string, unknown>): Entry {
  const r = parseEntry(raw, { file: 'b.csv', line: 1 }, zone);
  if (isRejection(r)) throw new Error(r.reason);
  return r;
}

const base = {
  eventId: 'E1',
  warehouseId: 'WH-上海-02',
  sku: 'SKU-1',
  type: 'RECEIPT',
  quantity: '446',
  documentRef: 'PO-1,"rush"',
  occurredAt: '2026-10-13T17:23:00Z',
  unitCost: '12.50',
};
const hash = (r: Movement | Entry) => contentHash(canonicalText(r));

describe('content hash', () => {
  it('is the same for the same content however it is spelled, ordered or where it came from', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse());
    const spelled = {
      ...base,
      quantity: 446,
      unitCost: '12.5',
      uom: 'EA',
      occurredAt: '2026-10-14T01:23:00.000+08:00',
    };

    expect(hash(m(reordered, 7))).toBe(hash(m(base)));
    expect(hash(m(spelled))).toBe(hash(m(base)));
    expect(hash(m({ ...base, quantity: '446.00' }))).toBe(hash(m(base)));
    expect(hash(m(base))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when any field of the content differs', () => {
    for (const change of [
      { quantity: '446.000001' },
      { unitCost: undefined },
      { uom: 'BOX' },
      { occurredAt: '2026-10-13T17:23:01Z' },
      { documentRef: 'PO-1' },
      { type: 'SHIPMENT' },
    ]) {
      expect(hash(m({ ...base, ...change })), JSON.stringify(change)).not.toBe(hash(m(base)));
    }
  });

  it('reads a plain posting date and its midnight as one instant, and tells entries by amount', () => {
    const entry = {
      entryId: 'F1',
      warehouseId: 'W',
      sku: 'S',
      type: 'RECEIPT',
      quantity: '1',
      amount: '2.50',
      documentRef: 'D',
      postedAt: '2026-10-05',
    };

    expect(hash(e({ ...entry, postedAt: '2026-10-05T00:00:00Z' }))).toBe(hash(e(entry)));
    expect(hash(e({ ...entry, amount: '2.51' }))).not.toBe(hash(e(entry)));
  });

  it('names the wire fields that differ', () => {
    const a = JSON.parse(canonicalText(m(base))) as object;
    const b = JSON.parse(canonicalText(m({ ...base, quantity: '1', unitCost: undefined }))) as object;

    expect(differingFields(a, b)).toEqual(['quantity', 'unitCost']);
  });
});
