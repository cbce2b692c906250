import { describe, expect, it } from 'vitest';
import { AS_OF, entry, movement, settings } from '../factories.js';
import { CostTable } from '../../../lib/core/records/costs.js';
import {
  trainClearingModel,
  type ArrivalObservation,
} from '../../../lib/core/diagnosis/clearing-probability.js';
import { trainCauseModel } from '../../../lib/core/diagnosis/predict-cause.js';
import type { PartitionRecords } from '../../../lib/core/records/record-sink.js';
import { runPartition } from '../../../lib/core/runs/run-partition.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

// What diagnosis adds to one partition of a run (CONTRACT §11): suggestions among its groups, links
// applied before grouping, causes and clearing probabilities only where history answers.
const context = {
  settings: settings(),
  zone: new ZoneClock('UTC'),
  uom: new UomTable(),
  costs: new CostTable(),
  asOf: new Date(AS_OF).toISOString(),
};

function records(): PartitionRecords {
  return {
    movements: [
      movement({ documentRef: 'PO-10234', at: '2026-10-10T10:00:00Z' }),
      // Two hours old: a one-sided TIMING_LAG.
      movement({ documentRef: 'PO-LAG', at: '2026-11-01T22:00:00Z' }),
      movement({ documentRef: 'PO-OK', at: '2026-10-10T10:00:00Z' }),
    ],
    entries: [
      entry({ documentRef: 'PO-10243', at: '2026-10-10T12:00:00Z' }),
      entry({ documentRef: 'PO-OK', at: '2026-10-10T15:00:00Z' }),
    ],
    rejected: [],
  };
}

const found = (run: ReturnType<typeof runPartition>) =>
  new Map(run.transitions.map((t) => [t.next.discrepancy.documentRef, t.next.discrepancy]));

describe('diagnosis in a partition’s run', () => {
  it('suggests the mistyped reference, and adds no cause or clearing probability without history', () => {
    const run = runPartition(records(), new Map(), context);
    const byRef = found(run);
    expect(byRef.get('PO-10234')?.suggestedMatches?.map((m) => m.documentRef)).toEqual(['PO-10243']);
    expect(byRef.get('PO-10243')?.suggestedMatches?.map((m) => m.documentRef)).toEqual(['PO-10234']);
    expect(byRef.get('PO-LAG')?.suggestedMatches).toEqual([]);
    for (const d of byRef.values()) {
      expect(d).not.toHaveProperty('predictedCause');
      expect(d).not.toHaveProperty('clearingProbability');
    }
    // Its own history: the agreeing group's 5 h lag, and the two groups still waiting.
    expect(run.arrivals.curves['finance|RECEIPT|WH-01']).toMatchObject({ total: 3, arrivals: 1 });
  });

  it('reconciles linked groups as one: both one-sided groups resolve', () => {
    const before = runPartition(records(), new Map(), context);
    const prior = new Map(before.transitions.map((t) => [t.groupKey, t.next]));
    const link = {
      warehouseId: 'WH-01',
      from: { sku: 'SKU-1', documentRef: 'PO-10243' },
      to: { sku: 'SKU-1', documentRef: 'PO-10234' },
    };
    const after = runPartition(records(), prior, { ...context, links: [link] });
    const states = new Map(after.transitions.map((t) => [t.groupKey, t.next.lifecycle.state]));
    expect(states.get('WH-01|SKU-1|PO-10234')).toBe('RESOLVED');
    expect(states.get('WH-01|SKU-1|PO-10243')).toBe('RESOLVED');
  });

  it('predicts a cause and the lag’s clearing probability once history answers', () => {
    const fast: ArrivalObservation = {
      warehouseId: 'WH-01',
      type: 'RECEIPT',
      missing: 'finance',
      hours: 4,
      arrived: true,
    };
    const clearing = trainClearingModel([...Array(30)].map(() => fast));
    const cause = trainCauseModel(
      [...Array(12)].map(() => ({
        code: 'late-posting',
        features: {
          kind: 'TIMING_LAG',
          warehouseId: 'WH-01',
          type: 'RECEIPT',
          skuFamily: 'SKU',
          amountBand: '<1k',
          sides: 'wms-only',
          suggested: 'no',
        },
      })),
    );
    const lag = found(runPartition(records(), new Map(), { ...context, models: { cause, clearing } })).get(
      'PO-LAG',
    );
    expect(lag?.predictedCause).toMatchObject({ code: 'late-posting' });
    expect(lag?.clearingProbability).toBe(1);
  });
});
