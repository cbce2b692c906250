// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api, CaseQuery, ListQuery, RunDiscrepancy } from '../src/api.js';
import type { Context } from '../src/context.js';
import { setLanguage } from '../src/i18n.js';
import { parseRoute, type ListRoute, type Route } from '../src/routes.js';
import { renderList } from '../src/views/list.js';
import { RUNS } from './run-fixtures.js';

/**
 * The list as a finance clerk works it (issue 19): a search by document or sku, the totals of the
 * whole filtered set (every page, summed exactly), and the CSV of exactly that set.
 */
const discrepancy = (n: number): RunDiscrepancy =>
  ({
    groupKey: `WH-0${n % 2}|SKU-${n % 7}|DOC-${n}`,
    kind: n % 3 === 0 ? 'AMOUNT_MISMATCH' : 'MISSING_IN_FINANCE',
    severity: n % 5 === 0 ? 'RED' : 'GREEN',
    warehouseId: `WH-0${n % 2}`,
    sku: `SKU-${n % 7}`,
    documentRef: n === 13 ? '=cmd|calc' : `DOC-${n}`,
    quantityDelta: String(n - 60),
    amountDelta: n % 4 === 0 ? null : `${n}.1`,
    // 0.1 + 0.2 + ...: a binary float would drift, the exact sum does not.
    moneyAtStake: `${n}.1`,
    state: 'NEW',
    ageBucket: '0-1',
    firstSeen: '2026-11-24T16:00:00.000Z',
    lastSeen: '2026-11-25T07:45:00.000Z',
  }) as unknown as RunDiscrepancy;

/** 120 discrepancies, answered 37 at a time whatever the limit (a short page goes on by cursor). */
const ALL = Array.from({ length: 120 }, (_, i) => discrepancy(i + 1));

let asked: { runId: string; q: ListQuery }[];
let casesAsked: CaseQuery[];
let saved: { name: string; text: Promise<string> }[];
let el: HTMLElement;

function page<T>(items: readonly T[], q: { cursor?: string; limit?: number }) {
  const from = Number(q.cursor ?? '0');
  const to = Math.min(items.length, from + Math.min(q.limit ?? 100, 37));
  return { items: items.slice(from, to), cursor: to < items.length ? String(to) : null };
}

function context(route: Route, period?: string): Context {
  const api = {
    heatMap: () => Promise.resolve({ warehouses: ['WH-00', 'WH-01'] }),
    discrepancies: (runId: string, q: ListQuery) => {
      asked.push({ runId, q });
      const kept = ALL.filter((d) => q.severity === undefined || d.severity === q.severity);
      return Promise.resolve(page(kept, q));
    },
    cases: (q: CaseQuery) => {
      casesAsked.push(q);
      // As the cases API does: 400 past 500 a page.
      if ((q.limit ?? 50) > 500) return Promise.reject(new Error('limit: at most 500'));
      return Promise.resolve({ items: [], cursor: null });
    },
  } as unknown as Api;
  return {
    api,
    config: { mode: 'local', apiUrl: '' },
    session: { token: 't', username: 'li.finance', roles: ['finance-specialist'] },
    navigate: () => route,
    runs: () => Promise.resolve(RUNS),
    workflow: () => Promise.resolve(true),
    users: () => Promise.resolve([]),
    current: () => true,
    period,
    periods: () => Promise.resolve(undefined),
  };
}

const listAt = (hash: string) => parseRoute(hash) as ListRoute;
const cells = (selector: string) =>
  [...el.querySelectorAll(selector)].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim());

beforeEach(() => {
  asked = [];
  casesAsked = [];
  saved = [];
  el = document.createElement('div');
  document.body.append(el);
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    saved.push({ name: '', text: (blob as Blob).text() });
    return 'blob:x';
  });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const last = saved[saved.length - 1];
    if (last !== undefined) last.name = this.download;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  setLanguage('zh');
  document.body.innerHTML = '';
});

