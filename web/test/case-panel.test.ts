// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NotAvailableError, type Api } from '../src/api.js';
import { actionBody, actionFields, checkForm, journalColumns } from '../src/case-rules.js';
import type { CaseRecord, LocalUser, Trail } from '../src/case-types.js';
import { setLanguage } from '../src/i18n.js';
import {
  casePanelView,
  mountCasePanel,
  type CasePanelHandlers,
  type CasePanelState,
  type Viewer,
} from '../src/views/case-panel.js';
import { entryIdFor } from '../../lib/core/cases/case-decide.js';
import { CASE_ID, GROUP, inReviewCase, proposedCase, TRAIL } from './case-fixtures.js';

afterEach(() => {
  setLanguage('zh');
  document.body.innerHTML = '';
});

const noop: CasePanelHandlers = {
  open() {},
  accept() {},
  cancel() {},
  change() {},
  toggle() {},
  resolution() {},
  submit() {},
};

const USERS: LocalUser[] = [
  { username: 'local', roles: ['admin'], token: 't' },
  { username: 'wang.lead', roles: ['warehouse-lead'], token: 't.wang.lead' },
  { username: 'li.finance', roles: ['finance-specialist'], token: 't.li.finance' },
];

const viewer = (username: string): Viewer => ({ username, users: USERS, zone: 'UTC' });

const ready = (kase: CaseRecord, trail?: Trail): CasePanelState => ({
  status: 'ready',
  kase,
  trail,
  trailError: undefined,
  form: undefined,
  busy: false,
  error: undefined,
});

function shown(state: CasePanelState, username = 'zhao.reviewer'): HTMLElement {
  const el = document.createElement('div');
  render(casePanelView(state, viewer(username), noop), el);
  return el;
}

const buttons = (el: HTMLElement) =>
  [...el.querySelectorAll('[data-action]')].map((b) => b.getAttribute('data-action'));

