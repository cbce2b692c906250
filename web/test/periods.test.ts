// @vitest-environment happy-dom
import { render } from 'lit-html';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NotAvailableError, type Api, type PeriodList } from '../src/api.js';
import { setLanguage } from '../src/i18n.js';
import {
  mountPeriods,
  periodsChartOption,
  periodsView,
  rate,
  type PeriodsHandlers,
} from '../src/views/periods.js';
import { PERIODS } from './run-fixtures.js';

afterEach(() => {
  setLanguage('zh');
  document.body.innerHTML = '';
});

const noop: PeriodsHandlers = { lock() {}, reason() {} };
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function shown(list: PeriodList): HTMLElement {
  const el = document.createElement('div');
  render(periodsView({ status: 'ready', list, locks: {} }, 'Asia/Shanghai', noop), el);
  return el;
}

describe('the periods view', () => {
  it('shows the seed’s two KPIs: the latest beside the earliest (15 days to 2, 12 % to 0.8 %)', () => {
    const el = shown(PERIODS);
    // Days to close are known once a period is locked: September, against August.
    expect(text(el.querySelector('[data-test="kpi-close-days"] .label'))).toContain('2026-09');
    expect(text(el.querySelector('[data-test="kpi-close-days"] .value'))).toBe('2 天');
    expect(text(el.querySelector('[data-test="kpi-close-days"] .sub'))).toBe('最早 2026-08:15 天');
    // The error rate once it is closed: October, against August.
    expect(text(el.querySelector('[data-test="kpi-error-rate"] .label'))).toContain('2026-10');
    expect(text(el.querySelector('[data-test="kpi-error-rate"] .value'))).toBe('0.80 %');
    expect(text(el.querySelector('[data-test="kpi-error-rate"] .sub'))).toBe('最早 2026-08:12.00 %');
  });

  it('lists every period newest first with its exact figures, and a lock button where it can be locked', () => {
    const el = shown(PERIODS);
    const rows = [...el.querySelectorAll('[data-test="periods-table"] tbody tr')];
    expect(rows.map((r) => [r.getAttribute('data-period'), text(r.children[1])])).toEqual([
      ['2026-11', '未结账'],
      ['2026-10', '已结账'],
      ['2026-09', '已锁定'],
      ['2026-08', '已锁定'],
    ]);
    expect(rows.map((r) => text(r.querySelector('[data-test="error-rate"]')))).toEqual([
      '—',
      '0.80 %',
      '0.80 %',
      '12.00 %',
    ]);
    expect(rows.map((r) => text(r.querySelector('[data-test="close-days"]')))).toEqual(['—', '—', '2', '15']);
    // No close yet: nothing to lock; locked: a badge, no button, and the override's reason.
    expect(rows[0]?.querySelector<HTMLButtonElement>('[data-test="lock"]')?.disabled).toBe(true);
    expect(rows[1]?.querySelector<HTMLButtonElement>('[data-test="lock"]')?.disabled).toBe(false);
    expect(rows[2]?.querySelector('[data-test="lock"]')).toBeNull();
    expect(text(rows[2])).toContain('zhao.reviewer');
    expect(text(rows[2])).toContain('盘点差异已另行审批');
  });

  it('charts the months oldest first: close days as bars, the error rate as a line of the exact figures', () => {
    const option = periodsChartOption(PERIODS) as {
      xAxis: { data: string[] };
      series: { data: (number | null)[] }[];
    };
    expect(option.xAxis.data).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
    expect(option.series[0]?.data).toEqual([15, 2, null, null]);
    expect(option.series[1]?.data.map((v) => (v === null ? null : Number(v.toFixed(2))))).toEqual([
      12,
      0.8,
      0.8,
      null,
    ]);
  });

  it('shows an error rate to two places, rounded half up from the API’s exact fraction', () => {
    expect([rate('0.076389'), rate('0.076349'), rate('0.008'), rate('1'), rate('0'), rate(null)]).toEqual([
      '7.64 %',
      '7.63 %',
      '0.80 %',
      '100.00 %',
      '0.00 %',
      '—',
    ]);
  });

  it('speaks English', () => {
    setLanguage('en');
    const el = shown(PERIODS);
    expect(text(el.querySelector('[data-test="kpi-close-days"] .value'))).toBe('2 days');
    expect(text(el.querySelector('[data-test="periods-table"] tbody tr'))).toContain('Open');
  });
});

