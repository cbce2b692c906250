import { html, nothing, render, type TemplateResult } from 'lit-html';
import { ApiError, type Api, type PeriodList, type PeriodView } from '../api.js';
import { draw, type ChartOption } from '../charts.js';
import type { Context } from '../context.js';
import { formatCount, formatInstant, formatMoney, formatRate } from '../format.js';
import { t, type MessageKey } from '../i18n.js';
import { routeHash } from '../routes.js';
import { loading, problem } from './common.js';

/**
 * The periods (issue 15): each month's status, its latest close's figures and the lock, and the
 * seed's two KPIs month over month (days to close, error rate). `periodsView` is a pure view of
 * `PeriodsState`; `renderPeriods` loads and locks through the API. A lock the close-check refuses
 * (409) offers the override, which needs a reason; while GET /v1/periods answers 404 the view says
 * the API has no periods yet.
 */
export type LockState =
  | { status: 'busy' }
  | { status: 'blocked'; message: string; reason: string }
  | { status: 'done' }
  | { status: 'error'; error: unknown };

export type PeriodsState =
  | { status: 'loading' }
  | { status: 'unavailable' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; list: PeriodList; locks: Record<string, LockState> };

export interface PeriodsHandlers {
  lock(period: string, overrideReason?: string): void;
  reason(period: string, text: string): void;
}

const STATUS_LABEL: Record<PeriodView['status'], MessageKey> = {
  OPEN: 'periodOpenStatus',
  CLOSED: 'periodClosed',
  LOCKED: 'periodLocked',
};

export const periodStatusLabel = (status: PeriodView['status']): string => t(STATUS_LABEL[status]);

/** Oldest first: the order a month-over-month chart reads in. */
const chronological = (list: PeriodList): PeriodView[] =>
  [...list.items].sort((a, b) => a.period.localeCompare(b.period));

export function periodsChartOption(list: PeriodList): ChartOption {
  const months = chronological(list);
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const i = (params as { dataIndex: number }[])[0]?.dataIndex ?? 0;
        const p = months[i];
        if (p === undefined) return '';
        return `${p.period}<br/>${t('closeDays')}: ${p.closeDays ?? '—'}<br/>${t('errorRate')}: ${formatRate(p.errorRate)}`;
      },
    },
    legend: { data: [t('closeDays'), t('errorRate')], top: 0 },
    grid: { left: 60, right: 60, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: months.map((p) => p.period) },
    yAxis: [
      { type: 'value', name: t('days'), minInterval: 1 },
      { type: 'value', name: '%', splitLine: { show: false } },
    ],
    series: [
      {
        name: t('closeDays'),
        type: 'bar',
        data: months.map((p) => p.closeDays),
        itemStyle: { color: '#1f5fa8' },
        barMaxWidth: 36,
        label: { show: true, position: 'top' },
      },
      {
        name: t('errorRate'),
        type: 'line',
        yAxisIndex: 1,
        // A plotted point only: the table and the tooltip show the API's exact fraction.
        data: months.map((p) => Number(p.errorRate) * 100),
        itemStyle: { color: '#c8102e' },
        label: {
          show: true,
          formatter: (p: unknown) => formatRate(months[(p as { dataIndex: number }).dataIndex]?.errorRate),
        },
        z: 3,
      },
    ],
  };
}

/** The seed's two KPIs: the latest closed period beside the earliest, as the API measured them. */
function kpis(list: PeriodList): TemplateResult {
  const closed = chronological(list).filter((p) => p.closeRunId !== null);
  const first = closed[0];
  const last = closed[closed.length - 1];
  if (first === undefined || last === undefined) return html`<p class="muted">${t('periodRunNone')}</p>`;
  const tile = (label: string, value: string, from: string, test: string) =>
    html`<div class="kpi" data-test=${test}>
      <div class="label">${label}</div>
      <div class="value">${value}</div>
      ${first === last ? nothing : html`<div class="sub">${t('periodKpiFrom', { period: first.period, value: from })}</div>`}
    </div>`;
  const days = (p: PeriodView) => (p.closeDays === null ? '—' : `${p.closeDays} ${t('days')}`);
  return html`<div class="kpis">
    ${tile(`${t('periodKpiCloseDays')} · ${last.period}`, days(last), days(first), 'kpi-close-days')}
    ${tile(`${t('periodKpiErrorRate')} · ${last.period}`, formatRate(last.errorRate), formatRate(first.errorRate), 'kpi-error-rate')}
  </div>`;
}