describe('the case panel', () => {
  it('says the workflow is not available instead of failing', () => {
    const el = shown({ status: 'unavailable' });
    expect(el.querySelector('[data-test="workflow-unavailable"]')?.textContent).toContain('尚未启用');
  });

  it('offers exactly the actions the API allows the caller, in its order', () => {
    expect(buttons(shown(ready(proposedCase())))).toEqual([
      'assign',
      'comment',
      'approve',
      'reject',
      'freeze',
    ]);
    expect(buttons(shown(ready(proposedCase({ allowedActions: ['comment'] }))))).toEqual(['comment']);
    expect(
      shown(ready(proposedCase({ allowedActions: [] }))).querySelector('[data-test="no-actions"]'),
    ).not.toBeNull();
  });

  it('tells the proposer why there is no approve button (maker-checker), and nobody else', () => {
    const mine = shown(ready(proposedCase({ allowedActions: ['assign', 'comment'] })), 'li.finance');
    const approved = shown(ready(proposedCase({ allowedActions: ['assign', 'comment'] })), 'zhao.reviewer');
    const other = shown(ready(proposedCase()), 'wang.lead');

    expect(mine.querySelector('[data-test="maker-checker"]')?.getAttribute('data-reason')).toBe(
      'own-proposal',
    );
    expect(mine.querySelector('[data-test="maker-checker"]')?.textContent).toContain('li.finance');
    expect(approved.querySelector('[data-test="maker-checker"]')?.getAttribute('data-reason')).toBe(
      'approved-already',
    );
    expect(other.querySelector('[data-test="maker-checker"]')).toBeNull();
  });

  it('shows the proposed journal entry by side, with exact totals, right-aligned', () => {
    const el = shown(ready(proposedCase()));
    const rows = [...el.querySelectorAll('[data-test="journal"] tr')].map((r) =>
      [...r.children].map((c) => c.textContent?.replace(/\s+/g, ' ').trim()),
    );

    expect(rows).toEqual([
      ['#', '科目', '借方', '贷方'],
      ['1', '6401 主营业务成本', '52,618.54', ''],
      ['2', '1405 库存商品', '', '52,618.54'],
      ['', '合计 借贷平衡', '52,618.54', '52,618.54'],
    ]);
    expect(el.querySelectorAll('[data-test="journal"] td.num')).toHaveLength(4);
    expect(el.querySelector('[data-test="entry-voucher"]')?.textContent).toContain('ST-202610-5bedcd02-3');
  });

  it('sums entry lines exactly, past what a double holds, and names an unbalanced entry', () => {
    const line = (n: number, side: 'debit' | 'credit', amount: string) => ({
      line: n,
      side,
      accountCode: '1405',
      accountName: '库存商品',
      amount,
      memo: '',
    });
    expect(
      journalColumns([
        line(1, 'debit', '90071992547409.93'),
        line(2, 'debit', '0.01'),
        line(3, 'credit', '90071992547409.94'),
      ]),
    ).toMatchObject({ debit: '90071992547409.94', credit: '90071992547409.94', balanced: true });
    expect(journalColumns([line(1, 'debit', '10.00'), line(2, 'credit', '9.99')]).balanced).toBe(false);
  });

  it('shows the approvals needed for the amount, who gave theirs, and how far they are', () => {
    const el = shown(ready(proposedCase()));
    expect(el.querySelector('[data-test="requirements"]')?.textContent?.replace(/\s+/g, ' ')).toContain(
      '财务复核 + 仓库负责人 已满足 1/2 项',
    );
    expect(
      [...el.querySelectorAll('[data-test="approvals"] li')].map((li) => li.getAttribute('data-user')),
    ).toEqual(['zhao.reviewer']);
    expect(el.querySelector('[data-test="proposed-by"]')?.textContent).toBe('li.finance (财务专员)');
  });

  it('shows the trail with its verification mark and each event, and a broken chain where it breaks', () => {
    const ok = shown(ready(proposedCase(), TRAIL));
    const broken = shown(
      ready(proposedCase(), {
        ...TRAIL,
        verified: false,
        brokenAt: { groupKey: GROUP, seq: 4, reason: 'hash', expected: 'a', found: 'b' },
      }),
    );

    expect(ok.querySelector('[data-test="trail-verified"]')?.getAttribute('data-verified')).toBe('true');
    expect(ok.querySelector('[data-test="trail-verified"]')?.textContent).toContain('轨迹校验通过');
    expect(
      [...ok.querySelectorAll('[data-test="trail"] li')].map((li) => li.getAttribute('data-type')),
    ).toEqual(['open', 'start-review', 'comment', 'propose', 'approve']);
    expect(ok.querySelector('[data-test="trail"] li[data-type="propose"]')?.textContent).toContain(
      '补录凭证 · 52,618.54 · ST-202610-5bedcd02-3',
    );
    expect(ok.querySelector('[data-test="comments"]')?.textContent).toContain(
      '出库单 DOC-0000153 未传到财务',
    );
    expect(broken.querySelector('[data-test="trail-verified"]')?.getAttribute('data-verified')).toBe('false');
    expect(broken.querySelector('[data-test="trail-verified"]')?.textContent).toContain('第 4 条(哈希不符)');
  });

  it('names the case’s account by its code and name, not its storage key', () => {
    const account = shown(ready(proposedCase())).querySelector('[data-test="case-account"]');
    expect(account?.textContent?.replace(/\s+/g, ' ').trim()).toBe('1405 库存商品 (仓库 WH-10)');
    expect(account?.getAttribute('data-key')).toBe('WH-10|1405');
  });

  it('ties the clerk’s voucher number to the entry the system numbered', () => {
    const el = shown(ready(proposedCase()));
    expect(el.querySelector('[data-test="entry-voucher"]')?.textContent?.replace(/\s+/g, ' ')).toMatch(
      /凭证号 ST-202610-\S+ .*对应您的凭证号 V-/,
    );
  });

  it('speaks English after the toggle', () => {
    setLanguage('en');
    const el = shown(ready(proposedCase()));
    expect(el.textContent).toContain('Proposed journal entry');
    expect(el.querySelector('[data-action="approve"]')?.textContent?.trim()).toBe('Approve');
    expect(el.querySelector('[data-test="case-state"]')?.textContent?.trim()).toBe('Proposed');
  });
});

