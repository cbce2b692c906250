// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it } from 'vitest';
import { closeCheck } from '../../lib/core/close-check.js';
import type { Api } from '../src/api.js';
import type { CaseSummary } from '../src/case-types.js';
import { setLanguage } from '../src/i18n.js';
import { fetchOpenRed, summarizeOpenRed } from '../src/open-red.js';
import { closePanel, closingPeriod } from '../src/views/overview.js';
import { proposedCase } from './case-fixtures.js';

afterEach(() => setLanguage('zh'));

function kase(
  groupKey: string,
  state: CaseSummary['state'],
  severity: string,
  firstSeen: string,
  ageBucket: string,
) {
  const { facts: _facts, ...rest } = proposedCase({ groupKey, state, severity, firstSeen, ageBucket });
  return rest as CaseSummary;
}

describe('open RED cases on the overview', () => {
  const now = '2026-11-25T21:00:00.000Z';
  const cases = [
    kase('WH-01|A|1', 'OPEN', 'RED', '2026-11-02T00:00:00.000Z', '8-30'),
    kase('WH-01|A|2', 'PROPOSED', 'RED', '2026-10-01T00:00:00.000Z', '>30'),
    kase('WH-02|B|3', 'REJECTED', 'RED', '2026-11-24T00:00:00.000Z', '0-1'),
    kase('WH-02|B|4', 'APPROVED', 'RED', '2026-09-01T00:00:00.000Z', '>30'),
    kase('WH-02|B|5', 'CLOSED', 'RED', '2026-09-01T00:00:00.000Z', '>30'),
    kase('WH-03|C|6', 'OPEN', 'YELLOW', '2026-08-01T00:00:00.000Z', '>30'),
  ];

  it('counts the RED cases still being worked, by state and age, with the oldest one’s days', () => {
    expect(summarizeOpenRed(cases, now, true)).toEqual({
      count: 3,
      complete: true,
      byState: { OPEN: 1, PROPOSED: 1, REJECTED: 1 },
      byAge: { '0-1': 1, '2-7': 0, '8-30': 1, '>30': 1 },
      oldest: { groupKey: 'WH-01|A|2', firstSeen: '2026-10-01T00:00:00.000Z', days: 55 },
    });
    expect(summarizeOpenRed([], now, true)).toMatchObject({ count: 0, complete: true });
  });

  it('asks the cases API for exactly those, through its cursor, and says "at least" past its pages', async () => {
    const asked: unknown[] = [];
    const api = {
      cases: (q: unknown) => {
        asked.push(q);
        return Promise.resolve({ items: cases.slice(0, 3), cursor: 'more' });
      },
    } as unknown as Api;
    const open = await fetchOpenRed(api, now, 2);
    expect(asked).toEqual([
      { severity: 'RED', state: 'OPEN,IN_REVIEW,PROPOSED,REJECTED', limit: 500 },
      { severity: 'RED', state: 'OPEN,IN_REVIEW,PROPOSED,REJECTED', limit: 500, cursor: 'more' },
    ]);
    expect(open).toMatchObject({ count: 6, complete: false });
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
