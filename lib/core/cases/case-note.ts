import type { CaseWorkflow } from './case-workflow.js';
import { RESOLUTION_ZH } from './resolution.js';
import type { WorkflowNote } from '../report/report-model.js';
import { rootCauseText } from './root-cause.js';

/**
 * A case as the report's cause / rectification / owner columns show it: open until someone works
 * it, in progress while it is reviewed, proposed or approved, resolved once closed. The
 * rectification is the proposed resolution with its voucher, once there is one.
 */
export function caseNote(workflow: CaseWorkflow): WorkflowNote {
  const status =
    workflow.state === 'CLOSED' ? 'resolved' : workflow.state === 'OPEN' ? 'open' : 'in-progress';
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
  return {
    status,
    ...(workflow.rootCause === undefined ? {} : { cause: rootCauseText(workflow.rootCause) }),
    ...(rectification === undefined ? {} : { rectification }),
    owner: workflow.owner,
  };
}
