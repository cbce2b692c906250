import type { OverdueCase } from '../../core/alerts/alert-plan.js';
import { awaitingBooks } from '../../core/cases/awaiting-books.js';
import { QUIET_CASE_STATES } from '../../core/cases/case-workflow.js';
import type { CaseRepository } from '../../core/cases/ports.js';

/**
 * What the cases tell the alerts of a run (CONTRACT section 8): the groups whose case is awaiting
 * the books, accepted or closed (nothing is said of them), and the cases waiting for the books past
 * their due date at `now` (the wall clock: a back-dated run does not make a case overdue), each read
 * from its case, not from the registry's word.
 */
export interface CaseAlertFacts {
  quiet: Set<string>;
  overdue: OverdueCase[];
}

export async function caseAlertFacts(
  store: CaseRepository,
  groupKeys: readonly string[],
  now: Date,
): Promise<CaseAlertFacts> {
  const at = now.toISOString();
  const [heads, due] = await Promise.all([store.getCases(groupKeys), store.awaitingDue(at)]);
  const quiet = new Set(
    [...heads.values()]
      .filter((c) => QUIET_CASE_STATES.includes(c.workflow.state))
      .map((c) => c.workflow.groupKey),
  );
  const waiting = await store.getCases(due.map((d) => d.groupKey));
  const overdue: OverdueCase[] = [];
  for (const { caseId, workflow, facts } of waiting.values()) {
    const wait = awaitingBooks(workflow, at);
    if (wait === undefined || !wait.overdue) continue;
    overdue.push({
      caseId,
      groupKey: workflow.groupKey,
      warehouseId: facts.warehouseId,
      documentRef: facts.documentRef,
      sku: facts.sku,
      kind: facts.kind,
      severity: facts.severity,
      moneyAtStake: facts.moneyAtStake,
      firstSeen: facts.firstSeen,
      explanation: facts.explanation,
      owner: workflow.owner,
      since: wait.since,
      dueBy: wait.dueBy,
      daysOverdue: wait.daysOverdue,
    });
  }
  overdue.sort((a, b) => (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0));
  return { quiet, overdue };
}
