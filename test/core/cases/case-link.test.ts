import { describe, expect, it } from 'vitest';
import { decide } from '../../../lib/core/cases/case-decide.js';
import type { CaseFacts } from '../../../lib/core/cases/case-facts.js';
import { factsHash, planRunCases, type CaseSnapshot } from '../../../lib/core/cases/case-run.js';
import { effectsOf, SYSTEM_ACTOR, type CaseWorkflow } from '../../../lib/core/cases/case-workflow.js';
import { linkedKeys } from '../../../lib/core/diagnosis/group-links.js';
import type { RunDiscrepancy } from '../../../lib/core/runs/run-events.js';
import {
  caseFacts,
  CaseHistory,
  CLERK,
  context,
  defaultConfig,
  IT,
  LEAD,
  REVIEWER,
} from './case-factories.js';

// Accepting a suggested match (CONTRACT §11): case action `link`, approved like a resolution; the
// two groups then reconcile as one, and a run that finds them agreeing closes both cases.

const wmsSide = caseFacts({ documentRef: 'PO-10234', moneyAtStake: '60000.00' });
const financeSide = caseFacts({
  documentRef: 'PO-10243',
  kind: 'MISSING_IN_WMS',
  wmsQuantity: '0',
  financeQuantity: '600',
  wmsTypes: [],
  financeTypes: ['RECEIPT'],
  wmsEventIds: [],
  financeEntryIds: ['F1'],
  latestEventAt: null,
  latestPostingAt: '2026-10-10T12:00:00.000Z',
});

function opened(facts: CaseFacts): CaseHistory {
  const history = new CaseHistory(facts.groupKey);
  history.add({
    type: 'open',
    at: '2026-11-02T00:00:00.000Z',
    actor: SYSTEM_ACTOR,
    data: {
      owner: 'wang.lead',
      runId: 'r1',
      kind: facts.kind,
      severity: 'RED',
      moneyAtStake: '60000.00',
      period: '2026-10',
    },
  });
  return history;
}

function linked(facts: CaseFacts, target: { documentRef: string; sku: string }): CaseHistory {
  const history = opened(facts);
  const d = decide(history.current, { type: 'link', ...target }, context(facts, CLERK));
  if (!d.ok) throw new Error(d.refusal.message);
  history.add(d.event);
  return history;
}

describe('case action link', () => {
  it('proposes the link straight from an OPEN case, the finance group moving under the WMS key', () => {
    const history = linked(financeSide, { documentRef: 'PO-10234', sku: 'SKU-1' });
    const proposal = history.current.proposal;
    expect(history.current.state).toBe('PROPOSED');
    expect(proposal?.resolution).toEqual({ action: 'link', documentRef: 'PO-10234', sku: 'SKU-1' });
    expect(proposal?.rootCause).toEqual({ code: 'wrong-reference' });
    expect(proposal?.entry).toBeNull();
    expect(proposal?.link).toEqual({
      warehouseId: 'WH-01',
      from: { sku: 'SKU-1', documentRef: 'PO-10243' },
      to: { sku: 'SKU-1', documentRef: 'PO-10234' },
    });
    // The same link from the other side's case names the same groups the same way round.
    expect(linked(wmsSide, { documentRef: 'PO-10243', sku: 'SKU-1' }).current.proposal?.link).toEqual(
      proposal?.link,
    );
  });

  it('is approved like a resolution: the RED tiers, then the link is an effect of the last approval', () => {
    const history = linked(financeSide, { documentRef: 'PO-10234', sku: 'SKU-1' });
    expect(history.current.proposal?.requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
    for (const who of [REVIEWER, LEAD]) {
      const before: CaseWorkflow = history.current;
      const d = decide(before, { type: 'approve' }, context(financeSide, who));
      if (!d.ok) throw new Error(d.refusal.message);
      const after = history.add(d.event);
      const effects = effectsOf(before, history.events.at(-1) ?? (undefined as never), 'WH-01|1403');
      if (after.state === 'AWAITING_BOOKS') expect(effects.map((e) => e.kind)).toContain('link');
      else expect(effects).toEqual([]);
    }
    expect(history.current.state).toBe('AWAITING_BOOKS');
    // Approved but not yet reconciled as one: a person cannot close it; the run will.
    const close = decide(history.current, { type: 'close' }, context(financeSide, CLERK));
    expect(close.ok ? undefined : close.refusal.code).toBe('awaiting_books');
  });

  it('refuses a link from a two-sided discrepancy, to itself, or by a role that may not propose', () => {
    const twoSided = caseFacts({
      kind: 'QUANTITY_MISMATCH',
      financeEntryIds: ['F1'],
      financeTypes: ['RECEIPT'],
    });
    const refusal = (facts: CaseFacts, target: { documentRef: string; sku: string }, who = CLERK) => {
      const d = decide(opened(facts).current, { type: 'link', ...target }, context(facts, who));
      return d.ok ? undefined : d.refusal.code;
    };
    expect(refusal(twoSided, { documentRef: 'PO-9', sku: 'SKU-1' })).toBe('invalid_link');
    expect(refusal(wmsSide, { documentRef: 'PO-10234', sku: 'SKU-1' })).toBe('invalid_link');
    expect(refusal(wmsSide, { documentRef: 'PO-10243', sku: 'SKU-1' }, IT)).toBe('role_required');
  });
});

describe('a run after the link', () => {
  const config = defaultConfig();
  const shown = (facts: CaseFacts): RunDiscrepancy => {
    const { runId: _r, ...rest } = facts;
    return { ...rest, lastSeen: facts.firstSeen, ageBucket: '0-1' };
  };

  it('closes both cases when it finds the linked groups agreeing, named as a mistyped reference', () => {
    const proposer = linked(financeSide, { documentRef: 'PO-10234', sku: 'SKU-1' });
    for (const who of [REVIEWER, LEAD]) {
      const d = decide(proposer.current, { type: 'approve' }, context(financeSide, who));
      if (d.ok) proposer.add(d.event);
    }
    const other = opened(wmsSide);
    const snapshot = (h: CaseHistory, facts: CaseFacts): CaseSnapshot => ({
      workflow: h.current,
      facts,
      factsHash: factsHash(facts),
    });
    const known = new Map([
      [financeSide.groupKey, snapshot(proposer, financeSide)],
      [wmsSide.groupKey, snapshot(other, wmsSide)],
    ]);
    const links = proposer.current.proposal?.link === undefined ? [] : [proposer.current.proposal.link];
    const plans = planRunCases(
      [shown({ ...financeSide, state: 'RESOLVED' }), shown({ ...wmsSide, state: 'RESOLVED' })],
      known,
      { config, runId: 'r2', now: '2026-11-04T00:00:00.000Z', frozen: new Set(), linked: linkedKeys(links) },
    );
    expect(plans.map((p) => p.events.map((e) => [e.type, e.data.rootCause]))).toEqual([
      [['close', { code: 'wrong-reference' }]],
      [['close', { code: 'wrong-reference' }]],
    ]);
    // Without the link the untouched other case waits for a person.
    const unlinked = planRunCases([shown({ ...wmsSide, state: 'RESOLVED' })], known, {
      config,
      runId: 'r2',
      now: '2026-11-04T00:00:00.000Z',
      frozen: new Set(),
    });
    expect(unlinked.flatMap((p) => p.events)).toEqual([]);
  });
});
