import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, CaseActionSchema, type CaseAction } from '../../../lib/core/cases/case-action.js';
import { allowedActions, decide, type Decision } from '../../../lib/core/cases/case-decide.js';
import type { CaseFacts } from '../../../lib/core/cases/case-facts.js';
import { SYSTEM_ACTOR, type CaseWorkflow } from '../../../lib/core/cases/case-workflow.js';
import type { Caller } from '../../../lib/core/cases/roles.js';
import { CaseHistory, caseFacts, caller, CLERK, context, IT, LEAD, REVIEWER } from './case-factories.js';

// The rules of working a case, each on both sides: what must be allowed and what must be refused.

const RECEIPT_RESOLUTION = { action: 'supplement-voucher', voucherRef: 'V-1001' } as const;

function opened(facts: CaseFacts = caseFacts()): CaseHistory {
  const history = new CaseHistory(facts.groupKey);
  history.add({
    type: 'open',
    at: '2026-11-02T00:00:00.000Z',
    actor: SYSTEM_ACTOR,
    data: {
      owner: 'wang.lead',
      runId: 'close-1',
      kind: facts.kind,
      severity: facts.severity,
      moneyAtStake: facts.moneyAtStake,
      period: '2026-10',
    },
  });
  return history;
}

/** Applies an action that must be allowed; returns the case after it. */
function act(history: CaseHistory, facts: CaseFacts, who: Caller, action: CaseAction): CaseWorkflow {
  const decision = decide(history.current, action, context(facts, who));
  if (!decision.ok) throw new Error(`${action.type} by ${who.username} refused: ${decision.refusal.message}`);
  return history.add(decision.event);
}

function refusal(decision: Decision): { kind: string; code: string } {
  if (decision.ok) throw new Error(`allowed: ${decision.event.type}`);
  return { kind: decision.refusal.kind, code: decision.refusal.code };
}

/** A case with a proposal on `facts`, proposed by the clerk. */
function proposed(
  facts: CaseFacts,
  resolution: CaseAction & { type: 'propose' } = { type: 'propose', resolution: RECEIPT_RESOLUTION },
): CaseHistory {
  const history = opened(facts);
  act(history, facts, CLERK, { type: 'start-review' });
  act(history, facts, CLERK, resolution);
  return history;
}

