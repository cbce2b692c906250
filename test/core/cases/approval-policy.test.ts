import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkApproval,
  checkRejection,
  coveredCount,
  describeRequirements,
  type ApprovalBy,
  type ApprovalCheck,
  type ProposalForApproval,
} from '../../../lib/core/cases/approval-policy.js';
import { ROLES, type Caller, type Role } from '../../../lib/core/cases/roles.js';
import { approversFor } from '../../../lib/core/cases/workflow-config.js';
import { d } from '../factories.js';
import { caller, CLERK, defaultConfig, IT, LEAD, REVIEWER } from './case-factories.js';

// Maker-checker on its own: who may approve or reject a proposal, and when the approvals are complete.
// The requirements come from the default workflow configuration's tiers (config/workflow.yaml).

const CONFIG = defaultConfig();
const PROPOSER = caller('sun.proposer', 'finance-specialist', 'finance-reviewer', 'warehouse-lead');

function proposal(
  amount: string,
  approvedBy: Caller[] = [],
  proposedBy: Caller = PROPOSER,
): ProposalForApproval {
  return {
    requirements: approversFor(CONFIG, d(amount)),
    proposedBy,
    approvals: approvedBy.map((by) => ({ by })),
  };
}

function refusal(check: ApprovalCheck): { kind: string; code: string; message: string } {
  if (check.ok) throw new Error(`allowed (complete: ${String(check.complete)})`);
  return { kind: check.kind, code: check.code, message: check.message };
}