describe('action forms: the real payloads', () => {
  const kase = inReviewCase();

  it('builds a proposal from the resolution’s fields, the root cause and the version seen', () => {
    const fields = actionFields('propose', kase, 'supplement-voucher');
    const body = actionBody(
      'propose',
      fields,
      {
        'resolution.voucherRef': ' V-2026-10-0153 ',
        'resolution.amount': '',
        'rootCause.code': 'missing-voucher',
        comment: '补录',
      },
      2,
      'supplement-voucher',
    );

    expect(body).toEqual({
      type: 'propose',
      resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0153' },
      rootCause: { code: 'missing-voucher' },
      comment: '补录',
      version: 2,
    });
    expect(checkForm(fields, { 'resolution.voucherRef': 'V' }, body)).toMatchObject({ problems: {} });
    // What the books lack is the API's default amount: offered as the placeholder, exactly.
    expect(fields.find((f) => f.path === 'resolution.amount')?.fallback).toBe('52,618.54');
  });

  it('offers a reversal the discrepancy’s own finance lines, duplicates named', () => {
    const dup = inReviewCase({
      facts: { ...kase.facts, financeEntryIds: ['F1', 'F2'], duplicateEntryIds: ['F2'] },
    });
    const fields = actionFields('propose', dup, 'reverse-entry');
    const entries = fields.find((f) => f.path === 'resolution.entryIds');
    expect(entries?.options).toEqual([
      { value: 'F1', label: 'F1' },
      { value: 'F2', label: 'F2 (重复)' },
    ]);
    expect(actionBody('propose', fields, { 'resolution.entryIds': ['F2'] }, 2, 'reverse-entry')).toEqual({
      type: 'propose',
      resolution: { action: 'reverse-entry', entryIds: ['F2'] },
      version: 2,
    });
  });

  it('names the missing and malformed fields by their path, before anything is sent', () => {
    const voucher = actionFields('propose', kase, 'supplement-voucher');
    const values = { 'resolution.amount': '12.345' };
    expect(checkForm(voucher, values, actionBody('propose', voucher, values, 2)).problems).toEqual({
      'resolution.voucherRef': '必填',
      'resolution.amount': '请输入金额(最多两位小数)',
    });

    // The API's own schema: a negative unit cost, and "other" without its text.
    const price = actionFields('propose', kase, 'adjust-price');
    const bad = { 'resolution.unitCost': '-1', 'rootCause.code': 'other' };
    const checked = checkForm(price, bad, actionBody('propose', price, bad, 2, 'adjust-price'));
    expect(checked.action).toBeUndefined();
    expect(checked.problems['resolution.unitCost']).toContain('must not be negative');
    expect(checked.problems['rootCause.text']).toContain('required');
  });

  it('asks for a root cause to close only when the case has none', () => {
    expect(actionFields('close', inReviewCase()).find((f) => f.path === 'rootCause.code')?.required).toBe(
      true,
    );
    const named = actionFields('close', proposedCase());
    expect(named.find((f) => f.path === 'rootCause.code')).toMatchObject({
      required: false,
      fallback: '凭证缺失',
    });
  });
});

/** A one-sided case with what diagnosis found (CONTRACT §11). */
function diagnosedCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  const base = inReviewCase({ allowedActions: ['comment', 'propose', 'close', 'link'] });
  return {
    ...base,
    facts: {
      ...base.facts,
      suggestedMatches: [
        {
          documentRef: 'DOC-0000153 ',
          sku: 'SKU-00065',
          score: 0.97,
          reason: 'documentRef "DOC-0000153 " differs only in spacing from "DOC-0000153"',
          reasonZh: '单据号 "DOC-0000153 " 与 "DOC-0000153" 仅空格不同',
        },
      ],
      predictedCause: {
        code: 'wrong-reference',
        confidence: 0.82,
        basis: 'suggested yes: 14 of 15 closed cases were wrong-reference',
        basisZh: '疑似匹配 yes:15 个已关闭案件中 14 个为单据号或物料编码录入错误',
      },
      clearingProbability: 0.35,
    },
    ...overrides,
  };
}

describe('diagnosis beside the discrepancy (CONTRACT §11)', () => {
  it('shows the suggestions with their reason, the predicted cause and the clearing probability', () => {
    const el = shown(ready(diagnosedCase()), 'li.finance');
    const item = el.querySelector('[data-test="suggestions"] li');
    expect(item?.getAttribute('data-ref')).toBe('DOC-0000153 ');
    expect(item?.textContent).toContain('仅空格不同');
    expect(item?.querySelector('[data-test="accept-link"]')).not.toBeNull();
    expect(el.querySelector('[data-test="predicted-cause"]')?.textContent).toContain('82 %');
    expect(el.querySelector('[data-test="clearing-probability"]')?.textContent).toContain('35 %');
    // Without the link action (a role that may not propose) there is no accept button.
    const reader = shown(ready(diagnosedCase({ allowedActions: ['comment'] })), 'chen.it');
    expect(reader.querySelector('[data-test="accept-link"]')).toBeNull();
    // A case without diagnosis shows no section at all.
    expect(shown(ready(inReviewCase())).querySelector('[data-test="diagnosis"]')).toBeNull();
  });
});

