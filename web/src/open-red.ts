import type { AgeBucket } from '../../lib/core/runs/run-events.js';
import type { Api, OpenCasesSummary } from './api.js';
import type { CaseState } from './case-types.js';

/**
 * The overview's "open RED cases": RED cases still being worked (OPEN, IN_REVIEW, PROPOSED,
 * REJECTED: the states the period close waits for; APPROVED counts as settled, CLOSED as done),
 * with how long they have been open (days since the difference was first seen, as the API's age
 * buckets count them). The API counts them (GET /v1/cases/summary, from its open index): the
 * browser reads one small answer however many cases there are.
 */
export const OPEN_CASE_STATES: readonly CaseState[] = ['OPEN', 'IN_REVIEW', 'PROPOSED', 'REJECTED'];

export interface OpenRed {
  count: number;
  byAge: Record<AgeBucket, number>;
  oldest?: { groupKey: string; firstSeen: string; days: number };
}

export function openRedOf(summary: OpenCasesSummary): OpenRed {
  const red = summary.bySeverity.RED;
  return {
    count: red.count,
    byAge: { ...red.byAge },
    ...(red.oldest === null
      ? {}
      : {
          oldest: {
            groupKey: red.oldest.groupKey,
            firstSeen: red.oldest.firstSeen,
            days: red.oldest.ageDays,
          },
        }),
  };
}

/** The open RED cases as the cases API counts them. */
export async function fetchOpenRed(api: Api): Promise<OpenRed> {
  return openRedOf(await api.casesSummary());
}
