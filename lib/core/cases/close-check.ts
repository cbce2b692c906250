import type { Severity } from '../reconcile/discrepancy.js';
import { CASE_STATES, type CaseState } from './case-workflow.js';

/**
 * The period-close gate (月结检查): a period may close when none of its cases is a RED one still
 * being worked and no proposal waits for its approvals. A case AWAITING_BOOKS counts as settled for
 * the close (its entry is approved and exports with the period; the books catch up after); ACCEPTED
 * and CLOSED ones are done.
 */
export interface CaseAtClose {
  caseId: string;
  groupKey: string;
  state: CaseState;
  severity: Severity;
  owner: string;
  moneyAtStake: string;
}

export type BlockerReason = 'open-red-case' | 'unapproved-proposal';

export interface Blocker extends CaseAtClose {
  reason: BlockerReason;
  message: string;
}

export interface CloseCheck {
  period: string;
  canClose: boolean;
  /** Cases of the period, by state (what was looked at). */
  cases: Record<CaseState, number>;
  blockers: Blocker[];
}

/** The states a case is still being worked in (open): what the period close waits for. */
export const OPEN_CASE_STATES: readonly CaseState[] = ['OPEN', 'IN_REVIEW', 'PROPOSED', 'REJECTED'];
const WORKED: ReadonlySet<CaseState> = new Set(OPEN_CASE_STATES);

export function closeCheck(period: string, cases: readonly CaseAtClose[]): CloseCheck {
  const counts = Object.fromEntries(CASE_STATES.map((state) => [state, 0])) as Record<CaseState, number>;
  const blockers: Blocker[] = [];
  for (const c of cases) {
    counts[c.state] += 1;
    if (c.state === 'PROPOSED') {
      blockers.push({
        ...c,
        reason: 'unapproved-proposal',
        message: `a proposal on ${c.groupKey} waits for its approvals`,
      });
    } else if (c.severity === 'RED' && WORKED.has(c.state)) {
      blockers.push({
        ...c,
        reason: 'open-red-case',
        message: `RED case ${c.groupKey} is ${c.state}, owned by ${c.owner}`,
      });
    }
  }
  blockers.sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0));
  return { period, canClose: blockers.length === 0, cases: counts, blockers };
}
