// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NotAvailableError, type Api } from '../src/api.js';
import { actionBody, allowedActions, validate, REMEDY_FIELDS } from '../src/case-rules.js';
import type { CaseRecord, Trail } from '../src/case-types.js';
import { setLanguage } from '../src/i18n.js';
import {
  casePanelView,
  journalTotals,
  mountCasePanel,
  type CasePanelHandlers,
  type CasePanelState,
} from '../src/views/case-panel.js';

afterEach(() => setLanguage('zh'));

const CASE_ID = 'WH-上海-02|SKU-00046|DOC-0000162';

function proposed(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId: CASE_ID,
    state: 'PROPOSED',
    owner: 'li.finance',
    severity: 'RED',
    rootCause: '财务重复过账',
    comments: [{ author: 'wang.lead', at: '2026-11-02T01:00:00Z', text: '仓库只发了一次货' }],
    proposal: {
      action: { kind: 'reverse-entry', entryId: 'F000000180' },
      proposedBy: 'li.finance',
      at: '2026-11-02T02:00:00Z',
      journalEntry: {
        lines: [
          { account: '6401 主营业务成本', debit: '350642.10', credit: '0' },
          { account: '1405 库存商品', debit: '0', credit: '350642.1' },
          { account: '6401 主营业务成本', debit: '0.005', credit: null },
        ],
      },
    },
    approvals: [],
    ...overrides,
  };
}

const TRAIL: Trail = {
  verified: true,
  events: [
    {
      seq: 1,
      type: 'propose',
      actor: 'li.finance',
      at: '2026-11-02T02:00:00Z',
      hash: 'a'.repeat(64),
      prevHash: '0'.repeat(64),
    },
    {
      seq: 2,
      type: 'approve',
      actor: 'zhao.reviewer',
      at: '2026-11-02T03:00:00Z',
      hash: 'b'.repeat(64),
      prevHash: 'a'.repeat(64),
    },
  ],
};

const noop: CasePanelHandlers = { open() {}, cancel() {}, change() {}, remedy() {}, submit() {} };

function shown(state: CasePanelState, roles: string[]): HTMLElement {
  const el = document.createElement('div');
  render(casePanelView(state, roles, [], noop), el);
  return el;
}

const ready = (kase: CaseRecord, trail?: Trail): CasePanelState => ({
  status: 'ready',
  kase,
  trail,
  form: undefined,
  busy: false,
  error: undefined,
});
const buttons = (el: HTMLElement) =>
  [...el.querySelectorAll('[data-action]')].map((b) => b.getAttribute('data-action'));

describe('the case panel', () => {
  it('says the workflow is not available instead of failing', () => {
    const el = shown({ status: 'unavailable' }, ['admin']);
    expect(el.querySelector('[data-test="workflow-unavailable"]')?.textContent).toContain('尚未启用');
  });

  it('offers the reviewer approve and reject on a proposed case, and the maker neither', () => {
    expect(buttons(shown(ready(proposed()), ['finance-reviewer']))).toEqual(['comment', 'approve', 'reject']);
    expect(buttons(shown(ready(proposed()), ['finance-specialist']))).toEqual(['comment']);
    expect(
      buttons(shown(ready(proposed({ state: 'IN_REVIEW', proposal: null })), ['warehouse-lead'])),
    ).toEqual(['comment', 'propose']);
  });

  it('shows the proposed journal entry with exact totals, right-aligned', () => {
    const el = shown(ready(proposed()), ['finance-reviewer']);
    const rows = [...el.querySelectorAll('[data-test="journal"] tr')].map((r) =>
      [...r.children].map((c) => c.textContent?.trim()),
    );

    expect(rows).toEqual([
      ['科目', '借方', '贷方'],
      ['6401 主营业务成本', '350,642.10', '0.00'],
      ['1405 库存商品', '0.00', '350,642.10'],
      ['6401 主营业务成本', '0.005', ''],
      ['合计', '350,642.11', '350,642.10'],
    ]);
    expect(el.querySelector('[data-test="journal"] td.num')).not.toBeNull();
    expect(journalTotals(proposed())).toEqual({ debit: '350642.11', credit: '350642.10' });
  });

  it('shows the trail with its verification mark, and a broken chain as broken', () => {
    const ok = shown(ready(proposed(), TRAIL), ['admin']);
    const broken = shown(ready(proposed(), { ...TRAIL, verified: false, brokenAt: 2 }), ['admin']);

    expect(ok.querySelector('[data-test="trail-verified"]')?.textContent).toContain('轨迹校验通过');
    expect(ok.querySelectorAll('[data-test="trail"] li')).toHaveLength(2);
    expect(broken.querySelector('[data-test="trail-verified"]')?.textContent).toContain(
      '第 2 条起哈希链断裂',
    );
  });

  it('speaks English after the toggle', () => {
    setLanguage('en');
    const el = shown(ready(proposed()), ['finance-reviewer']);
    expect(el.textContent).toContain('Proposed journal entry');
    expect(buttons(el)).toEqual(['comment', 'approve', 'reject']);
    expect(el.querySelector('[data-action="approve"]')?.textContent?.trim()).toBe('Approve');
  });

  it('offers a frozen case nothing but comment and unfreeze', () => {
    expect(allowedActions({ state: 'IN_REVIEW', frozen: true }, ['admin'])).toEqual(['comment', 'unfreeze']);
    expect(allowedActions({ state: 'IN_REVIEW', frozen: false }, ['admin'])).toEqual([
      'assign',
      'comment',
      'propose',
      'freeze',
    ]);
  });
});

