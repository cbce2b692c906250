import type { RunRecord, RunScope } from '../core/runs/run-events.js';

/** The runs API's wire shapes (GET /v1/runs), shared by the API and the dashboard. */
/** A run as GET /v1/runs lists it: the run record without the summary's row lists. */
export interface RunBrief {
  runId: string;
  status: RunRecord['status'];
  mode: RunRecord['mode'];
  asOf: string;
  period?: string;
  /** Set for an ad-hoc run over some warehouses or skus: its figures are not the company's. */
  scope?: RunScope;
  startedAt: string;
  finishedAt?: string;
  partitions: number;
  failures: number;
  summary:
    | (Omit<NonNullable<RunRecord['summary']>, 'rejected' | 'conflicts'> & {
        rejected: number;
        conflicts: number;
      })
    | null;
}

export interface RunPage {
  items: RunBrief[];
  cursor: string | null;
}
