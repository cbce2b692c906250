import { describe, expect, it } from 'vitest';
import { awaitingBooks, isOverdue } from '../../../lib/core/cases/awaiting-books.js';
import { SYSTEM_ACTOR, upgradeWorkflow, type CaseWorkflow } from '../../../lib/core/cases/case-workflow.js';
import { CaseHistory } from './case-factories.js';

const since = '2026-11-03T09:00:00.000Z';
const dueBy = '2026-11-08T09:00:00.000Z';

function waiting(): CaseWorkflow {
  const history = new CaseHistory('WH-01|SKU-1|PO-1');
  history.add({
    type: 'open',
    at: '2026-11-02T00:00:00.000Z',
    actor: SYSTEM_ACTOR,
    data: { owner: 'li.finance' },
  });
  return { ...history.current, state: 'AWAITING_BOOKS', awaiting: { since, dueBy } };
}

describe('a case waiting for the books', () => {
  it('is overdue only once its due date has passed, counting whole days past it', () => {
    expect(awaitingBooks(waiting(), dueBy)).toEqual({ since, dueBy, overdue: false, daysOverdue: 0 });
    expect(isOverdue(waiting(), '2026-11-08T09:00:00.001Z')).toBe(true);
    expect(awaitingBooks(waiting(), '2026-11-10T10:00:00.000Z')).toMatchObject({
      overdue: true,
      daysOverdue: 2,
    });
  });

  it('is never overdue once it no longer waits', () => {
    for (const state of ['OPEN', 'CLOSED', 'ACCEPTED'] as const) {
      expect(awaitingBooks({ ...waiting(), state }, '2027-01-01T00:00:00.000Z')).toBeUndefined();
    }
  });

  it('reads a head stored as APPROVED (before the books decided) as waiting since its last approval', () => {
    const legacy = {
      ...waiting(),
      state: 'APPROVED',
      awaiting: undefined,
      proposal: { approvals: [{ at: since }] },
    } as unknown as CaseWorkflow;

    expect(upgradeWorkflow(legacy)).toMatchObject({ state: 'AWAITING_BOOKS', awaiting: { since, dueBy } });
    expect(upgradeWorkflow(waiting())).toEqual(waiting());
  });
});