function lockCell(p: PeriodView, lock: LockState | undefined, h: PeriodsHandlers): TemplateResult {
  if (p.status === 'LOCKED')
    return html`<span class="badge ok">${t('periodLocked')}</span>
      ${p.overrideReason === null ? nothing : html`<div class="muted small">${t('overrideUsed', { reason: p.overrideReason })}</div>`}`;
  const button = html`<button
    type="button"
    data-test="lock"
    ?disabled=${lock?.status === 'busy' || p.closeRunId === null}
    @click=${() => h.lock(p.period)}
  >
    ${t('lockPeriod')}
  </button>`;
  if (lock === undefined || lock.status === 'busy' || lock.status === 'done') return button;
  if (lock.status === 'error') {
    const forbidden = lock.error instanceof ApiError && lock.error.status === 403;
    return html`${button}
      <div class="error" data-test="lock-error">
        ${forbidden ? t('lockNeedsReviewer') : html`${t('lockFailed')} ${problem(lock.error)}`}
      </div>`;
  }
  return html`<div class="override" data-test="lock-blocked">
    <div class="notice">${t('lockBlocked', { period: p.period })} ${lock.message}</div>
    <label
      >${t('overrideReason')}
      <textarea
        name="overrideReason"
        rows="2"
        .value=${lock.reason}
        @input=${(e: Event) => h.reason(p.period, (e.target as HTMLTextAreaElement).value)}
      ></textarea>
    </label>
    <button
      type="button"
      class="primary"
      data-test="lock-override"
      ?disabled=${lock.reason.trim() === ''}
      @click=${() => h.lock(p.period, lock.reason.trim())}
    >
      ${t('lockWithOverride')}
    </button>
  </div>`;
}

function periodRow(p: PeriodView, lock: LockState | undefined, zone: string, h: PeriodsHandlers) {
  return html`<tr data-period=${p.period} data-status=${p.status}>
    <td><strong>${p.period}</strong></td>
    <td>${periodStatusLabel(p.status)}</td>
    <td>
      ${
        p.closeRunId === null
          ? '—'
          : html`<a
              href=${routeHash({ view: 'list', run: p.closeRunId, filters: {}, sort: 'stake-desc', cursors: [] })}
              >${p.closeRunId}</a
            >`
      }
    </td>
    <td>${formatInstant(p.closedAt, zone)}</td>
    <td class="num">${formatCount(p.groupsSeen)}</td>
    <td class="num">${formatCount(p.discrepancies)}</td>
    <td class="num" data-test="error-rate">${formatRate(p.errorRate)}</td>
    <td class="num">${formatMoney(p.moneyAtStake)}</td>
    <td class="num" data-test="close-days">${p.closeDays === null ? '—' : formatCount(p.closeDays)}</td>
    <td class="num">${formatCount(p.lateArrivals)}</td>
    <td>${p.lockedAt === null ? '—' : `${formatInstant(p.lockedAt, zone)} · ${p.lockedBy ?? ''}`}</td>
    <td>${lockCell(p, lock, h)}</td>
  </tr>`;
}