describe('the case state machine', () => {
  it('walks OPEN -> IN_REVIEW -> PROPOSED -> AWAITING_BOOKS with two approvers above the RED threshold, due in 5 days', () => {
    const facts = caseFacts();
    const history = opened(facts);

    expect(act(history, facts, CLERK, { type: 'start-review' }).state).toBe('IN_REVIEW');
    const afterPropose = act(history, facts, CLERK, {
      type: 'propose',
      resolution: RECEIPT_RESOLUTION,
      rootCause: { code: 'missing-voucher' },
    });
    expect(afterPropose.state).toBe('PROPOSED');
    expect(afterPropose.proposal?.requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
    expect(act(history, facts, REVIEWER, { type: 'approve' }).state).toBe('PROPOSED');
    const approved = act(history, facts, LEAD, { type: 'approve' });

    expect(approved.state).toBe('AWAITING_BOOKS');
    expect(approved.awaiting).toEqual({
      since: '2026-11-03T09:00:00.000Z',
      dueBy: '2026-11-08T09:00:00.000Z',
    });
    expect(history.events.at(-1)?.data).toMatchObject({ complete: true, dueBy: '2026-11-08T09:00:00.000Z' });
    expect(approved.version).toBe(history.events.length);
  });

  it('takes the wait for the books from the configuration', () => {
    const facts = caseFacts({ moneyAtStake: '100.00', expectedAmount: '100.00' });
    const history = proposed(facts);
    const config = { ...context(facts, REVIEWER).config, awaitingBooksDays: 12 };

    const decision = decide(history.current, { type: 'approve' }, context(facts, REVIEWER, { config }));

    expect(decision.ok && decision.event.data).toMatchObject({ dueBy: '2026-11-15T09:00:00.000Z' });
  });

  it('sends a rejected proposal back to review for a new one', () => {
    const facts = caseFacts();
    const history = proposed(facts);

    expect(act(history, facts, REVIEWER, { type: 'reject', reason: 'wrong voucher' }).state).toBe('REJECTED');
    expect(
      refusal(
        decide(history.current, { type: 'propose', resolution: RECEIPT_RESOLUTION }, context(facts, CLERK)),
      ),
    ).toEqual({
      kind: 'conflict',
      code: 'invalid_transition',
    });
    expect(act(history, facts, CLERK, { type: 'start-review' }).state).toBe('IN_REVIEW');
    expect(
      act(history, facts, CLERK, {
        type: 'propose',
        resolution: { ...RECEIPT_RESOLUTION, voucherRef: 'V-1002' },
      }).state,
    ).toBe('PROPOSED');
    expect(history.current.proposal?.approvals).toEqual([]);
  });
});

describe('maker-checker', () => {
  it('refuses the proposer’s own approval (403) and takes another person’s', () => {
    const facts = caseFacts({ moneyAtStake: '1000.00', expectedAmount: '1000.00', amountDelta: '-1000.00' });
    const history = proposed(facts);
    const otherClerk = caller('sun.finance', 'finance-specialist');

    expect(refusal(decide(history.current, { type: 'approve' }, context(facts, CLERK)))).toEqual({
      kind: 'forbidden',
      code: 'proposer_cannot_approve',
    });
    expect(act(history, facts, otherClerk, { type: 'approve' }).state).toBe('AWAITING_BOOKS');
  });

  it('refuses the proposer even when they hold every approving role', () => {
    const facts = caseFacts();
    const boss = caller('boss', 'finance-specialist', 'finance-reviewer', 'warehouse-lead');
    const history = opened(facts);
    act(history, facts, boss, { type: 'start-review' });
    act(history, facts, boss, { type: 'propose', resolution: RECEIPT_RESOLUTION });

    expect(refusal(decide(history.current, { type: 'approve' }, context(facts, boss))).code).toBe(
      'proposer_cannot_approve',
    );
    expect(
      refusal(decide(history.current, { type: 'reject', reason: 'no' }, context(facts, boss))).code,
    ).toBe('proposer_cannot_reject');
  });

  it('does not let one person approve twice, nor one person stand for both RED approvals', () => {
    const facts = caseFacts();
    const history = proposed(facts);
    const both = caller('zhou.both', 'finance-reviewer', 'warehouse-lead');

    act(history, facts, both, { type: 'approve' });

    expect(history.current.state).toBe('PROPOSED');
    expect(refusal(decide(history.current, { type: 'approve' }, context(facts, both)))).toEqual({
      kind: 'conflict',
      code: 'already_approved',
    });
    // The second approver may be a reviewer: the first one can stand for the warehouse lead.
    expect(act(history, facts, REVIEWER, { type: 'approve' }).state).toBe('AWAITING_BOOKS');
  });

  it.each([
    ['1000.00', CLERK, true],
    ['1000.00', LEAD, false],
    ['5000.00', caller('sun.finance', 'finance-specialist'), false],
    ['5000.00', REVIEWER, true],
    ['49999.99', REVIEWER, true],
  ] as const)('an entry of %s approved by %s: completes = %s', (amount, approver, completes) => {
    const facts = caseFacts({ expectedAmount: amount, moneyAtStake: amount, amountDelta: `-${amount}` });
    const proposer = caller('qian.finance', 'finance-specialist');
    const history = opened(facts);
    act(history, facts, proposer, { type: 'start-review' });
    act(history, facts, proposer, { type: 'propose', resolution: RECEIPT_RESOLUTION });

    const decision = decide(history.current, { type: 'approve' }, context(facts, approver));

    if (completes) {
      expect(decision.ok).toBe(true);
      expect(history.add((decision as Extract<Decision, { ok: true }>).event).state).toBe('AWAITING_BOOKS');
    } else {
      expect(refusal(decision)).toEqual({ kind: 'forbidden', code: 'approval_role_required' });
    }
  });

  it('needs both the finance reviewer and the warehouse lead at or above 50,000', () => {
    const facts = caseFacts({
      expectedAmount: '50000.00',
      moneyAtStake: '50000.00',
      amountDelta: '-50000.00',
    });
    const history = proposed(facts);

    expect(act(history, facts, REVIEWER, { type: 'approve' }).state).toBe('PROPOSED');
    expect(
      refusal(
        decide(
          history.current,
          { type: 'approve' },
          context(facts, caller('wu.reviewer', 'finance-reviewer')),
        ),
      ).code,
    ).toBe('approval_role_required');
    expect(act(history, facts, LEAD, { type: 'approve' }).state).toBe('AWAITING_BOOKS');
  });

  it('takes the tier from the money at stake when the proposed entry is smaller (a 0.01 voucher on a RED case)', () => {
    const facts = caseFacts({
      moneyAtStake: '412644.65',
      expectedAmount: '412644.65',
      amountDelta: '-412644.65',
    });
    const history = proposed(facts, {
      type: 'propose',
      resolution: { ...RECEIPT_RESOLUTION, amount: '0.01' },
    });

    const proposal = history.current.proposal;
    expect(proposal?.entry?.total).toBe('0.01');
    expect(proposal?.amount).toBe('412644.65');
    expect(proposal?.requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
    expect(act(history, facts, REVIEWER, { type: 'approve' }).state).toBe('PROPOSED');
    expect(act(history, facts, LEAD, { type: 'approve' }).state).toBe('AWAITING_BOOKS');
  });

  it('takes the tier from the entry when it moves more than the money at stake', () => {
    const facts = caseFacts({
      moneyAtStake: '100.00',
      expectedAmount: '100.00',
      amountDelta: '-100.00',
      severity: 'GREEN',
    });
    const history = proposed(facts, {
      type: 'propose',
      resolution: { ...RECEIPT_RESOLUTION, amount: '60000.00' },
    });

    expect(history.current.proposal?.amount).toBe('60000.00');
    expect(history.current.proposal?.requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
  });

  it('lets only approving roles reject', () => {
    const facts = caseFacts();
    const history = proposed(facts);

    expect(refusal(decide(history.current, { type: 'reject', reason: 'no' }, context(facts, IT))).kind).toBe(
      'forbidden',
    );
    expect(decide(history.current, { type: 'reject', reason: 'no' }, context(facts, LEAD)).ok).toBe(true);
  });
});

describe('closing', () => {
  it('refuses to close without a root cause, and closes with one once a run found the group agreeing', () => {
    const facts = caseFacts({ state: 'RESOLVED' });
    const history = opened(facts);

    expect(refusal(decide(history.current, { type: 'close' }, context(facts, CLERK)))).toEqual({
      kind: 'invalid',
      code: 'root_cause_required',
    });
    expect(act(history, facts, CLERK, { type: 'close', rootCause: { code: 'missing-voucher' } }).state).toBe(
      'CLOSED',
    );
  });

  it('closes an unproposed case only once a run finds its group agreeing', () => {
    const facts = caseFacts();
    const history = opened(facts);
    const action: CaseAction = { type: 'close', rootCause: { code: 'late-posting' } };

    expect(refusal(decide(history.current, action, context(facts, CLERK)))).toEqual({
      kind: 'conflict',
      code: 'difference_persists',
    });
    expect(decide(history.current, action, context({ ...facts, state: 'RESOLVED' }, CLERK)).ok).toBe(true);
  });

  it('lets nobody close an approved case whose group still disagrees: the books decide', () => {
    for (const resolution of [RECEIPT_RESOLUTION, { action: 'accept-timing' } as const]) {
      const facts = caseFacts({ kind: 'TIMING_LAG', expectedAmount: '100.00', moneyAtStake: '100.00' });
      const history = proposed(facts, {
        type: 'propose',
        resolution: { ...resolution, ...('voucherRef' in resolution ? { amount: '100.00' } : {}) },
        rootCause: { code: 'late-posting' },
      });
      act(history, facts, caller('sun.finance', 'finance-specialist'), { type: 'approve' });
      const admin = caller('root', 'admin', 'finance-reviewer', 'warehouse-lead');

      expect(history.current.state).toBe('AWAITING_BOOKS');
      expect(refusal(decide(history.current, { type: 'close' }, context(facts, admin)))).toEqual({
        kind: 'conflict',
        code: 'awaiting_books',
      });
      expect(allowedActions(history.current, context(facts, admin))).not.toContain('close');
      expect(
        decide(history.current, { type: 'close' }, context({ ...facts, state: 'RESOLVED' }, CLERK)).ok,
      ).toBe(true);
    }
  });

  it('ends a case whose difference stays only through an approved accept-difference, with its write-off entry', () => {
    const facts = caseFacts({ kind: 'QUANTITY_MISMATCH', state: 'PERSISTING' });
    const history = proposed(facts, {
      type: 'propose',
      resolution: { action: 'accept-difference', reason: 'stock count loss, written off' },
      rootCause: { code: 'count-error' },
    });
    const entry = history.current.proposal?.entry;
    expect(entry?.lines.map((l) => `${l.side} ${l.accountCode} ${l.accountName} ${l.amount}`)).toEqual([
      'debit 1403 原材料 60000.00',
      'credit 6602 管理费用 60000.00',
    ]);
    // Approved like any other: 60,000 needs the reviewer and the warehouse lead.
    expect(act(history, facts, REVIEWER, { type: 'approve' }).state).toBe('PROPOSED');
    const accepted = act(history, facts, LEAD, { type: 'approve' });

    expect(accepted).toMatchObject({
      state: 'ACCEPTED',
      accepted: { kind: 'QUANTITY_MISMATCH', moneyAtStake: '60000.00', by: 'wang.lead' },
    });
    expect(accepted.awaiting).toBeUndefined();
    expect(allowedActions(accepted, context(facts, LEAD))).toEqual([]);
  });

  it('refuses accept-difference when the group agrees: there is nothing to accept', () => {
    const facts = caseFacts({ state: 'RESOLVED' });
    const history = opened(facts);
    act(history, facts, CLERK, { type: 'start-review' });

    expect(
      refusal(
        decide(
          history.current,
          { type: 'propose', resolution: { action: 'accept-difference', reason: 'x' } },
          context(facts, CLERK),
        ),
      ),
    ).toEqual({ kind: 'conflict', code: 'no_difference' });
  });

  it('refuses other text than the list’s codes, and other without its text', () => {
    expect(() => CaseActionFrom({ type: 'close', rootCause: { code: 'bad-luck' } })).toThrow(
      /rootCause.code/,
    );
    expect(() => CaseActionFrom({ type: 'close', rootCause: { code: 'other' } })).toThrow(/rootCause.text/);
    expect(CaseActionFrom({ type: 'close', rootCause: { code: 'other', text: 'forklift' } }).type).toBe(
      'close',
    );
  });
});

function CaseActionFrom(raw: unknown): CaseAction {
  const parsed = CaseActionSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

describe('a closed case', () => {
  const facts = caseFacts({ state: 'RESOLVED' });
  const history = opened(facts);
  act(history, facts, CLERK, { type: 'close', rootCause: { code: 'late-posting' } });
  const examples: Record<(typeof ACTION_TYPES)[number], CaseAction> = {
    assign: { type: 'assign', owner: 'zhao.reviewer' },
    comment: { type: 'comment', text: 'late note' },
    'start-review': { type: 'start-review' },
    propose: { type: 'propose', resolution: RECEIPT_RESOLUTION },
    approve: { type: 'approve' },
    reject: { type: 'reject', reason: 'late' },
    close: { type: 'close', rootCause: { code: 'other', text: 'again' } },
    freeze: { type: 'freeze', reason: 'audit' },
    unfreeze: { type: 'unfreeze' },
    link: { type: 'link', documentRef: 'SO-10243', sku: 'SKU-00021' },
  };

  it.each(ACTION_TYPES)('refuses %s (409), whoever asks', (type) => {
    const admin = caller('root', 'admin', 'finance-reviewer', 'warehouse-lead', 'finance-specialist');

    expect(refusal(decide(history.current, examples[type], context(facts, admin)))).toEqual({
      kind: 'conflict',
      code: 'case_closed',
    });
  });

  it('offers no action at all', () => {
    expect(allowedActions(history.current, context(facts, CLERK))).toEqual([]);
  });
});

describe('roles and versions', () => {
  it('lets IT support comment and start a review, but not propose', () => {
    const facts = caseFacts();
    const history = opened(facts);

    expect(allowedActions(history.current, context(facts, IT))).toEqual(['comment', 'start-review']);
    act(history, facts, IT, { type: 'start-review' });
    expect(
      refusal(
        decide(history.current, { type: 'propose', resolution: RECEIPT_RESOLUTION }, context(facts, IT)),
      ),
    ).toEqual({
      kind: 'forbidden',
      code: 'role_required',
    });
  });

  it('refuses a caller with no role at all', () => {
    const facts = caseFacts();
    expect(
      refusal(
        decide(opened(facts).current, { type: 'comment', text: 'hi' }, context(facts, caller('guest'))),
      ),
    ).toEqual({
      kind: 'forbidden',
      code: 'no_role',
    });
  });

  it('lets the owner reassign their own case, and reviewers any case', () => {
    const facts = caseFacts();
    const history = opened(facts);

    expect(
      refusal(decide(history.current, { type: 'assign', owner: 'li.finance' }, context(facts, CLERK))).kind,
    ).toBe('forbidden');
    expect(act(history, facts, LEAD, { type: 'assign', owner: 'li.finance' }).owner).toBe('li.finance');
    expect(act(history, facts, CLERK, { type: 'assign', owner: 'zhao.reviewer' }).owner).toBe(
      'zhao.reviewer',
    );
  });

  it('refuses an action made against an older version (409) and takes the current one', () => {
    const facts = caseFacts();
    const history = opened(facts);
    act(history, facts, CLERK, { type: 'comment', text: 'first' });

    expect(
      refusal(decide(history.current, { type: 'comment', text: 'stale', version: 1 }, context(facts, CLERK))),
    ).toEqual({
      kind: 'conflict',
      code: 'version_conflict',
    });
    expect(
      decide(history.current, { type: 'comment', text: 'fresh', version: 2 }, context(facts, CLERK)).ok,
    ).toBe(true);
  });

  it('freezes an account once and unfreezes it only when frozen', () => {
    const facts = caseFacts();
    const history = opened(facts);

    const freeze = decide(history.current, { type: 'freeze', reason: 'count pending' }, context(facts, LEAD));
    expect(freeze.ok && freeze.event.data).toEqual({ account: 'WH-01|1403', reason: 'count pending' });
    expect(
      refusal(
        decide(history.current, { type: 'freeze', reason: 'x' }, context(facts, LEAD, { frozen: true })),
      ).code,
    ).toBe('already_frozen');
    expect(refusal(decide(history.current, { type: 'unfreeze' }, context(facts, REVIEWER))).code).toBe(
      'not_frozen',
    );
    expect(
      refusal(decide(history.current, { type: 'unfreeze' }, context(facts, LEAD, { frozen: true }))).kind,
    ).toBe('forbidden');
    expect(decide(history.current, { type: 'unfreeze' }, context(facts, REVIEWER, { frozen: true })).ok).toBe(
      true,
    );
  });

  it('refuses new proposals (409) on the cases of a frozen account until it is unfrozen', () => {
    const facts = caseFacts();
    const history = opened(facts);
    act(history, facts, CLERK, { type: 'start-review' });
    const propose: CaseAction = { type: 'propose', resolution: RECEIPT_RESOLUTION };

    const frozen = decide(history.current, propose, context(facts, CLERK, { frozen: true }));

    expect(refusal(frozen)).toEqual({ kind: 'conflict', code: 'account_frozen' });
    expect(!frozen.ok && frozen.refusal.message).toContain('WH-01|1403');
    expect(allowedActions(history.current, context(facts, CLERK, { frozen: true }))).not.toContain('propose');
    expect(decide(history.current, propose, context(facts, CLERK)).ok).toBe(true);
  });

  it('names the payload field a proposal cannot book', () => {
    const facts = caseFacts({ expectedAmount: null, unitCost: null });
    const history = opened(facts);
    act(history, facts, CLERK, { type: 'start-review' });

    const decision = decide(
      history.current,
      { type: 'propose', resolution: RECEIPT_RESOLUTION },
      context(facts, CLERK),
    );

    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.refusal).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^resolution\.amount: /),
    });
  });
});