describe('mountPeriods against the API', () => {
  const settle = () => new Promise((r) => setTimeout(r, 10));

  it('says the API has no periods yet when GET /v1/periods answers 404', async () => {
    const el = document.createElement('div');
    const api = { periods: () => Promise.reject(new NotAvailableError('/v1/periods')) } as unknown as Api;
    await mountPeriods(api, el, 'UTC', () => Promise.resolve(undefined));
    expect(el.querySelector('[data-test="no-periods-api"]')).not.toBeNull();
    expect(el.querySelector('[data-test="periods-table"]')).toBeNull();
  });

  it('offers the override when the close-check refuses the lock (409), and locks with the reason given', async () => {
    const calls: [string, string | undefined][] = [];
    let locked = false;
    const after: PeriodList = {
      items: PERIODS.items.map((p) =>
        p.period === '2026-10'
          ? { ...p, status: 'locked' as const, lockedBy: 'zhao.reviewer', override: '金额已另行审批' }
          : p,
      ),
    };
    const api = {
      periods: () => Promise.resolve(locked ? after : PERIODS),
      lockPeriod: (period: string, reason?: string) => {
        calls.push([period, reason]);
        if (reason === undefined)
          return Promise.reject(
            new ApiError(409, 'close check failed: 1 blocker', 'close_check_failed', {
              blockers: [
                { groupKey: 'WH-01|SKU-1|DOC-1', reason: 'open-red-case', message: 'RED case open' },
              ],
            }),
          );
        locked = true;
        return Promise.resolve({});
      },
    } as unknown as Api;
    const el = document.createElement('div');
    document.body.append(el);
    await mountPeriods(api, el, 'UTC', () => api.periods());
    const row = () => el.querySelector('tr[data-period="2026-10"]');

    row()?.querySelector<HTMLButtonElement>('[data-test="lock"]')?.click();
    await settle();
    expect(text(row()?.querySelector('[data-test="lock-blocked"] .notice'))).toContain(
      'close check failed: 1 blocker',
    );
    expect(text(row()?.querySelector('[data-test="lock-blockers"]'))).toBe(
      'WH-01|SKU-1|DOC-1 · 红灯案件未结',
    );
    const override = () => row()?.querySelector<HTMLButtonElement>('[data-test="lock-override"]');
    expect(override()?.disabled).toBe(true);
    const reason = row()?.querySelector<HTMLTextAreaElement>('[name="overrideReason"]');
    if (reason == null) throw new Error('no reason field');
    reason.value = ' 金额已另行审批 ';
    reason.dispatchEvent(new Event('input'));
    expect(override()?.disabled).toBe(false);
    override()?.click();
    await settle();

    expect(calls).toEqual([
      ['2026-10', undefined],
      ['2026-10', '金额已另行审批'],
    ]);
    expect(row()?.getAttribute('data-status')).toBe('locked');
    expect(text(row())).toContain('金额已另行审批');
    expect(el.querySelector('[data-test="lock-done"]')).not.toBeNull();
  });

  it('does not offer the override for a period another reviewer locked meanwhile', async () => {
    const api = {
      periods: () => Promise.resolve(PERIODS),
      lockPeriod: () => Promise.reject(new ApiError(409, 'period 2026-10 is locked', 'period_locked')),
    } as unknown as Api;
    const el = document.createElement('div');
    await mountPeriods(api, el, 'UTC', () => api.periods());
    el.querySelector<HTMLButtonElement>('tr[data-period="2026-10"] [data-test="lock"]')?.click();
    await settle();
    expect(el.querySelector('[data-test="lock-blocked"]')).toBeNull();
    expect(text(el.querySelector('[data-test="lock-error"]'))).toContain('period 2026-10 is locked');
  });

  it('says a lock needs the finance reviewer when the API answers 403', async () => {
    const api = {
      periods: () => Promise.resolve(PERIODS),
      lockPeriod: () => Promise.reject(new ApiError(403, 'needs finance-reviewer', 'forbidden')),
    } as unknown as Api;
    const el = document.createElement('div');
    await mountPeriods(api, el, 'UTC', () => api.periods());
    el.querySelector<HTMLButtonElement>('tr[data-period="2026-10"] [data-test="lock"]')?.click();
    await settle();
    expect(text(el.querySelector('[data-test="lock-error"]'))).toBe('锁定期间需要财务复核角色。');
  });
});

describe('periods that were never closed', () => {
  it('say so instead of drawing an empty chart', () => {
    const el = shown({ items: [PERIODS.items[0]!] });
    expect(el.querySelector('[data-test="periods-chart"]')).toBeNull();
    expect(text(el.querySelector('.card'))).toContain('还没有结过账的期间');
  });
});
