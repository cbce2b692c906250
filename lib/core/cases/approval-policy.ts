import type { Caller, Role } from './roles.js';
import type { Result } from '../shared/result.js';

/**
 * Maker-checker: who may approve a proposal. The amount decides the approvals needed
 * (workflow-config.ts approversFor: each requirement is one approval by a different person holding
 * any of its roles); the proposer never approves their own proposal, nobody approves twice, and a
 * proposal is approved once every requirement has its own approver.
 */
export interface ApprovalBy {
  userId: string;
  username: string;
  roles: readonly Role[];
}

/**
 * How many requirements distinct approvers can cover at once (a maximum matching: a person
 * holding two roles may stand for either, but for one requirement only). Requirements are few
 * (the top tier has two), so trying every assignment is cheap.
 */
export function coveredCount(
  requirements: readonly (readonly Role[])[],
  approvers: readonly ApprovalBy[],
): number {
  let best = 0;
  const used = new Set<number>();
  const visit = (r: number, count: number): void => {
    if (count + (requirements.length - r) <= best) return;
    if (r === requirements.length) {
      best = Math.max(best, count);
      return;
    }
    const roles = requirements[r] ?? [];
    for (let a = 0; a < approvers.length; a++) {
      if (used.has(a) || !(approvers[a]?.roles ?? []).some((role) => roles.includes(role))) continue;
      used.add(a);
      visit(r + 1, count + 1);
      used.delete(a);
    }
    visit(r + 1, count);
  };
  visit(0, 0);
  return best;
}

export type ApprovalCheck = Result<
  { complete: boolean },
  { kind: 'forbidden' | 'conflict'; code: string; message: string }
>;

export interface ProposalForApproval {
  requirements: readonly (readonly Role[])[];
  proposedBy: { userId: string; username: string };
  approvals: readonly { by: ApprovalBy }[];
}

const same = (a: { userId: string; username: string }, b: { userId: string; username: string }): boolean =>
  a.userId === b.userId || a.username === b.username;

/** Whether `caller` may approve now, and whether their approval completes the proposal. */
export function checkApproval(proposal: ProposalForApproval, caller: Caller): ApprovalCheck {
  if (same(proposal.proposedBy, caller)) {
    return {
      ok: false,
      kind: 'forbidden',
      code: 'proposer_cannot_approve',
      message: `${caller.username} proposed this resolution and cannot approve it: another person must (maker-checker)`,
    };
  }
  const approvers = proposal.approvals.map((a) => a.by);
  if (approvers.some((a) => same(a, caller))) {
    return {
      ok: false,
      kind: 'conflict',
      code: 'already_approved',
      message: `${caller.username} has approved this proposal already`,
    };
  }
  const before = coveredCount(proposal.requirements, approvers);
  const after = coveredCount(proposal.requirements, [...approvers, caller]);
  if (after === before) {
    return {
      ok: false,
      kind: 'forbidden',
      code: 'approval_role_required',
      message: `approving this amount needs ${describeRequirements(proposal.requirements, approvers)}; ${caller.username} holds ${
        caller.roles.length === 0 ? 'no role' : caller.roles.join(', ')
      }`,
    };
  }
  return { ok: true, complete: after === proposal.requirements.length };
}

/** Whether `caller` may reject: not the proposer, and able to approve some requirement. */
export function checkRejection(proposal: ProposalForApproval, caller: Caller): ApprovalCheck {
  if (same(proposal.proposedBy, caller)) {
    return {
      ok: false,
      kind: 'forbidden',
      code: 'proposer_cannot_reject',
      message: `${caller.username} proposed this resolution; a reviewer rejects it (or a new proposal replaces it)`,
    };
  }
  const roles = new Set(proposal.requirements.flat());
  if (!caller.roles.some((role) => roles.has(role))) {
    return {
      ok: false,
      kind: 'forbidden',
      code: 'approval_role_required',
      message: `rejecting this proposal needs one of the approving roles: ${[...roles].join(', ')}`,
    };
  }
  return { ok: true, complete: true };
}

/** `one approval by finance-reviewer and one by warehouse-lead (1 of 2 given)`. */
export function describeRequirements(
  requirements: readonly (readonly Role[])[],
  approvers: readonly ApprovalBy[] = [],
): string {
  const parts = requirements.map((roles) => `one approval by ${roles.join(' or ')}`);
  const given = coveredCount(requirements, approvers);
  return `${parts.join(' and ')} from people other than the proposer (${given} of ${requirements.length} given)`;
}