describe('the requirements an amount brings (default tiers, edges inclusive)', () => {
  it('asks one finance person below 5,000, a reviewer from 5,000, a reviewer and a lead from 50,000', () => {
    expect(proposal('0').requirements).toEqual([['finance-specialist', 'finance-reviewer']]);
    expect(proposal('4999.99').requirements).toEqual([['finance-specialist', 'finance-reviewer']]);
    expect(proposal('5000').requirements).toEqual([['finance-reviewer']]);
    expect(proposal('49999.999999').requirements).toEqual([['finance-reviewer']]);
    expect(proposal('50000').requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
  });
});

describe('checkApproval', () => {
  it('lets anyone holding one of the roles complete a one-approval proposal', () => {
    expect(checkApproval(proposal('4999.99'), CLERK)).toEqual({ ok: true, complete: true });
    expect(checkApproval(proposal('4999.99'), REVIEWER)).toEqual({ ok: true, complete: true });
    expect(checkApproval(proposal('5000'), REVIEWER)).toEqual({ ok: true, complete: true });
  });

  it('refuses the proposer, whatever roles they hold (maker-checker)', () => {
    expect(refusal(checkApproval(proposal('100'), PROPOSER))).toEqual({
      kind: 'forbidden',
      code: 'proposer_cannot_approve',
      message:
        'sun.proposer proposed this resolution and cannot approve it: another person must (maker-checker)',
    });
  });

  it('knows the proposer by user id or by sign-in name alone', () => {
    const sameId = { ...REVIEWER, userId: PROPOSER.userId };
    const sameName = { ...REVIEWER, username: PROPOSER.username };
    expect(refusal(checkApproval(proposal('100'), sameId)).code).toBe('proposer_cannot_approve');
    expect(refusal(checkApproval(proposal('100'), sameName)).code).toBe('proposer_cannot_approve');
  });

  it('refuses a second approval by the same person as a conflict, known by id or name', () => {
    const approved = proposal('60000', [REVIEWER]);
    expect(refusal(checkApproval(approved, REVIEWER))).toEqual({
      kind: 'conflict',
      code: 'already_approved',
      message: 'zhao.reviewer has approved this proposal already',
    });
    // Even holding a role the proposal still needs: one person stands for one requirement.
    const twoHats = { ...caller('zhao.reviewer', 'finance-reviewer', 'warehouse-lead'), userId: 'sub-other' };
    expect(refusal(checkApproval(approved, twoHats)).code).toBe('already_approved');
  });

  it('refuses a caller without a required role, naming what is needed and what they hold', () => {
    expect(refusal(checkApproval(proposal('4999.99'), IT))).toEqual({
      kind: 'forbidden',
      code: 'approval_role_required',
      message:
        'approving this amount needs one approval by finance-specialist or finance-reviewer from people other than the proposer (0 of 1 given); chen.it holds it-support',
    });
    expect(refusal(checkApproval(proposal('5000'), CLERK)).code).toBe('approval_role_required');
    expect(refusal(checkApproval(proposal('100'), caller('admin', 'admin'))).code).toBe(
      'approval_role_required',
    );
    expect(refusal(checkApproval(proposal('100'), caller('nobody'))).message).toMatch(
      /; nobody holds no role$/,
    );
  });

  it('needs a reviewer and a lead from 50,000, in either order, completing only with the second', () => {
    expect(checkApproval(proposal('50000'), REVIEWER)).toEqual({ ok: true, complete: false });
    expect(checkApproval(proposal('50000', [REVIEWER]), LEAD)).toEqual({ ok: true, complete: true });
    expect(checkApproval(proposal('50000'), LEAD)).toEqual({ ok: true, complete: false });
    expect(checkApproval(proposal('50000', [LEAD]), REVIEWER)).toEqual({ ok: true, complete: true });
  });

  it('refuses an approval that covers nothing new: a second reviewer where a lead is missing', () => {
    const other = caller('qian.reviewer', 'finance-reviewer');
    expect(refusal(checkApproval(proposal('50000', [REVIEWER]), other))).toEqual({
      kind: 'forbidden',
      code: 'approval_role_required',
      message:
        'approving this amount needs one approval by finance-reviewer and one approval by warehouse-lead from people other than the proposer (1 of 2 given); qian.reviewer holds finance-reviewer',
    });
  });

  it('refuses everybody once the proposal is complete', () => {
    const done = proposal('50000', [REVIEWER, LEAD]);
    expect(refusal(checkApproval(done, caller('qian.reviewer', 'finance-reviewer'))).code).toBe(
      'approval_role_required',
    );
    expect(refusal(checkApproval(done, caller('zhou.lead', 'warehouse-lead'))).code).toBe(
      'approval_role_required',
    );
  });

  it('lets one person holding both roles stand for one requirement only', () => {
    const both = caller('wu.both', 'finance-reviewer', 'warehouse-lead');
    expect(checkApproval(proposal('50000'), both)).toEqual({ ok: true, complete: false });
    expect(checkApproval(proposal('50000', [both]), LEAD)).toEqual({ ok: true, complete: true });
  });

  it('moves a two-role approver to the requirement nobody else can fill (a matching, not first come)', () => {
    // Taken in order, wu.both would fill the reviewer's place and the reviewer would add nothing.
    const both = caller('wu.both', 'finance-reviewer', 'warehouse-lead');
    expect(checkApproval(proposal('50000', [both]), REVIEWER)).toEqual({ ok: true, complete: true });
  });
});

describe('checkRejection', () => {
  it('refuses the proposer: a reviewer rejects, or a new proposal replaces it', () => {
    expect(refusal(checkRejection(proposal('100'), PROPOSER))).toEqual({
      kind: 'forbidden',
      code: 'proposer_cannot_reject',
      message: 'sun.proposer proposed this resolution; a reviewer rejects it (or a new proposal replaces it)',
    });
  });

  it('lets anyone holding any approving role reject, even one whose place is already taken', () => {
    expect(checkRejection(proposal('60000'), LEAD)).toEqual({ ok: true, complete: true });
    expect(
      checkRejection(proposal('60000', [REVIEWER]), caller('qian.reviewer', 'finance-reviewer')),
    ).toEqual({
      ok: true,
      complete: true,
    });
    expect(checkRejection(proposal('100'), CLERK)).toEqual({ ok: true, complete: true });
  });

  it('refuses a caller without an approving role, listing the roles', () => {
    expect(refusal(checkRejection(proposal('60000'), IT))).toEqual({
      kind: 'forbidden',
      code: 'approval_role_required',
      message: 'rejecting this proposal needs one of the approving roles: finance-reviewer, warehouse-lead',
    });
    expect(refusal(checkRejection(proposal('5000'), CLERK)).code).toBe('approval_role_required');
    expect(refusal(checkRejection(proposal('100'), LEAD)).code).toBe('approval_role_required');
  });
});

describe('describeRequirements and coveredCount', () => {
  it('describes each requirement and how many are covered', () => {
    const top = approversFor(CONFIG, d('50000'));
    expect(describeRequirements(top)).toBe(
      'one approval by finance-reviewer and one approval by warehouse-lead from people other than the proposer (0 of 2 given)',
    );
    expect(describeRequirements(approversFor(CONFIG, d('0')), [LEAD])).toBe(
      'one approval by finance-specialist or finance-reviewer from people other than the proposer (0 of 1 given)',
    );
  });

  it('counts the most requirements distinct approvers can cover at once', () => {
    const reqs: Role[][] = [['finance-reviewer'], ['warehouse-lead'], ['finance-reviewer', 'admin']];
    const admin = caller('admin', 'admin');
    const other = caller('qian.reviewer', 'finance-reviewer');
    expect(coveredCount(reqs, [])).toBe(0);
    expect(coveredCount(reqs, [REVIEWER])).toBe(1);
    expect(coveredCount(reqs, [REVIEWER, other])).toBe(2);
    expect(coveredCount(reqs, [REVIEWER, admin])).toBe(2);
    expect(coveredCount(reqs, [REVIEWER, admin, IT])).toBe(2);
    expect(coveredCount(reqs, [LEAD, REVIEWER, admin])).toBe(3);
  });
});

// Invariants over random requirement lists and approvers.

const roleSet = fc.subarray([...ROLES], { minLength: 0, maxLength: 3 });
const requirementsArb = fc.array(fc.subarray([...ROLES], { minLength: 1, maxLength: 2 }), {
  minLength: 1,
  maxLength: 4,
});
const approversArb = fc
  .array(roleSet, { maxLength: 6 })
  .map((sets) => sets.map((roles, i): Caller => ({ userId: `sub-${i}`, username: `user-${i}`, roles })));

describe('approval invariants', () => {
  it('coveredCount does not depend on order, is bounded, and grows by at most one per approver', () => {
    fc.assert(
      fc.property(requirementsArb, approversArb, (requirements, approvers) => {
        const count = coveredCount(requirements, approvers);
        expect(count).toBeLessThanOrEqual(Math.min(requirements.length, approvers.length));
        expect(coveredCount([...requirements].reverse(), [...approvers].reverse())).toBe(count);
        const fewer: ApprovalBy[] = approvers.slice(0, -1);
        const less = coveredCount(requirements, fewer);
        expect(count - less === 0 || count - less === 1).toBe(true);
      }),
    );
  });

  it('approving in any order completes exactly when every requirement has its own approver', () => {
    fc.assert(
      fc.property(requirementsArb, approversArb, (requirements, callers) => {
        const p: ProposalForApproval = { requirements, proposedBy: PROPOSER, approvals: [] };
        let approvals: { by: ApprovalBy }[] = [];
        let completed = false;
        for (const who of callers) {
          const check = checkApproval({ ...p, approvals }, who);
          if (!check.ok) {
            expect(check.code).toBe('approval_role_required');
            continue;
          }
          expect(completed).toBe(false);
          approvals = [...approvals, { by: who }];
          expect(check.complete).toBe(
            coveredCount(
              requirements,
              approvals.map((a) => a.by),
            ) === requirements.length,
          );
          completed = check.complete;
          // Every accepted approval covers one more requirement: none is a free rider.
          expect(
            coveredCount(
              requirements,
              approvals.map((a) => a.by),
            ),
          ).toBe(approvals.length);
        }
        expect(completed).toBe(coveredCount(requirements, callers) === requirements.length);
        expect(checkApproval({ ...p, approvals }, PROPOSER)).toMatchObject({
          ok: false,
          code: 'proposer_cannot_approve',
        });
      }),
    );
  });
});
