import type { Assessment } from '../reconcile/classify.js';
import type { Discrepancy } from '../reconcile/discrepancy.js';
import { clearingProbability, type ArrivalObservation, type ClearingModel } from './clearing-probability.js';
import { causeFeatures, predictCause, type CauseModel } from './predict-cause.js';
import { isOneSided } from './suggest-matches.js';

/**
 * What history says of a discrepancy (CONTRACT §11): its predicted root cause and, for a one-sided
 * TIMING_LAG, the probability it clears inside the lag window. Each is added only when the models
 * have history enough to say it; without models the discrepancy is returned as it is.
 */
export interface DiagnosisModels {
  cause?: CauseModel | undefined;
  clearing?: ClearingModel | undefined;
}

const HOUR = 3_600_000;

export function diagnose(
  d: Discrepancy,
  models: DiagnosisModels,
  settings: { asOf: number; lagHours: number },
): Discrepancy {
  const predicted = models.cause === undefined ? undefined : predictCause(models.cause, causeFeatures(d));
  let clearing: number | undefined;
  if (models.clearing !== undefined && d.kind === 'TIMING_LAG' && isOneSided(d)) {
    const wms = d.wmsEventIds.length > 0;
    const latest = Date.parse((wms ? d.latestEventAt : d.latestPostingAt) ?? '');
    const type = (wms ? d.wmsTypes : d.financeTypes)[0];
    if (!Number.isNaN(latest) && type !== undefined) {
      clearing = clearingProbability(
        models.clearing,
        { warehouseId: d.warehouseId, type, missing: wms ? 'finance' : 'wms' },
        (settings.asOf - latest) / HOUR,
        settings.lagHours,
      );
    }
  }
  if (predicted === undefined && clearing === undefined) return d;
  return {
    ...d,
    ...(predicted === undefined ? {} : { predictedCause: predicted }),
    ...(clearing === undefined ? {} : { clearingProbability: clearing }),
  };
}

/**
 * What a group says of arrival lags: with both sides, how many hours the later side came after the
 * earlier one's latest record; with one side, how long the other has been awaited (censored).
 */
export function arrivalOf(a: Assessment, asOf: number): ArrivalObservation | undefined {
  // Type lists are built for discrepancies only; an agreeing group is read from its first record.
  const type = a.group.movements[0]?.record.type ?? a.group.entries[0]?.record.type;
  if (type === undefined) return undefined;
  const { latestEvent: event, latestPosting: posting } = a;
  const base = { warehouseId: a.group.warehouseId, type };
  if (event !== undefined && posting !== undefined) {
    return posting >= event
      ? { ...base, missing: 'finance', hours: (posting - event) / HOUR, arrived: true }
      : { ...base, missing: 'wms', hours: (event - posting) / HOUR, arrived: true };
  }
  if (event !== undefined)
    return { ...base, missing: 'finance', hours: (asOf - event) / HOUR, arrived: false };
  if (posting !== undefined)
    return { ...base, missing: 'wms', hours: (asOf - posting) / HOUR, arrived: false };
  return undefined;
}
