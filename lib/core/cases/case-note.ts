import type { CaseFacts } from './case-facts.js';
import type { CaseState, CaseWorkflow } from './case-workflow.js';
import { RESOLUTION_ZH } from './resolution.js';
import type { WorkflowNote } from '../report/report-model.js';
import { rootCauseText } from './root-cause.js';

/**
 * A case as the report's cause / rectification / owner columns show it: open until someone works
 * it, in progress while it is reviewed or proposed, awaiting the books once approved, accepted once
 * its difference is written off, and resolved only when it is closed and the runs last found its
 * group agreeing: a difference that persists is never printed as resolved. The rectification is the
 * proposed resolution with its voucher, once there is one.
 */
export function caseNote(workflow: CaseWorkflow, facts: Pick<CaseFacts, 'state'>): WorkflowNote {
  const status = noteStatus(workflow.state, facts.state === 'RESOLVED');
  const proposal = workflow.proposal;
  let rectification: string | undefined;
  if (proposal !== undefined) {
    const action = proposal.resolution.action;
    const entry = proposal.entry === null ? '' : ` ${proposal.entry.entryId} ${proposal.entry.total}`;
    const outcome =
      proposal.outcome === undefined
        ? ' (待审批 proposed)'
        : proposal.outcome === 'approved'
          ? ' (已审批 approved)'
          : ' (已驳回 rejected)';
    rectification = `${RESOLUTION_ZH[action]} ${action}${entry}${outcome}`;
  }
  // The cause named at the close, else the one the proposal gave: the report's cause analysis.
  const rootCause = workflow.rootCause ?? proposal?.rootCause;
  return {
    status,
    ...(rootCause === undefined ? {} : { cause: rootCauseText(rootCause), causeCode: rootCause.code }),
    ...(rectification === undefined ? {} : { rectification }),
    owner: workflow.owner,
    caseState: workflow.state,
    ...(workflow.awaiting === undefined ? {} : { dueBy: workflow.awaiting.dueBy }),
  };
}

function noteStatus(state: CaseState, agrees: boolean): WorkflowNote['status'] {
  switch (state) {
    case 'OPEN':
      return 'open';
    case 'AWAITING_BOOKS':
      return 'awaiting-books';
    case 'ACCEPTED':
      return 'accepted';
    case 'CLOSED':
      // Closed while the runs last found a difference (a case closed before the books decided):
      // open again, as the next run reopens it.
      return agrees ? 'resolved' : 'open';
    default:
      return 'in-progress';
  }
}
