import { ageDays } from '../../lib/core/lifecycle.js';
import { AGE_BUCKETS, type AgeBucket } from '../../lib/core/run-events.js';
import type { Api } from './api.js';
import type { CaseState, CaseSummary } from './case-types.js';

/**
 * The overview's "open RED cases": RED cases still being worked (OPEN, IN_REVIEW, PROPOSED,
 * REJECTED: the states the period close waits for; APPROVED counts as settled, CLOSED as done),
 * from the cases API, with how long they have been open (days since the difference was first
 * seen, as the API's age buckets count them).
 */
export const OPEN_CASE_STATES: readonly CaseState[] = ['OPEN', 'IN_REVIEW', 'PROPOSED', 'REJECTED'];

/** Pages of 500 read at most: beyond that the figure says "at least". */
export const OPEN_RED_MAX_PAGES = 20;

export interface OpenRed {
  count: number;
  /** False when there were more cases than the pages read: `count` is then a lower bound. */
  complete: boolean;
  byState: Partial<Record<CaseState, number>>;
  byAge: Record<AgeBucket, number>;
  oldest?: { groupKey: string; firstSeen: string; days: number };
}

type Seen = Pick<CaseSummary, 'groupKey' | 'state' | 'severity' | 'firstSeen' | 'ageBucket'>;

export function summarizeOpenRed(cases: readonly Seen[], now: string, complete: boolean): OpenRed {
  const byAge = Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0])) as Record<AgeBucket, number>;
  const byState: Partial<Record<CaseState, number>> = {};
  let oldest: OpenRed['oldest'];
  let count = 0;
  for (const c of cases) {
    if (c.severity !== 'RED' || !OPEN_CASE_STATES.includes(c.state)) continue;
    count += 1;
    byState[c.state] = (byState[c.state] ?? 0) + 1;
    const bucket = c.ageBucket as AgeBucket;
    if (bucket in byAge) byAge[bucket] += 1;
    if (oldest === undefined || c.firstSeen < oldest.firstSeen)
      oldest = { groupKey: c.groupKey, firstSeen: c.firstSeen, days: ageDays(c.firstSeen, now) };
  }
  return { count, complete, byState, byAge, ...(oldest === undefined ? {} : { oldest }) };
}

/** Reads the open RED cases through the API's cursor (bounded) and sums them up. */
export async function fetchOpenRed(api: Api, now: string, maxPages = OPEN_RED_MAX_PAGES): Promise<OpenRed> {
  const seen: Seen[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await api.cases({
      severity: 'RED',
      state: OPEN_CASE_STATES.join(','),
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    seen.push(...answer.items);
    cursor = answer.cursor ?? undefined;
    if (cursor === undefined) return summarizeOpenRed(seen, now, true);
  }
  return summarizeOpenRed(seen, now, false);
}