export function periodsView(state: PeriodsState, zone: string, h: PeriodsHandlers): TemplateResult {
  if (state.status === 'loading') return loading();
  if (state.status === 'unavailable')
    return html`<div class="card">
      <div class="notice" data-test="no-periods-api">${t('noPeriodsApi')}</div>
    </div>`;
  if (state.status === 'error') return problem(state.error);
  const { list, locks } = state;
  if (list.items.length === 0)
    return html`<div class="card"><p class="muted" data-test="no-periods">${t('noPeriods')}</p></div>`;
  const done = Object.entries(locks).find(([, l]) => l.status === 'done')?.[0];
  return html`<div class="card">
      <h2>${t('periodsTitle')}</h2>
      ${kpis(list)}
      ${done === undefined ? nothing : html`<div class="notice" data-test="lock-done">${t('lockedOk', { period: done })}</div>`}
    </div>
    <div class="card">
      <h2>${t('periodsChart')}</h2>
      <div class="chart" id="periods-chart" data-test="periods-chart"></div>
    </div>
    <div class="card">
      <div class="scroll">
        <table class="data" data-test="periods-table">
          <thead>
            <tr>
              <th>${t('periodPick')}</th>
              <th>${t('periodStatus')}</th>
              <th>${t('lastCloseRun')}</th>
              <th>${t('closedAt')}</th>
              <th class="num">${t('groupsSeen')}</th>
              <th class="num">${t('discrepancies')}</th>
              <th class="num">${t('errorRate')}</th>
              <th class="num">${t('moneyAtStake')}</th>
              <th class="num">${t('closeDays')}</th>
              <th class="num">${t('lateArrivals')}</th>
              <th>${t('lockedAt')} · ${t('lockedBy')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${list.items.map((p) => periodRow(p, locks[p.period], zone, h))}
          </tbody>
        </table>
      </div>
    </div>`;
}

/** The lock's refusal while the close-check fails: 409 (any other answer is an error to show). */
const blockedBy = (error: unknown): string | undefined =>
  error instanceof ApiError && error.status === 409 && !/locked/i.test(error.code ?? '')
    ? error.message
    : undefined;

/** Loads the periods into `el` and keeps the lock live. */
export async function mountPeriods(
  api: Pick<Api, 'periods' | 'lockPeriod'>,
  el: HTMLElement,
  zone: string,
  load: () => Promise<PeriodList | undefined>,
  current: () => boolean = () => true,
): Promise<void> {
  let state: PeriodsState = { status: 'loading' };
  const paint = (): void => {
    if (!current()) return;
    render(periodsView(state, zone, handlers), el);
    const chart = el.querySelector<HTMLElement>('#periods-chart');
    if (chart !== null && state.status === 'ready') draw(chart, periodsChartOption(state.list));
  };
  const setLock = (period: string, lock: LockState): void => {
    if (state.status !== 'ready') return;
    state = { ...state, locks: { ...state.locks, [period]: lock } };
  };
  const handlers: PeriodsHandlers = {
    reason: (period, text) => {
      const lock = state.status === 'ready' ? state.locks[period] : undefined;
      if (lock?.status !== 'blocked') return;
      setLock(period, { ...lock, reason: text });
      paint();
    },
    lock: (period, overrideReason) => void lock(period, overrideReason),
  };
  async function lock(period: string, overrideReason?: string): Promise<void> {
    setLock(period, { status: 'busy' });
    paint();
    try {
      await api.lockPeriod(period, overrideReason);
      const list = await api.periods();
      if (state.status === 'ready') state = { ...state, list, locks: { [period]: { status: 'done' } } };
    } catch (error) {
      const message = overrideReason === undefined ? blockedBy(error) : undefined;
      setLock(
        period,
        message === undefined ? { status: 'error', error } : { status: 'blocked', message, reason: '' },
      );
    }
    paint();
  }
  paint();
  try {
    const list = await load();
    state = list === undefined ? { status: 'unavailable' } : { status: 'ready', list, locks: {} };
  } catch (error) {
    state = { status: 'error', error };
  }
  paint();
}

export async function renderPeriods(ctx: Context, el: HTMLElement): Promise<void> {
  render(loading(), el);
  const runs = await ctx.runs().catch(() => []);
  const zone = runs.find((r) => r.summary !== null)?.summary?.timezone ?? 'UTC';
  if (!ctx.current()) return;
  await mountPeriods(
    ctx.api,
    el,
    zone,
    () => ctx.periods(),
    () => ctx.current(),
  );
}
