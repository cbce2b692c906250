import type { CaseWorkflow } from './case-workflow.js';

/**
 * A case waiting for the books (CONTRACT section 8): approved, its entry on its way into the ERP,
 * closed by the first run that finds its group agreeing. The due date is set at the approval from
 * the workflow configuration's `awaitingBooksDays`; past it the case is overdue and its owner is
 * alerted once (lib/core/alerts/alert-plan.ts).
 */
export interface AwaitingBooks {
  since: string;
  dueBy: string;
  overdue: boolean;
  /** Whole days past the due date (0 while not overdue). */
  daysOverdue: number;
}

const DAY_MS = 86_400_000;

/** The wait of a case at `now` (ISO 8601); undefined when the case is not waiting for the books. */
export function awaitingBooks(workflow: CaseWorkflow, now: string): AwaitingBooks | undefined {
  if (workflow.state !== 'AWAITING_BOOKS' || workflow.awaiting === undefined) return undefined;
  const { since, dueBy } = workflow.awaiting;
  const late = Date.parse(now) - Date.parse(dueBy);
  return { since, dueBy, overdue: late > 0, daysOverdue: late > 0 ? Math.floor(late / DAY_MS) : 0 };
}

export function isOverdue(workflow: CaseWorkflow, now: string): boolean {
  return awaitingBooks(workflow, now)?.overdue ?? false;
}
