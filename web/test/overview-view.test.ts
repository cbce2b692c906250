// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type Api, type CaseQuery } from '../src/api.js';
import type { Context } from '../src/context.js';
import { setLanguage } from '../src/i18n.js';
import { renderOverview } from '../src/views/overview.js';
import { PERIODS, RUNS } from './run-fixtures.js';

afterEach(() => {
  setLanguage('zh');
  document.body.innerHTML = '';
});

const none = { count: 0, byAge: { '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0 }, oldest: null };

function context(period: string | undefined, asked: { heat: string[]; cases: CaseQuery[] }): Context {
  const api = {
    heatMap: (runId: string) => {
      asked.heat.push(runId);
      return Promise.reject(new ApiError(500, 'not in this test'));
    },
    closeCheck: (p: string) => Promise.resolve({ period: p, canClose: true, cases: {}, blockers: [] }),
    casesSummary: () =>
      Promise.resolve({
        asOf: '',
        warehouseId: null,
        states: [],
        bySeverity: { RED: { ...none, count: 9 }, YELLOW: none, GREEN: none },
      }),
    cases: (q: CaseQuery) => {
      asked.cases.push(q);
      // As the cases API does: 400 past 500 a page.
      if ((q.limit ?? 50) > 500)
        return Promise.reject(new ApiError(400, 'limit: at most 500', 'invalid_request'));
      return Promise.resolve({
        items: [
          { groupKey: 'WH-01|A|1', ageBucket: '8-30', firstSeen: '2026-10-03T00:00:00.000Z', ageDays: 20 },
          { groupKey: 'WH-01|A|2', ageBucket: '2-7', firstSeen: '2026-10-20T00:00:00.000Z', ageDays: 5 },
        ],
        cursor: null,
      });
    },
  } as unknown as Api;
  return {
    api,
    config: { mode: 'local', apiUrl: '' },
    session: { token: 't', username: 'li.finance', roles: [] },
    navigate: () => undefined,
    runs: () => Promise.resolve(RUNS),
    workflow: () => Promise.resolve(true),
    users: () => Promise.resolve([]),
    current: () => true,
    period,
    periods: () => Promise.resolve(PERIODS),
  };
}

const value = (el: HTMLElement, test: string) =>
  (el.querySelector(`[data-test="${test}"] .value`)?.textContent ?? '').trim();

describe('the overview', () => {
  it('heads the live view with the latest unscoped run, and says the ad-hoc run is kept apart', async () => {
    const el = document.createElement('div');
    const asked = { heat: [] as string[], cases: [] as CaseQuery[] };
    await renderOverview(context(undefined, asked), el);

    expect(el.querySelector('[data-test="latest-run"]')?.textContent).toContain('continuous-20261125');
    expect(value(el, 'kpi-rate')).toBe('97.12 %');
    expect(value(el, 'kpi-groups')).toBe('3,000');
    expect(el.querySelector('[data-test="scoped-note"]')?.textContent).toContain('1');
    expect(asked.heat).toEqual(['continuous-20261125']);
    // Live: the open RED cases as the API's summary counts them.
    expect(value(el, 'kpi-open-red')).toBe('9');
  });

  it('answers a chosen period from its latest close, its close check and its own open RED cases', async () => {
    const el = document.createElement('div');
    const asked = { heat: [] as string[], cases: [] as CaseQuery[] };
    await renderOverview(context('2026-10', asked), el);

    expect(el.querySelector('[data-test="latest-run"]')?.textContent).toContain('close-202610');
    expect(value(el, 'kpi-rate')).toBe('99.20 %');
    expect(value(el, 'kpi-money')).toBe('8,000.25');
    expect(el.querySelector<HTMLInputElement>('[data-test="close-period"]')?.value).toBe('2026-10');
    expect(el.querySelector('[data-test="scoped-note"]')).toBeNull();
    expect(asked.cases.map((q) => [q.period, q.severity])).toEqual([['2026-10', 'RED']]);
    expect(value(el, 'kpi-open-red')).toBe('2');
  });

  it('says the chosen period has no run yet, not that there are no runs at all', async () => {
    const el = document.createElement('div');
    await renderOverview(context('2026-07', { heat: [], cases: [] }), el);
    expect(el.querySelector('[data-test="no-runs"]')?.textContent).toContain('期间 2026-07 还没有对账运行');
  });
});
