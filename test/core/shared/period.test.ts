import { describe, expect, it } from 'vitest';
import { CostTable } from '../../../lib/core/records/costs.js';
import {
  ageInDays,
  closedPeriod,
  isPeriod,
  localDay,
  periodEnd,
  periodLastDay,
  periodWindow,
  previousPeriod,
  standingIn,
} from '../../../lib/core/shared/period.js';
import { reconcilePartition, type PartitionResult } from '../../../lib/core/reconcile/reconcile.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { DEFAULT_SETTINGS } from '../../../lib/core/reconcile/settings.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { d, entry, movement } from '../factories.js';

// The period rules of CONTRACT §7, one at a time, each on the side that applies and the side that does not.

function periodRun(
  movements: Movement[],
  entries: Entry[],
  period: string | undefined,
  options: { zone?: string; asOf?: string; uom?: UomTable } = {},
): PartitionResult {
  const zone = new ZoneClock(options.zone ?? 'UTC');
  const window = period === undefined ? undefined : periodWindow(period, zone);
  const asOf =
    options.asOf === undefined ? (window?.end ?? Date.parse('2026-12-01')) : Date.parse(options.asOf);
  return reconcilePartition(movements, entries, {
    settings: { ...DEFAULT_SETTINGS, timeZone: zone.timeZone, asOf },
    zone,
    uom: options.uom ?? new UomTable(),
    costs: new CostTable(),
    period: window,
  });
}

const kinds = (r: PartitionResult) => r.discrepancies.map((x) => `${x.kind} ${x.documentRef}`);