describe('mountCasePanel against the API', () => {
  function fakeApi(behaviour: {
    case: () => Promise<CaseRecord>;
    act?: (caseId: string, body: unknown) => Promise<unknown>;
  }) {
    const calls: unknown[][] = [];
    const api = {
      case: (id: string) => (calls.push(['case', id]), behaviour.case()),
      trail: (id: string) => (calls.push(['trail', id]), Promise.resolve(TRAIL)),
      act: (id: string, body: unknown) => (
        calls.push(['act', id, body]),
        behaviour.act?.(id, body) ?? Promise.resolve({})
      ),
    } as unknown as Api;
    return { api, calls };
  }

  async function mounted(api: Api, username: string): Promise<HTMLElement> {
    const el = document.createElement('div');
    document.body.append(el);
    await mountCasePanel(api, el, GROUP, viewer(username));
    return el;
  }

  const settle = () => new Promise((r) => setTimeout(r, 20));
  const submit = (el: HTMLElement) =>
    el
      .querySelector<HTMLFormElement>('[data-test="action-form"]')
      ?.dispatchEvent(new Event('submit', { cancelable: true }));
  function type(el: HTMLElement, path: string, value: string): void {
    const input = el.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${path}"]`);
    if (input === null) throw new Error(`no field ${path}`);
    input.value = value;
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  }

  it('asks the API for the case by its id, the base64url of the group key', async () => {
    const { api, calls } = fakeApi({ case: () => Promise.resolve(proposedCase()) });
    await mounted(api, 'zhao.reviewer');
    expect(calls).toEqual([
      ['case', CASE_ID],
      ['trail', CASE_ID],
    ]);
  });

  it('renders "not available" on the gateway’s 404, and "no case yet" on the workflow’s', async () => {
    const gone = fakeApi({ case: () => Promise.reject(new NotAvailableError('/v1/cases/x')) });
    const none = fakeApi({ case: () => Promise.reject(new ApiError(404, 'no case', 'case_not_found')) });
    expect(
      (await mounted(gone.api, 'local')).querySelector('[data-test="workflow-unavailable"]'),
    ).not.toBeNull();
    expect((await mounted(none.api, 'local')).querySelector('[data-test="no-case"]')).not.toBeNull();
  });

  it('proposes through the form with the real payload and the version seen, then shows the case', async () => {
    let current = inReviewCase();
    const { api, calls } = fakeApi({
      case: () => Promise.resolve(current),
      act: () => ((current = proposedCase({ approvals: [] } as never)), Promise.resolve({})),
    });
    const el = await mounted(api, 'li.finance');

    el.querySelector<HTMLButtonElement>('[data-action="propose"]')?.click();
    type(el, 'resolution.voucherRef', 'V-2026-10-0153');
    type(el, 'rootCause.code', 'missing-voucher');
    submit(el);
    await settle();

    expect(calls.filter((c) => c[0] === 'act')).toEqual([
      [
        'act',
        CASE_ID,
        {
          type: 'propose',
          resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0153' },
          rootCause: { code: 'missing-voucher' },
          version: 2,
        },
      ],
    ]);
    expect(el.querySelector('[data-test="case-state"]')?.getAttribute('data-state')).toBe('PROPOSED');
    expect(el.querySelector('[data-test="journal"]')).not.toBeNull();
    expect(el.querySelector('[data-test="action-form"]')).toBeNull();
  });

  it('accepts a suggestion as a link, sending its codes verbatim; pre-fills a proposal with the predicted cause', async () => {
    const { api, calls } = fakeApi({ case: () => Promise.resolve(diagnosedCase()) });
    const el = await mounted(api, 'li.finance');

    el.querySelector<HTMLButtonElement>('[data-test="accept-link"]')?.click();
    expect(el.querySelector('[data-test="action-form"]')?.getAttribute('data-type')).toBe('link');
    submit(el);
    await settle();
    expect(calls.filter((c) => c[0] === 'act')).toEqual([
      ['act', CASE_ID, { type: 'link', documentRef: 'DOC-0000153 ', sku: 'SKU-00065', version: 2 }],
    ]);

    el.querySelector<HTMLButtonElement>('[data-action="propose"]')?.click();
    const chosen = el.querySelector('[name="rootCause.code"] option[selected]');
    expect(chosen?.getAttribute('value')).toBe('wrong-reference');
  });

  it('previews the entry Dr/Cr before submit, as the API books it, and numbers it as the API will', async () => {
    const { api, calls } = fakeApi({ case: () => Promise.resolve(inReviewCase()) });
    const el = await mounted(api, 'li.finance');

    el.querySelector<HTMLButtonElement>('[data-action="propose"]')?.click();
    await settle();
    const lines = () =>
      [...el.querySelectorAll('[data-test="entry-preview-lines"] tbody tr')].map((r) =>
        [...r.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
    // What the books lack (a shipment finance never booked): 借 主营业务成本 / 贷 库存商品.
    expect(lines()).toEqual([
      ['借', '6401 主营业务成本', '52,618.54'],
      ['贷', '1405 库存商品', '52,618.54'],
      ['', '合计', '52,618.54'],
    ]);
    // The system's number (case-decide.ts's entryIdFor: period, sha-256 of the group, next version).
    const note = () => el.querySelector('[data-test="entry-number-note"]')?.textContent ?? '';
    // Web Crypto answers asynchronously: the note names the number once it has.
    await vi.waitFor(() => expect(note()).toContain(entryIdFor(GROUP, '2026-10', 3)));
    expect(note()).toContain('您填写的凭证号');

    // An amount typed by the clerk moves the preview at once; a negative one swaps the sides.
    type(el, 'resolution.amount', '-100.5');
    expect(lines()).toEqual([
      ['借', '1405 库存商品', '100.50'],
      ['贷', '6401 主营业务成本', '100.50'],
      ['', '合计', '100.50'],
    ]);
    type(el, 'resolution.amount', '1.234');
    expect(el.querySelector('[data-test="preview-incomplete"]')?.textContent).toContain('resolution.amount');
    expect(calls.filter((c) => c[0] === 'act')).toEqual([]);
  });

  it('keeps the form and names the field when it is incomplete, sending nothing', async () => {
    const { api, calls } = fakeApi({ case: () => Promise.resolve(proposedCase()) });
    const el = await mounted(api, 'zhao.reviewer');

    el.querySelector<HTMLButtonElement>('[data-action="reject"]')?.click();
    submit(el);
    await settle();

    expect(calls.some((c) => c[0] === 'act')).toBe(false);
    expect(el.querySelector('[data-path="reason"] .problem')?.textContent).toBe('必填');
  });

  it('shows the maker-checker refusal (403 proposer_cannot_approve) plainly, with the API’s words', async () => {
    const { api } = fakeApi({
      case: () => Promise.resolve(proposedCase()),
      act: () =>
        Promise.reject(
          new ApiError(
            403,
            'li.finance proposed this resolution and cannot approve it: another person must (maker-checker)',
            'proposer_cannot_approve',
          ),
        ),
    });
    const el = await mounted(api, 'li.finance');
    el.querySelector<HTMLButtonElement>('[data-action="approve"]')?.click();
    submit(el);
    await settle();

    const error = el.querySelector('[data-test="action-error"]');
    expect(error?.getAttribute('data-code')).toBe('proposer_cannot_approve');
    expect(error?.textContent).toContain('提出方案的人不能批准自己的方案');
    expect(error?.textContent).toContain('cannot approve it');
    expect(el.querySelector('[data-test="case-state"]')?.getAttribute('data-state')).toBe('PROPOSED');
  });

  it('reads the case again on 409 version_conflict and says someone else moved it', async () => {
    let reads = 0;
    const { api } = fakeApi({
      case: () => Promise.resolve(proposedCase({ version: 4 + reads++ })),
      act: () =>
        Promise.reject(
          new ApiError(409, 'version: the case is at version 5, not 4; read it again', 'version_conflict'),
        ),
    });
    const el = await mounted(api, 'wang.lead');
    el.querySelector<HTMLButtonElement>('[data-action="approve"]')?.click();
    submit(el);
    await settle();

    expect(reads).toBe(2);
    expect(el.querySelector('[data-test="action-error"]')?.textContent).toContain('案件已被他人更新');
    expect(el.querySelector('[data-test="case-version"]')?.textContent).toMatch(/^5 /);
    expect(el.querySelector('[data-test="action-form"]')).toBeNull();
  });
});