describe('action forms', () => {
  it('builds a proposal with its remedy’s fields under action, empty fields left out', () => {
    expect(
      actionBody('propose', { account: '1405', amount: '12.50', memo: ' ' }, 'supplement-voucher'),
    ).toEqual({
      type: 'propose',
      action: { kind: 'supplement-voucher', account: '1405', amount: '12.50' },
    });
    expect(actionBody('reject', { reason: '金额不对' })).toEqual({ type: 'reject', reason: '金额不对' });
  });

  it('names the missing and malformed fields', () => {
    expect(validate(REMEDY_FIELDS['supplement-voucher'], { amount: '1e5' })).toEqual({
      account: 'required',
      amount: 'invalidDecimal',
    });
    expect(validate(REMEDY_FIELDS['adjust-price'], { unitCost: '12.500001' })).toEqual({});
  });
});

describe('mountCasePanel against the API', () => {
  function fakeApi(
    behaviour: Partial<Record<'case' | 'trail' | 'act', (...args: unknown[]) => Promise<unknown>>>,
  ) {
    const calls: unknown[][] = [];
    const api = {
      case: (...a: unknown[]) => (
        calls.push(['case', ...a]),
        behaviour.case?.(...a) ?? Promise.reject(new Error('case'))
      ),
      trail: (...a: unknown[]) => (
        calls.push(['trail', ...a]),
        behaviour.trail?.(...a) ?? Promise.resolve(TRAIL)
      ),
      act: (...a: unknown[]) => (calls.push(['act', ...a]), behaviour.act?.(...a) ?? Promise.resolve({})),
    } as unknown as Api;
    return { api, calls };
  }

  it('renders "not available" when the cases routes answer the gateway’s 404', async () => {
    const { api } = fakeApi({ case: () => Promise.reject(new NotAvailableError('/v1/cases/x')) });
    const el = document.createElement('div');
    await mountCasePanel(api, el, CASE_ID, ['admin'], []);
    expect(el.querySelector('[data-test="workflow-unavailable"]')).not.toBeNull();
  });

  it('renders "no case yet" when the workflow answers that the case does not exist', async () => {
    const { api } = fakeApi({ case: () => Promise.reject(new ApiError(404, 'no case', 'case_not_found')) });
    const el = document.createElement('div');
    await mountCasePanel(api, el, CASE_ID, ['admin'], []);
    expect(el.textContent).toContain('尚未建立案件');
  });

  it('proposes through the form, then shows the case as the API answers it', async () => {
    let state: CaseRecord = proposed({ state: 'IN_REVIEW', proposal: null });
    const { api, calls } = fakeApi({
      case: () => Promise.resolve(state),
      act: () => {
        state = proposed();
        return Promise.resolve(state);
      },
    });
    const el = document.createElement('div');
    document.body.append(el);
    await mountCasePanel(api, el, CASE_ID, ['finance-specialist'], []);

    el.querySelector<HTMLButtonElement>('[data-action="propose"]')?.click();
    const remedy = el.querySelector<HTMLSelectElement>('select[name="remedy"]');
    remedy!.value = 'reverse-entry';
    remedy!.dispatchEvent(new Event('change'));
    const entry = el.querySelector<HTMLInputElement>('input[name="entryId"]');
    entry!.value = 'F000000180';
    entry!.dispatchEvent(new Event('input'));
    el.querySelector<HTMLFormElement>('[data-test="action-form"]')?.dispatchEvent(
      new Event('submit', { cancelable: true }),
    );
    await new Promise((r) => setTimeout(r, 20));

    expect(calls.filter((c) => c[0] === 'act')).toEqual([
      ['act', CASE_ID, { type: 'propose', action: { kind: 'reverse-entry', entryId: 'F000000180' } }],
    ]);
    expect(el.querySelector('[data-test="case-state"]')?.textContent).toContain('待审批');
    expect(el.querySelector('[data-test="journal"]')).not.toBeNull();
  });

  it('keeps the form and names the field when it is incomplete, sending nothing', async () => {
    const { api, calls } = fakeApi({ case: () => Promise.resolve(proposed({ state: 'PROPOSED' })) });
    const el = document.createElement('div');
    document.body.append(el);
    await mountCasePanel(api, el, CASE_ID, ['finance-reviewer'], []);

    el.querySelector<HTMLButtonElement>('[data-action="reject"]')?.click();
    el.querySelector<HTMLFormElement>('[data-test="action-form"]')?.dispatchEvent(
      new Event('submit', { cancelable: true }),
    );
    await new Promise((r) => setTimeout(r, 10));

    expect(calls.some((c) => c[0] === 'act')).toBe(false);
    expect(el.querySelector('.problem')?.textContent).toBe('必填');
  });

  it('shows the API’s refusal (403) and keeps the case', async () => {
    const { api } = fakeApi({
      case: () => Promise.resolve(proposed()),
      act: () =>
        Promise.reject(
          new ApiError(403, 'li.finance proposed this case and may not approve it', 'forbidden'),
        ),
    });
    const el = document.createElement('div');
    document.body.append(el);
    await mountCasePanel(api, el, CASE_ID, ['admin'], []);
    el.querySelector<HTMLButtonElement>('[data-action="approve"]')?.click();
    el.querySelector<HTMLFormElement>('[data-test="action-form"]')?.dispatchEvent(
      new Event('submit', { cancelable: true }),
    );
    await new Promise((r) => setTimeout(r, 20));

    expect(el.querySelector('.error')?.textContent).toContain('may not approve');
    expect(el.querySelector('[data-test="case-state"]')?.textContent).toContain('待审批');
  });
});