describe('the list of a run', () => {
  it('shows a page, with the totals of the whole filtered set beneath it, summed exactly', async () => {
    const route = listAt('#/list?severity=RED');
    await renderList(context(route), el, route);

    const red = ALL.filter((d) => d.severity === 'RED');
    expect(el.querySelectorAll('[data-test="discrepancy-table"] tbody tr')).toHaveLength(red.length);
    expect(el.querySelector('[data-test="totals"]')?.getAttribute('data-count')).toBe('24');
    // 5.1 + 10.1 + ... + 120.1: 1,500 + 24 x 0.1, exactly.
    expect(cells('[data-test="totals"] [data-sum="moneyAtStake"]')).toEqual(['1,502.40']);
    expect(cells('[data-test="totals"] [data-sum="quantityDelta"]')).toEqual([String(1500 - 24 * 60)]);
    // Every request carried the run and the filter (the headline run, not the newer ad-hoc one).
    expect(new Set(asked.map((a) => `${a.runId} ${a.q.severity}`))).toEqual(
      new Set(['continuous-20261125 RED']),
    );
  });

  it('searches by document or sku over the whole filtered set, not only the page shown', async () => {
    const route = listAt('#/list?q=doc-11');
    await renderList(context(route), el, route);

    const groups = [...el.querySelectorAll('[data-test="discrepancy-table"] tbody tr')].map((r) =>
      r.getAttribute('data-group'),
    );
    // DOC-11 and DOC-110 ... DOC-119: some of them lie past the first page.
    expect(groups).toEqual(ALL.filter((d) => d.documentRef.startsWith('DOC-11')).map((d) => d.groupKey));
    expect(groups).toHaveLength(11);
    expect(el.querySelector('[data-test="search-count"]')?.textContent).toContain('11');
    expect(el.querySelector('[data-test="next"]')).toBeNull();
    // 11.1 + 110.1 + ... + 119.1, exactly.
    expect(cells('[data-test="totals"] [data-sum="moneyAtStake"]')).toEqual(['1,157.10']);

    const bySku = listAt('#/list?q=SKU-3');
    await renderList(context(bySku), el, bySku);
    expect(el.querySelector('[data-test="totals"]')?.getAttribute('data-count')).toBe(
      String(ALL.filter((d) => d.sku === 'SKU-3').length),
    );
  });

  it('exports exactly the filtered view: its rows and columns, the BOM, formula text neutralised', async () => {
    const route = listAt('#/list?q=doc-1');
    await renderList(context(route), el, route);
    el.querySelector<HTMLButtonElement>('[data-test="export-filtered"]')?.click();

    expect(saved).toHaveLength(1);
    expect(saved[0]?.name).toBe('discrepancies-continuous-20261125.csv');
    const text = await saved[0]!.text;
    const lines = text.split('\r\n');
    expect(text.startsWith('\uFEFF严重程度,')).toBe(true);
    const shown = ALL.filter((d) => d.documentRef.toLowerCase().includes('doc-1'));
    expect(lines).toHaveLength(shown.length + 2);
    expect(lines[1]).toBe(
      '绿灯,财务缺失(WMS有记录),WH-01,SKU-1,DOC-1,-59,1.1,1.1,新增,0–1 天,2026-11-25 00:00',
    );
    // No amount difference: an empty cell, not 0.
    expect(lines.find((l) => l.includes(',DOC-12,'))).toBe(
      '绿灯,金额差异,WH-00,SKU-5,DOC-12,-48,,12.1,新增,0–1 天,2026-11-25 00:00',
    );
    expect(lines.filter((l) => l.includes('=cmd'))).toEqual([]);
  });

  it('neutralises a document that a spreadsheet would run as a formula', async () => {
    const route = listAt('#/list?q=cmd');
    await renderList(context(route), el, route);
    el.querySelector<HTMLButtonElement>('[data-test="export-filtered"]')?.click();
    const text = await saved[0]!.text;
    expect(text.split('\r\n')[1]).toContain(",'=cmd|calc,");
  });

  it('lists the chosen period’s cases when a case filter is set', async () => {
    const route = listAt('#/list?caseState=OPEN');
    await renderList(context(route, '2026-10'), el, route);
    expect(casesAsked.length).toBeGreaterThan(0);
    expect(casesAsked.every((q) => q.period === '2026-10' && q.state === 'OPEN')).toBe(true);
    // The set behind the totals read at the cases API's largest page, never past it.
    expect(casesAsked.map((q) => q.limit)).toEqual([50, 500]);
  });
});
