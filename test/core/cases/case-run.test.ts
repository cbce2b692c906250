import { describe, expect, it } from 'vitest';
import { closeCheck, type CaseAtClose } from '../../../lib/core/cases/close-check.js';
import { caseNote } from '../../../lib/core/cases/case-note.js';
import { decide } from '../../../lib/core/cases/case-decide.js';
import type { CaseAction } from '../../../lib/core/cases/case-action.js';
import type { CaseFacts } from '../../../lib/core/cases/case-facts.js';
import type { Caller } from '../../../lib/core/cases/roles.js';
import { WORKFLOW_STATUS } from '../../../lib/core/report/report-model.js';
import { factsHash, planRunCases, releaseHeld, type CaseSnapshot } from '../../../lib/core/cases/case-run.js';
import type { RunDiscrepancy } from '../../../lib/core/runs/run-events.js';
import { caseFacts, CaseHistory, CLERK, context, defaultConfig, LEAD, REVIEWER } from './case-factories.js';

const config = defaultConfig();
const NOW = '2026-11-03T00:00:00.000Z';

function shown(facts: CaseFacts): RunDiscrepancy {
  const { runId: _runId, ...rest } = facts;
  return { ...rest, lastSeen: facts.firstSeen, ageBucket: '0-1' };
}

/** A case's history built through its planned events, then `then`. */
function historyOf(facts: CaseFacts, then: (h: CaseHistory) => void = () => undefined): CaseHistory {
  const [plan] = planRunCases([shown(facts)], new Map(), {
    config,
    runId: 'close-1',
    now: NOW,
    frozen: new Set(),
  });
  const history = new CaseHistory(facts.groupKey);
  for (const event of plan?.events ?? []) history.add(event);
  then(history);
  return history;
}

/** A stored case built through its planned events. */
function stored(facts: CaseFacts, then: (h: CaseHistory) => void = () => undefined): CaseSnapshot {
  return { workflow: historyOf(facts, then).current, facts, factsHash: factsHash(facts) };
}

const ctx = (frozen: string[] = []) => ({ config, runId: 'close-2', now: NOW, frozen: new Set(frozen) });

/** People's actions on a case, each decided by the rules and added to its history. */
function steps(h: CaseHistory, facts: CaseFacts, actions: readonly (readonly [Caller, CaseAction])[]): void {
  for (const [who, action] of actions) {
    const d = decide(h.current, action, context(facts, who));
    if (!d.ok) throw new Error(d.refusal.message);
    h.add(d.event);
  }
}

