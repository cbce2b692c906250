// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it } from 'vitest';
import { closeCheck } from '../../lib/core/cases/close-check.js';
import { Api, type OpenCasesSummary, type OpenSeverityFigures } from '../src/api.js';
import { setLanguage } from '../src/i18n.js';
import { fetchOpenRed, openRedOf } from '../src/open-red.js';
import { closePanel, closingPeriod } from '../src/views/overview.js';

afterEach(() => setLanguage('zh'));

function summaryWith(red: Partial<OpenSeverityFigures>): OpenCasesSummary {
  const none: OpenSeverityFigures = {
    count: 0,
    byAge: { '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0 },
    oldest: null,
  };
  return {
    asOf: '2026-11-25T21:00:00.000Z',
    warehouseId: null,
    states: ['OPEN', 'IN_REVIEW', 'PROPOSED', 'REJECTED'],
    bySeverity: { RED: { ...none, ...red }, YELLOW: { ...none, count: 7 }, GREEN: none },
  };
}

describe('open RED cases on the overview', () => {
  const oldest = {
    caseId: 'V0gtMDF8QXwy',
    groupKey: 'WH-01|A|2',
    firstSeen: '2026-10-01T00:00:00.000Z',
    ageDays: 55,
  };

  it('takes the RED figures of the API’s summary: the count, the ages and the oldest one’s days', () => {
    const summary = summaryWith({
      count: 100_000,
      byAge: { '0-1': 10, '2-7': 20, '8-30': 30, '>30': 99_940 },
      oldest,
    });
    expect(openRedOf(summary)).toEqual({
      count: 100_000,
      byAge: { '0-1': 10, '2-7': 20, '8-30': 30, '>30': 99_940 },
      oldest: { groupKey: 'WH-01|A|2', firstSeen: '2026-10-01T00:00:00.000Z', days: 55 },
    });
    // Not the YELLOW ones, and no oldest when nothing is open.
    expect(openRedOf(summaryWith({}))).toEqual({
      count: 0,
      byAge: { '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0 },
    });
  });

  it('asks the API for its summary once, never paging through the cases', async () => {
    let summaries = 0;
    let lists = 0;
    const api = {
      casesSummary: (warehouseId?: string) => {
        expect(warehouseId).toBeUndefined();
        summaries += 1;
        return Promise.resolve(summaryWith({ count: 3, oldest }));
      },
      cases: () => {
        lists += 1;
        return Promise.resolve({ items: [], cursor: null });
      },
    } as unknown as Api;
    expect(await fetchOpenRed(api)).toMatchObject({ count: 3, oldest: { days: 55 } });
    expect({ summaries, lists }).toEqual({ summaries: 1, lists: 0 });
  });

  it('asks GET /v1/cases/summary, with the warehouse when one is given', async () => {
    const paths: string[] = [];
    const fetcher = (url: string | URL | Request) => {
      paths.push(String(url));
      return Promise.resolve(new Response(JSON.stringify(summaryWith({}))));
    };
    const api = new Api({ baseUrl: '', token: () => 'tok', fetch: fetcher as typeof fetch });
    await api.casesSummary();
    await api.casesSummary('WH-上海-02');
    expect(paths).toEqual([
      '/v1/cases/summary',
      `/v1/cases/summary?warehouseId=${encodeURIComponent('WH-上海-02')}`,
    ]);
  });
});

describe('the period-close panel', () => {
  it('checks the last month that has ended as of the latest run, in the run’s time zone', () => {
    expect(closingPeriod('2026-11-02T00:00:00.000Z', 'UTC')).toBe('2026-10');
    expect(closingPeriod('2027-01-01T00:00:00.000Z', 'UTC')).toBe('2026-12');
    // 1 March 00:30 in Shanghai is still 28 February in UTC.
    expect(closingPeriod('2026-02-28T16:30:00.000Z', 'Asia/Shanghai')).toBe('2026-02');
    expect(closingPeriod('2026-02-28T16:30:00.000Z', 'UTC')).toBe('2026-01');
  });

  it('shows the verdict, the period’s cases by state and each blocker with a link to it', () => {
    const check = closeCheck('2026-10', [
      {
        caseId: 'x',
        groupKey: 'WH-03|SKU-00017|DOC-0000075',
        state: 'OPEN',
        severity: 'RED',
        owner: 'wang.lead',
        moneyAtStake: '52814.77',
      },
      {
        caseId: 'y',
        groupKey: 'WH-10|SKU-00065|DOC-0000153',
        state: 'PROPOSED',
        severity: 'RED',
        owner: 'li.finance',
        moneyAtStake: '52618.54',
      },
      {
        caseId: 'z',
        groupKey: 'WH-01|SKU-1|DOC-1',
        state: 'OPEN',
        severity: 'GREEN',
        owner: 'li.finance',
        moneyAtStake: '1.00',
      },
    ]);
    const el = document.createElement('div');
    render(
      closePanel('2026-10', { check }, 'run-1', () => {}),
      el,
    );

    expect(el.querySelector('[data-test="close-verdict"]')?.textContent?.trim()).toBe('暂不能结账');
    expect(el.querySelector('[data-test="close-counts"]')?.textContent?.replace(/\s+/g, ' ')).toContain(
      '待处理 2 · 待审批 1',
    );
    const rows = [...el.querySelectorAll('[data-test="blockers"] tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-reason'))).toEqual(['open-red-case', 'unapproved-proposal']);
    expect(rows[1]?.querySelector('a')?.getAttribute('href')).toBe(
      `#/d/run-1/${encodeURIComponent('WH-10|SKU-00065|DOC-0000153')}`,
    );
    expect(rows[1]?.querySelector('td.num')?.textContent).toBe('52,618.54');
  });

  it('says a period with nothing open may close', () => {
    const el = document.createElement('div');
    render(
      closePanel('2026-11', { check: closeCheck('2026-11', []) }, 'run-1', () => {}),
      el,
    );
    expect(el.querySelector('[data-test="close-verdict"]')?.getAttribute('data-can-close')).toBe('true');
  });
});
