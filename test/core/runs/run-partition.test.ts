import { describe, expect, it } from 'vitest';
import { AS_OF, entry, movement, settings } from '../factories.js';
import { CostTable } from '../../../lib/core/records/costs.js';
import type { GroupStatus } from '../../../lib/core/runs/lifecycle.js';
import type { PartitionRecords } from '../../../lib/core/records/record-sink.js';
import type { RunScope } from '../../../lib/core/runs/run-events.js';
import { runPartition, tallyFromJson, tallyToJson } from '../../../lib/core/runs/run-partition.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

// One partition of a run: scope (warehouses, key SKUs) and lifecycle on top of the partition function.
const asOf = new Date(AS_OF).toISOString();
const context = (scope?: RunScope) => ({
  settings: settings(),
  zone: new ZoneClock('UTC'),
  uom: new UomTable(),
  costs: new CostTable(),
  asOf,
  scope,
});

/** Two items over two warehouses: SKU-1 disagrees in both, SKU-2 disagrees in WH-02 and agrees in WH-01. */
function records(): PartitionRecords {
  return {
    movements: [
      movement({ sku: 'SKU-1', warehouseId: 'WH-01', documentRef: 'PO-1', quantity: '10' }),
      movement({ sku: 'SKU-1', warehouseId: 'WH-02', documentRef: 'PO-2', quantity: '10' }),
      movement({ sku: 'SKU-2', warehouseId: 'WH-01', documentRef: 'PO-3', quantity: '5', unitCost: null }),
      movement({ sku: 'SKU-2', warehouseId: 'WH-02', documentRef: 'PO-4', quantity: '5', unitCost: null }),
    ],
    entries: [
      entry({ sku: 'SKU-1', warehouseId: 'WH-01', documentRef: 'PO-1', quantity: '9', amount: '900' }),
      entry({ sku: 'SKU-2', warehouseId: 'WH-01', documentRef: 'PO-3', quantity: '5', amount: '50' }),
      entry({ sku: 'SKU-2', warehouseId: 'WH-02', documentRef: 'PO-4', quantity: '5', amount: '80' }),
    ],
    rejected: [],
  };
}

const docs = (run: ReturnType<typeof runPartition>) =>
  run.transitions.map((t) => t.next.discrepancy.documentRef);

describe('a run’s scope', () => {
  it('covers all stock when absent', () => {
    const run = runPartition(records(), new Map(), context());
    expect(docs(run).sort()).toEqual(['PO-1', 'PO-2', 'PO-3', 'PO-4']);
    expect(run.tally.groupsSeen).toBe(4);
  });

  it('narrows to key SKUs, counting only their groups', () => {
    const run = runPartition(records(), new Map(), context({ skus: ['SKU-1'] }));
    expect(docs(run).sort()).toEqual(['PO-1', 'PO-2']);
    expect(run.tally).toMatchObject({ groupsSeen: 2, groupsMatched: 0 });
  });

  it('narrows to warehouses while an item’s average cost still spans all of them', () => {
    const same = records();
    const all = runPartition(same, new Map(), context());
    const run = runPartition(same, new Map(), context({ warehouses: ['WH-02'] }));
    expect(docs(run).sort()).toEqual(['PO-2', 'PO-4']);
    expect(run.tally).toMatchObject({ groupsSeen: 2, groupsMatched: 0, byKind: { MISSING_IN_FINANCE: 1 } });
    const po4 = (r: typeof run) => r.transitions.find((t) => t.next.discrepancy.documentRef === 'PO-4')?.next;
    // SKU-2's average finance unit cost comes from both warehouses' lines: 130 / 10 = 13.
    expect(po4(run)?.discrepancy).toEqual(po4(all)?.discrepancy);
    expect(po4(run)?.discrepancy.unitCost).toBe('13');
  });

  it('resolves only groups inside the scope', () => {
    const stale = (documentRef: string, warehouseId: string): [string, GroupStatus] => {
      const d = {
        ...(runPartition(records(), new Map(), context()).transitions[0]?.next.discrepancy ?? ({} as never)),
      };
      const discrepancy = { ...d, documentRef, warehouseId, groupKey: `${warehouseId}|SKU-9|${documentRef}` };
      return [
        discrepancy.groupKey,
        { lifecycle: { state: 'NEW', firstSeen: asOf, lastSeen: asOf }, discrepancy },
      ];
    };
    const before = new Map([stale('PO-8', 'WH-01'), stale('PO-9', 'WH-02')]);
    const run = runPartition(records(), before, context({ warehouses: ['WH-02'] }));
    expect(run.resolved).toBe(1);
    expect(
      run.transitions.filter((t) => t.next.lifecycle.state === 'RESOLVED').map((t) => t.groupKey),
    ).toEqual(['WH-02|SKU-9|PO-9']);
  });
});

describe('tallies between tasks', () => {
  it('travel as JSON with money as exact decimal strings', () => {
    const { tally } = runPartition(records(), new Map(), context());
    const json = tallyToJson(tally);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(Object.values(json.moneyBySeverity).every((m) => typeof m === 'string')).toBe(true);
    expect(tallyFromJson(json)).toEqual(tally);
  });

  it('refuses an amount that is not a decimal', () => {
    const json = tallyToJson(runPartition(records(), new Map(), context()).tally);
    expect(() =>
      tallyFromJson({ ...json, moneyBySeverity: { ...json.moneyBySeverity, RED: '1e5' } }),
    ).toThrow(/bad amount/);
  });
});

describe('a run’s work and late arrivals (CONTRACT §7)', () => {
  it('counts the records it read and the groups it assessed, agreeing ones included', () => {
    const run = runPartition(records(), new Map(), context());
    expect(run.work).toEqual({ recordsRead: 7, groupsEvaluated: 4 });
  });

  it('flags the groups with a late arrival, and only those', () => {
    const run = runPartition(records(), new Map(), {
      ...context(),
      lateGroups: new Set(['WH-02|SKU-1|PO-2']),
    });
    const flagged = run.transitions.filter((t) => t.next.discrepancy.lateArrival === true);
    expect(flagged.map((t) => t.next.discrepancy.documentRef)).toEqual(['PO-2']);
  });
});
