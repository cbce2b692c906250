import type { ClearingModel } from '../../core/diagnosis/clearing-probability.js';
import type { DiagnosisModels } from '../../core/diagnosis/diagnose.js';
import type { GroupLink } from '../../core/diagnosis/group-links.js';
import { trainCauseModel, type CauseExample } from '../../core/diagnosis/predict-cause.js';

/** Where a run's diagnosis history is kept (CONTRACT §11): the case store and the run store. */
export interface DiagnosisSources {
  links(): Promise<GroupLink[]>;
  causeExamples(): Promise<CauseExample[]>;
}
export interface ArrivalSource {
  readArrivals(): Promise<ClearingModel>;
}

/**
 * What a partition's run learns from before it reconciles: the approved links, the closed cases'
 * causes and every partition's arrival history. The models answer only where history is enough
 * (predict-cause.ts, clearing-probability.ts), so an empty history adds nothing to a discrepancy.
 */
export async function diagnosisHistory(
  cases: DiagnosisSources,
  runs: ArrivalSource,
): Promise<{ links: GroupLink[]; models: DiagnosisModels }> {
  const [links, examples, clearing] = await Promise.all([
    cases.links(),
    cases.causeExamples(),
    runs.readArrivals(),
  ]);
  return { links, models: { cause: trainCauseModel(examples), clearing } };
}