describe('what a run does to the cases', () => {
  it('opens a case for a discrepancy it finds first, owned as the configuration says', () => {
    const facts = caseFacts({ warehouseId: 'WH-07', groupKey: 'WH-07|SKU-1|PO-1' });

    const [plan] = planRunCases([shown(facts)], new Map(), ctx());

    expect(plan).toMatchObject({ create: true, writeFacts: true, groupKey: 'WH-07|SKU-1|PO-1' });
    expect(plan?.events).toEqual([
      expect.objectContaining({
        type: 'open',
        actor: expect.objectContaining({ username: 'stocktally' }),
        data: expect.objectContaining({
          owner: 'li.finance',
          severity: 'RED',
          period: '2026-10',
          runId: 'close-2',
        }),
      }),
    ]);
  });

  it('never opens a case twice, and rewrites its facts only when they changed', () => {
    const facts = caseFacts();
    const known = new Map([[facts.groupKey, stored(facts)]]);

    expect(planRunCases([shown({ ...facts, runId: 'close-2' })], known, ctx())).toEqual([]);
    const [changed] = planRunCases(
      [shown({ ...facts, severity: 'YELLOW', state: 'PERSISTING' })],
      known,
      ctx(),
    );
    expect(changed).toMatchObject({ create: false, writeFacts: true, events: [] });
  });

  it('opens no case for a group that was resolved before it had one', () => {
    expect(planRunCases([shown(caseFacts({ state: 'RESOLVED' }))], new Map(), ctx())).toEqual([]);
  });

  it('closes an untouched TIMING_LAG by itself when the lag clears, with late posting as its cause', () => {
    const facts = caseFacts({ kind: 'TIMING_LAG' });
    const known = new Map([[facts.groupKey, stored(facts)]]);

    const [plan] = planRunCases([shown({ ...facts, state: 'RESOLVED' })], known, ctx());

    expect(plan?.events).toEqual([
      expect.objectContaining({
        type: 'close',
        data: expect.objectContaining({ auto: true, rootCause: { code: 'late-posting' } }),
      }),
    ]);
  });

  it('leaves a resolved case of any other kind, or one somebody works on, to a person', () => {
    const facts = caseFacts({ kind: 'QUANTITY_MISMATCH' });
    const lag = caseFacts({
      kind: 'TIMING_LAG',
      groupKey: 'WH-01|SKU-2|PO-2',
      sku: 'SKU-2',
      documentRef: 'PO-2',
    });
    const reviewed = stored(lag, (h) => {
      const d = decide(h.current, { type: 'start-review' }, context(lag, CLERK));
      if (d.ok) h.add(d.event);
    });
    const known = new Map([
      [facts.groupKey, stored(facts)],
      [lag.groupKey, reviewed],
    ]);

    const plans = planRunCases(
      [shown({ ...facts, state: 'RESOLVED' }), shown({ ...lag, state: 'RESOLVED' })],
      known,
      ctx(),
    );

    expect(plans.flatMap((p) => p.events)).toEqual([]);
    expect(plans.map((p) => p.writeFacts)).toEqual([true, true]);
  });

  it('keeps an approved case waiting for the books while its group disagrees, and closes it, naming the run, once it agrees', () => {
    const facts = caseFacts({ kind: 'AMOUNT_MISMATCH', severity: 'YELLOW', moneyAtStake: '100.00' });
    const approvedHistory = historyOf(facts, (h) =>
      steps(h, facts, [
        [CLERK, { type: 'start-review' }],
        [
          CLERK,
          {
            type: 'propose',
            resolution: { action: 'supplement-voucher', voucherRef: 'V-1', amount: '100.00' },
            rootCause: { code: 'missing-voucher' },
          },
        ],
        [REVIEWER, { type: 'approve' }],
      ]),
    );
    const approved = { workflow: approvedHistory.current, facts, factsHash: factsHash(facts) };
    expect(approved.workflow).toMatchObject({
      state: 'AWAITING_BOOKS',
      awaiting: { since: '2026-11-03T09:00:00.000Z', dueBy: '2026-11-08T09:00:00.000Z' },
    });
    const known = new Map([[facts.groupKey, approved]]);

    const [still] = planRunCases(
      [shown({ ...facts, state: 'PERSISTING', moneyAtStake: '90.00' })],
      known,
      ctx(),
    );
    const [agrees] = planRunCases([shown({ ...facts, state: 'RESOLVED' })], known, ctx());

    expect(still).toMatchObject({ writeFacts: true, events: [] });
    expect(agrees?.events).toEqual([
      expect.objectContaining({
        type: 'close',
        actor: expect.objectContaining({ username: 'stocktally' }),
        data: expect.objectContaining({
          auto: true,
          runId: 'close-2',
          reason: 'run close-2 found the group agreeing',
          rootCause: { code: 'missing-voucher' },
        }),
      }),
    ]);
    const history = approvedHistory;
    for (const e of agrees?.events ?? []) history.add(e);
    expect(history.current).toMatchObject({ state: 'CLOSED', closed: { auto: true, runId: 'close-2' } });
    expect(history.current.awaiting).toBeUndefined();
  });

  it('holds the close of a case awaiting the books while its account is frozen', () => {
    const facts = caseFacts({ kind: 'TIMING_LAG', expectedAmount: '100.00', moneyAtStake: '100.00' });
    const approved = stored(facts, (h) =>
      steps(h, facts, [
        [CLERK, { type: 'start-review' }],
        [
          CLERK,
          {
            type: 'propose',
            resolution: { action: 'accept-timing' },
            rootCause: { code: 'integration-failure' },
          },
        ],
        [REVIEWER, { type: 'approve' }],
      ]),
    );
    expect(approved.workflow.state).toBe('AWAITING_BOOKS');
    const known = new Map([[facts.groupKey, approved]]);
    const resolved = shown({ ...facts, state: 'RESOLVED' });

    const [free] = planRunCases([resolved], known, ctx());
    const [frozen] = planRunCases([resolved], known, ctx(['WH-01|1403']));

    expect(free?.events).toEqual([
      expect.objectContaining({
        type: 'close',
        data: expect.objectContaining({ rootCause: { code: 'integration-failure' } }),
      }),
    ]);
    expect(frozen?.events).toEqual([
      expect.objectContaining({ type: 'hold', data: { account: 'WH-01|1403', runId: 'close-2' } }),
    ]);
  });

  it('releases a held case when its account is unfrozen, only while its group agrees', () => {
    const facts = caseFacts({ kind: 'TIMING_LAG', state: 'RESOLVED' });
    const held = stored(caseFacts({ kind: 'TIMING_LAG' }), (h) => {
      h.add({
        type: 'hold',
        at: NOW,
        actor: { userId: 's', username: 's', roles: [] },
        data: { account: 'WH-01|1403', runId: 'r' },
      });
    });

    expect(releaseHeld(held.workflow, facts, NOW, 'zhao.reviewer')).toMatchObject({
      type: 'close',
      data: { auto: true },
    });
    expect(
      releaseHeld(held.workflow, { ...facts, state: 'PERSISTING' }, NOW, 'zhao.reviewer'),
    ).toBeUndefined();
  });

  it('reopens a closed case whenever a run finds its group disagreeing, and leaves it closed while it agrees', () => {
    const facts = caseFacts({ state: 'RESOLVED' });
    const closed = stored(caseFacts(), (h) =>
      steps(h, facts, [[LEAD, { type: 'close', rootCause: { code: 'count-error' } }]]),
    );
    const known = new Map([[facts.groupKey, closed]]);

    const [agrees] = planRunCases([shown({ ...facts, runId: 'close-2' })], known, ctx());
    const [same] = planRunCases([shown({ ...caseFacts(), state: 'PERSISTING' })], known, ctx());
    const [again] = planRunCases([shown(caseFacts({ firstSeen: '2026-11-20T00:00:00.000Z' }))], known, ctx());

    expect(agrees?.events ?? []).toEqual([]);
    // The same occurrence disagreeing after a close (a case closed before the books decided) reopens too.
    expect(same?.events).toEqual([expect.objectContaining({ type: 'reopen' })]);
    expect(again?.events).toEqual([
      expect.objectContaining({
        type: 'reopen',
        data: { runId: 'close-2', firstSeen: '2026-11-20T00:00:00.000Z' },
      }),
    ]);
  });

  it('leaves an accepted case alone while its group shows the difference accepted, and reopens it for another one', () => {
    const facts = caseFacts({
      kind: 'QUANTITY_MISMATCH',
      severity: 'YELLOW',
      moneyAtStake: '300.00',
      state: 'PERSISTING',
    });
    const accepted = stored(facts, (h) =>
      steps(h, facts, [
        [CLERK, { type: 'start-review' }],
        [
          CLERK,
          {
            type: 'propose',
            resolution: { action: 'accept-difference', reason: 'count loss written off', amount: '300.00' },
            rootCause: { code: 'count-error' },
          },
        ],
        [REVIEWER, { type: 'approve' }],
      ]),
    );
    expect(accepted.workflow).toMatchObject({
      state: 'ACCEPTED',
      accepted: {
        kind: 'QUANTITY_MISMATCH',
        moneyAtStake: '300.00',
        firstSeen: facts.firstSeen,
        by: 'zhao.reviewer',
      },
    });
    const known = new Map([[facts.groupKey, accepted]]);
    const plan = (changes: Partial<CaseFacts>) =>
      planRunCases([shown({ ...facts, ...changes })], known, ctx())[0]?.events ?? [];

    expect(plan({ runId: 'close-2' })).toEqual([]);
    expect(plan({ state: 'RESOLVED' })).toEqual([]);
    expect(plan({ moneyAtStake: '450.00' })).toEqual([expect.objectContaining({ type: 'reopen' })]);
    expect(plan({ kind: 'AMOUNT_MISMATCH' })).toEqual([expect.objectContaining({ type: 'reopen' })]);
    expect(plan({ firstSeen: '2026-12-01T00:00:00.000Z' })).toEqual([
      expect.objectContaining({ type: 'reopen' }),
    ]);
  });
});