describe('a period', () => {
  it('runs from midnight on the 1st to midnight on the next 1st in the zone', () => {
    const shanghai = periodWindow('2026-10', new ZoneClock('Asia/Shanghai'));
    expect(new Date(shanghai.start).toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(new Date(shanghai.end).toISOString()).toBe('2026-10-31T16:00:00.000Z');
    // New York leaves summer time on 1 November: October ends at 04:00 UTC, November at 05:00.
    const newYork = new ZoneClock('America/New_York');
    expect(new Date(periodWindow('2026-11', newYork).start).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(new Date(periodWindow('2026-11', newYork).end).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect(new Date(periodWindow('2026-12', new ZoneClock('UTC')).end).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('is the same instant the pipeline takes for a close without asOf', () => {
    const zone = new ZoneClock('Asia/Shanghai');
    expect(periodEnd('2026-10', zone)).toBe(new Date(periodWindow('2026-10', zone).end).toISOString());
  });

  it('is a month written YYYY-MM, nothing else', () => {
    expect(isPeriod('2026-10')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-10', '2026-10-01', ''])
      expect(isPeriod(bad)).toBe(false);
    expect(() => periodWindow('2026-13', new ZoneClock('UTC'))).toThrow(/not a period/);
  });
});

describe('where a group stands in a period', () => {
  const window = periodWindow('2026-10', new ZoneClock('UTC'));
  const inOctober = Date.parse('2026-10-01T00:00:00Z');
  const september = Date.parse('2026-09-30T23:59:59Z');

  it('is current with a record in the period, whatever it found', () => {
    expect(standingIn(window, inOctober, undefined, false)).toBe('current');
    expect(standingIn(window, inOctober, 'TIMING_LAG', true)).toBe('current');
  });

  it('is carried when earlier and still disagreeing, cleared when earlier and agreeing or only cut off', () => {
    expect(standingIn(window, september, 'MISSING_IN_FINANCE', false)).toBe('carried');
    expect(standingIn(window, september, 'TIMING_LAG', false)).toBe('carried');
    expect(standingIn(window, september, undefined, false)).toBe('cleared');
    expect(standingIn(window, september, 'TIMING_LAG', true)).toBe('cleared');
  });

  it('ages in whole days, never below zero', () => {
    const asOf = Date.parse('2026-11-01T00:00:00Z');
    expect(ageInDays(asOf, Date.parse('2026-10-01T00:00:01Z'))).toBe(30);
    expect(ageInDays(asOf, Date.parse('2026-10-01T00:00:00Z'))).toBe(31);
    expect(ageInDays(asOf, Date.parse('2026-11-05T00:00:00Z'))).toBe(0);
  });
});

describe('reconcile with a period', () => {
  const septemberShipment = movement({ documentRef: 'SO-9', type: 'SHIPMENT', at: '2026-09-20T10:00:00Z' });

  it('reads nothing dated at or after the cut-off, and says how much it left out', () => {
    const late = entry({ documentRef: 'SO-9', type: 'SHIPMENT', quantity: '10', at: '2026-11-01T00:00:00Z' });
    const result = periodRun([septemberShipment], [late], '2026-10');
    expect(kinds(result)).toEqual(['MISSING_IN_FINANCE SO-9']);
    expect(result.afterCutOff).toEqual({ wms: 0, finance: 1 });
    // One millisecond earlier, it is October's: a cut-off difference, reported in October.
    const inTime = { ...late, at: late.at - 1 };
    expect(kinds(periodRun([septemberShipment], [inTime], '2026-10'))).toEqual(['TIMING_LAG SO-9']);
  });

  it('carries an open item forward with its origin and age, and clears the cut-off difference after its period', () => {
    const october = entry({
      documentRef: 'SO-9',
      type: 'SHIPMENT',
      quantity: '10',
      at: '2026-10-02T08:00:00Z',
    });
    const open = periodRun([septemberShipment], [], '2026-10').discrepancies[0];
    expect(open).toMatchObject({ kind: 'MISSING_IN_FINANCE', carriedFrom: '2026-09', ageDays: 41 });
    expect(open?.explanation).toMatch(/open item carried forward from 2026-09, 41 days old$/);
    expect(periodRun([septemberShipment], [october], '2026-10').discrepancies[0]).toMatchObject({
      kind: 'TIMING_LAG',
      carriedFrom: null,
    });
    const november = periodRun([septemberShipment], [october], '2026-11');
    expect(kinds(november)).toEqual([]);
    expect(november.tally.groupsSeen).toBe(0);
  });

  it('prices at the average of the month of the latest record, not of the whole run', () => {
    // The item cost 10 in September and 12 in October; the October document has no WMS cost.
    const g = { sku: 'SKU-A', unitCost: null } as const;
    const movements = [
      movement({ ...g, documentRef: 'S', quantity: '10', at: '2026-09-10T00:00:00Z' }),
      movement({ ...g, documentRef: 'O', quantity: '10', at: '2026-10-10T00:00:00Z' }),
    ];
    const entries = [
      entry({ sku: 'SKU-A', documentRef: 'S', quantity: '10', amount: '100', at: '2026-09-10T01:00:00Z' }),
      entry({ sku: 'SKU-A', documentRef: 'O', quantity: '10', amount: '120', at: '2026-10-10T01:00:00Z' }),
    ];
    expect(kinds(periodRun(movements, entries, '2026-10'))).toEqual([]);
    // The run-wide average (11) finds both off by 10 %.
    const plain = periodRun(movements, entries, undefined);
    expect(kinds(plain)).toEqual(['AMOUNT_MISMATCH O', 'AMOUNT_MISMATCH S']);
    expect(plain.discrepancies[0]?.unitCost).toBe('11');
    // A short October line is priced at October's average, and the explanation names the month.
    const short = periodRun(
      [...movements, movement({ ...g, documentRef: 'O2', quantity: '10', at: '2026-10-12T00:00:00Z' })],
      [
        ...entries,
        entry({ sku: 'SKU-A', documentRef: 'O2', quantity: '5', amount: '60', at: '2026-10-12T01:00:00Z' }),
      ],
      '2026-10',
    ).discrepancies;
    expect(short.map((x) => [x.documentRef, x.kind, x.unitCost, x.expectedAmount])).toEqual([
      ['O2', 'QUANTITY_MISMATCH', '12', '120.00'],
    ]);
    expect(short[0]?.explanation).toContain('at periodic weighted average finance cost of 2026-10 12');
  });

  it('compares an item without WMS events in EA when its lines convert, else in their own unit', () => {
    const kg = entry({ sku: 'KG-1', uom: 'KG', documentRef: 'F-KG', at: '2026-10-05T00:00:00Z' });
    const box = entry({
      sku: 'SKU-B',
      uom: 'BOX',
      quantity: '2',
      documentRef: 'F-BOX',
      at: '2026-10-05T00:00:00Z',
    });
    const uom = new UomTable([{ sku: 'SKU-B', fromUom: 'BOX', toUom: 'EA', factor: d('12') }]);
    const result = periodRun([], [kg, box], '2026-10', { uom });
    expect(result.rejected).toEqual([]);
    expect(result.discrepancies.map((x) => [x.documentRef, x.kind, x.uom, x.financeQuantity])).toEqual([
      ['F-KG', 'MISSING_IN_WMS', 'KG', '10'],
      ['F-BOX', 'MISSING_IN_WMS', 'EA', '24'],
    ]);
    // Without a period, the literal EA of CONTRACT §1 rejects the KG line, as it always has.
    const plain = periodRun([], [kg, box], undefined, { uom });
    expect(plain.rejected.map((r) => r.reason)).toEqual(['unit KG cannot be converted to EA for KG-1']);
  });

  it('keeps the first of two records with one id, whatever their dates, as a store would', () => {
    const first = entry({ id: 'F-1', documentRef: 'SO-9', type: 'SHIPMENT', at: '2026-11-03T00:00:00Z' });
    const second = { ...first, line: first.line + 1, at: Date.parse('2026-10-03T00:00:00Z') };
    const result = periodRun([septemberShipment], [first, second], '2026-10');
    expect(result.conflicts.map((c) => c.id)).toEqual(['F-1']);
    expect(kinds(result)).toEqual(['MISSING_IN_FINANCE SO-9']);
  });
});

describe('calendar periods (one module for every period calculation)', () => {
  const shanghai = new ZoneClock('Asia/Shanghai');
  it('step back across a year end and name their last day, leap years included', () => {
    expect(previousPeriod('2026-01')).toBe('2025-12');
    expect(previousPeriod('2026-11')).toBe('2026-10');
    expect(periodLastDay('2028-02')).toBe('2028-02-29');
    expect(periodLastDay('2026-02')).toBe('2026-02-28');
    expect(periodLastDay('2026-13')).toBe('');
  });

  it('close the month an instant just before asOf belongs to, in the zone', () => {
    // Midnight of 1 December in Shanghai is 16:00Z on 30 November: the close is November's.
    expect(closedPeriod('2026-11-30T16:00:00.000Z', shanghai)).toBe('2026-11');
    expect(closedPeriod('2026-11-30T16:00:00.001Z', shanghai)).toBe('2026-12');
    expect(closedPeriod('2026-12-01T00:00:00.000Z', new ZoneClock('UTC'))).toBe('2026-11');
    expect(periodEnd('2026-11', shanghai)).toBe('2026-11-30T16:00:00.000Z');
  });

  it('date an instant by the zone’s calendar', () => {
    expect(localDay('2026-11-30T16:30:00Z', shanghai)).toBe('2026-12-01');
    expect(localDay('2026-11-30T16:30:00Z', new ZoneClock('UTC'))).toBe('2026-11-30');
  });
});
