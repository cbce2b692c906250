import { describe, expect, it } from 'vitest';
import {
  clearingProbability,
  mergeClearingModels,
  trainClearingModel,
  type ArrivalObservation,
} from '../../../lib/core/diagnosis/clearing-probability.js';
import { arrivalOf, diagnose } from '../../../lib/core/diagnosis/diagnose.js';
import { trainCauseModel } from '../../../lib/core/diagnosis/predict-cause.js';
import { assess } from '../../../lib/core/reconcile/classify.js';
import { CostTable } from '../../../lib/core/records/costs.js';
import { emptyItem, groupRecords } from '../../../lib/core/reconcile/group.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { discrepancy } from '../../report/factories.js';
import { AS_OF, entry, movement, settings } from '../factories.js';

// The clearing probability of a one-sided TIMING_LAG (CONTRACT §11): a survival curve of past lags.

const obs = (hours: number, arrived = true, over: Partial<ArrivalObservation> = {}): ArrivalObservation => ({
  warehouseId: 'WH-01',
  type: 'RECEIPT',
  missing: 'finance',
  hours,
  arrived,
  ...over,
});

describe('clearingProbability', () => {
  it('is the share of lags inside the window, given the age reached without the other side', () => {
    // Half the postings come within 10 h, the other half after 100 h.
    const model = trainClearingModel([...Array(20)].flatMap(() => [obs(5), obs(100)]));
    const key = { warehouseId: 'WH-01', type: 'RECEIPT', missing: 'finance' as const };
    expect(clearingProbability(model, key, 0, 48)).toBe(0.5);
    // Past 10 h, only the slow half is left: none of it comes inside 48 h.
    expect(clearingProbability(model, key, 20, 48)).toBe(0);
    expect(clearingProbability(model, key, 60, 48)).toBe(0);
  });

  it('counts groups still waiting as censored, not as never arriving', () => {
    const arrived = [...Array(20)].map(() => obs(30));
    const waiting = [...Array(20)].map(() => obs(10, false));
    const key = { warehouseId: 'WH-01', type: 'RECEIPT', missing: 'finance' as const };
    expect(clearingProbability(trainClearingModel([...arrived, ...waiting]), key, 12, 48)).toBe(1);
  });

  it('answers from the most specific curve with history enough, else the wider one, else nothing', () => {
    const model = trainClearingModel([
      ...[...Array(30)].map(() => obs(5, true, { warehouseId: 'WH-FAST' })),
      ...[...Array(30)].map(() => obs(200, true, { warehouseId: 'WH-SLOW' })),
      ...[...Array(3)].map(() => obs(1, true, { warehouseId: 'WH-NEW' })),
    ]);
    const at = (warehouseId: string) =>
      clearingProbability(model, { warehouseId, type: 'RECEIPT', missing: 'finance' }, 1, 48);
    expect(at('WH-FAST')).toBe(1);
    expect(at('WH-SLOW')).toBe(0);
    // WH-NEW has 3 groups: the type's curve over every warehouse answers.
    expect(at('WH-NEW')).toBeCloseTo(33 / 63, 1);
    expect(
      clearingProbability(model, { warehouseId: 'WH-FAST', type: 'RECEIPT', missing: 'wms' }, 1, 48),
    ).toBeUndefined();
  });

  it('adds up models kept per partition', () => {
    const a = trainClearingModel([...Array(10)].map(() => obs(5)));
    const b = trainClearingModel([...Array(10)].map(() => obs(100)));
    const key = { warehouseId: 'WH-01', type: 'RECEIPT', missing: 'finance' as const };
    expect(clearingProbability(mergeClearingModels(a, b), key, 0, 48)).toBe(0.5);
  });
});

describe('arrivalOf and diagnose', () => {
  const ctx = { settings: settings(), costs: new CostTable([]), zone: new ZoneClock('UTC') };
  const assessed = (ms: ReturnType<typeof movement>[], es: ReturnType<typeof entry>[]) => {
    const g = groupRecords(ms, es, new UomTable([])).groups[0];
    if (g === undefined) throw new Error('no group');
    return assess(g, emptyItem(), ctx);
  };

  it('reads the lag of a group with both sides, and the wait of a one-sided one', () => {
    expect(
      arrivalOf(
        assessed([movement({ at: '2026-10-10T00:00:00Z' })], [entry({ at: '2026-10-11T06:00:00Z' })]),
        AS_OF,
      ),
    ).toEqual({ warehouseId: 'WH-01', type: 'RECEIPT', missing: 'finance', hours: 30, arrived: true });
    expect(arrivalOf(assessed([movement({ at: '2026-11-01T00:00:00Z' })], []), AS_OF)).toMatchObject({
      missing: 'finance',
      hours: 24,
      arrived: false,
    });
  });

  it('adds the clearing probability to a one-sided TIMING_LAG and the cause to any, only with models', () => {
    const lag = discrepancy({
      kind: 'TIMING_LAG',
      wmsEventIds: ['E1'],
      financeEntryIds: [],
      wmsTypes: ['RECEIPT'],
      latestEventAt: '2026-11-01T12:00:00.000Z',
    });
    const clearing = trainClearingModel([...Array(20)].flatMap(() => [obs(5), obs(100)]));
    const s = { asOf: AS_OF, lagHours: 48 };
    expect(diagnose(lag, {}, s)).toBe(lag);
    expect(diagnose(lag, { clearing }, s).clearingProbability).toBe(0);
    expect(
      diagnose({ ...lag, latestEventAt: '2026-11-01T22:00:00.000Z' }, { clearing }, s).clearingProbability,
    ).toBe(0.5);
    expect(diagnose({ ...lag, kind: 'MISSING_IN_FINANCE' }, { clearing }, s)).not.toHaveProperty(
      'clearingProbability',
    );
    const cause = trainCauseModel(
      [...Array(10)].map(() => ({
        features: {
          kind: 'TIMING_LAG',
          warehouseId: lag.warehouseId,
          type: 'RECEIPT',
          skuFamily: 'SKU',
          amountBand: '<1k',
          sides: 'wms-only',
          suggested: 'no',
        },
        code: 'late-posting',
      })),
    );
    expect(diagnose(lag, { cause }, s).predictedCause?.code).toBe('late-posting');
  });
});