describe('the period-close gate', () => {
  const at = (
    groupKey: string,
    state: CaseAtClose['state'],
    severity: CaseAtClose['severity'],
  ): CaseAtClose => ({
    caseId: groupKey,
    groupKey,
    state,
    severity,
    owner: 'wang.lead',
    moneyAtStake: '1.00',
  });

  it('blocks on a RED case still worked and on any proposal awaiting approval', () => {
    const check = closeCheck('2026-10', [
      at('a', 'OPEN', 'RED'),
      at('b', 'PROPOSED', 'GREEN'),
      at('c', 'REJECTED', 'RED'),
      at('d', 'OPEN', 'YELLOW'),
      at('e', 'AWAITING_BOOKS', 'RED'),
      at('f', 'CLOSED', 'RED'),
      at('g', 'ACCEPTED', 'RED'),
    ]);

    expect(check.canClose).toBe(false);
    expect(check.blockers.map((b) => `${b.groupKey} ${b.reason}`)).toEqual([
      'a open-red-case',
      'b unapproved-proposal',
      'c open-red-case',
    ]);
    expect(check.cases).toEqual({
      OPEN: 2,
      IN_REVIEW: 0,
      PROPOSED: 1,
      AWAITING_BOOKS: 1,
      REJECTED: 1,
      ACCEPTED: 1,
      CLOSED: 1,
    });
  });

  it('lets a period close when its RED cases await the books, are accepted or closed, and nothing waits', () => {
    expect(
      closeCheck('2026-10', [
        at('e', 'AWAITING_BOOKS', 'RED'),
        at('f', 'CLOSED', 'RED'),
        at('g', 'OPEN', 'GREEN'),
        at('h', 'ACCEPTED', 'RED'),
      ]),
    ).toMatchObject({
      canClose: true,
      blockers: [],
    });
  });
});

describe('the report’s workflow columns', () => {
  it('show the owner, the cause and the rectification of a case', () => {
    const facts = caseFacts();
    const worked = stored(facts, (h) => {
      for (const action of [
        { type: 'start-review' },
        {
          type: 'propose',
          resolution: { action: 'supplement-voucher', voucherRef: 'V-1' },
          rootCause: { code: 'missing-voucher' },
        },
      ] as const) {
        const d = decide(h.current, action, context(facts, CLERK));
        if (!d.ok) throw new Error(d.refusal.message);
        h.add(d.event);
      }
    });

    expect(caseNote(stored(facts).workflow, facts)).toEqual({
      status: 'open',
      owner: 'wang.lead',
      caseState: 'OPEN',
    });
    expect(caseNote(worked.workflow, facts)).toEqual({
      status: 'in-progress',
      owner: 'wang.lead',
      caseState: 'PROPOSED',
      cause: '凭证缺失 missing-voucher',
      causeCode: 'missing-voucher',
      rectification: expect.stringMatching(
        /^补录凭证 supplement-voucher ST-202610-[0-9a-f]{8}-3 60000\.00 \(待审批 proposed\)$/,
      ),
    });
  });

  it('print resolved only for a closed case whose group agrees, never for a difference that persists', () => {
    const agreeing = caseFacts({ state: 'RESOLVED' });
    const closed = stored(caseFacts(), (h) =>
      steps(h, agreeing, [[LEAD, { type: 'close', rootCause: { code: 'count-error' } }]]),
    ).workflow;
    const awaiting = stored(caseFacts({ moneyAtStake: '100.00' }), (h) =>
      steps(h, caseFacts({ moneyAtStake: '100.00' }), [
        [CLERK, { type: 'start-review' }],
        [CLERK, { type: 'propose', resolution: { action: 'accept-timing' } }],
        [REVIEWER, { type: 'approve' }],
      ]),
    ).workflow;
    const accepted = stored(caseFacts({ moneyAtStake: '100.00' }), (h) =>
      steps(h, caseFacts({ moneyAtStake: '100.00' }), [
        [CLERK, { type: 'start-review' }],
        [
          CLERK,
          {
            type: 'propose',
            resolution: { action: 'accept-difference', reason: 'written off', amount: '100.00' },
          },
        ],
        [REVIEWER, { type: 'approve' }],
      ]),
    ).workflow;

    expect(caseNote(closed, agreeing).status).toBe('resolved');
    expect(caseNote(closed, caseFacts({ state: 'PERSISTING' })).status).toBe('open');
    expect(caseNote(awaiting, caseFacts()).status).toBe('awaiting-books');
    // Its due day is the one the approval set: the report's progress and owner tables read it.
    expect(caseNote(awaiting, caseFacts()).dueBy).toBe(awaiting.awaiting?.dueBy);
    expect(caseNote(awaiting, caseFacts()).caseState).toBe('AWAITING_BOOKS');
    expect(caseNote(accepted, caseFacts()).status).toBe('accepted');
    expect(WORKFLOW_STATUS['awaiting-books'].zh).not.toBe(WORKFLOW_STATUS.resolved.zh);
    expect(WORKFLOW_STATUS.accepted.zh).not.toBe(WORKFLOW_STATUS.resolved.zh);
  });
});
