import { html, nothing, render, type TemplateResult } from 'lit-html';
import { ApiError, type Api, type PeriodList, type PeriodView } from '../api.js';
import { draw, type ChartOption } from '../charts.js';
import type { Context } from '../context.js';
import { formatCount, formatInstant, formatMoney } from '../format.js';
import { formatDecimal, parseDecimal, roundHalfUp } from '../../../lib/core/shared/decimal.js';
import { codeLabel, t, type MessageKey } from '../i18n.js';
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
  | { status: 'blocked'; message: string; blockers: Blocker[]; reason: string }
  | { status: 'done' }
  | { status: 'error'; error: unknown };

/** A blocker of the close-check as the refused lock lists it (the API's `details.blockers`). */
export interface Blocker {
  groupKey: string;
  reason: string;
}

export type PeriodsState =
  | { status: 'loading' }
  | { status: 'unavailable' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; list: PeriodList; locks: Record<string, LockState> };

export interface PeriodsHandlers {
  lock(period: string, overrideReason?: string): void;
  reason(period: string, text: string): void;
}

/** Locked; else closed at least once (its figures are its latest close's); else still open. */
export function periodStatusLabel(p: Pick<PeriodView, 'status' | 'lastCloseRunId'>): string {
  const key: MessageKey =
    p.status === 'locked' ? 'periodLocked' : p.lastCloseRunId === null ? 'periodOpenStatus' : 'periodClosed';
  return t(key);
}

/**
 * An error rate as finance reads it: a percentage to two places, rounded half up from the API's
 * exact fraction (0.076389 -> 7.64 %); '—' before the period's first close.
 */
export function rate(text: string | null | undefined): string {
  if (text == null) return '—';
  const parsed = parseDecimal(text);
  if (!parsed.ok) return text;
  return `${formatDecimal(roundHalfUp(parsed.value * 100n, 2), 2)} %`;
}

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
        return `${p.period}<br/>${t('closeDays')}: ${p.closeDays ?? '—'}<br/>${t('errorRate')}: ${rate(p.errorRate)}`;
      },
    },
    legend: { data: [t('closeDays'), t('errorRate')], top: 0 },
    grid: { left: 60, right: 60, top: 36, bottom: 30 },
    xAxis: { type: 'category', data: months.map((p) => p.period) },
    // Headroom above the tallest bar and the highest point, so their labels never meet at the top.
    yAxis: [
      {
        type: 'value',
        name: t('days'),
        minInterval: 1,
        max: (v: { max: number }) => Math.ceil(v.max * 1.4) || 1,
      },
      {
        type: 'value',
        name: '%',
        splitLine: { show: false },
        max: (v: { max: number }) => Math.ceil(v.max * 1.25) || 1,
      },
    ],
    series: [
      {
        name: t('closeDays'),
        type: 'bar',
        data: months.map((p) => p.closeDays),
        itemStyle: { color: '#1f5fa8' },
        barMaxWidth: 36,
        label: { show: true, position: 'insideTop', color: '#fff' },
      },
      {
        name: t('errorRate'),
        type: 'line',
        yAxisIndex: 1,
        // A plotted point only: the table and the tooltip show the API's exact fraction.
        data: months.map((p) => (p.errorRate === null ? null : Number(p.errorRate) * 100)),
        itemStyle: { color: '#c8102e' },
        label: {
          show: true,
          formatter: (p: unknown) => rate(months[(p as { dataIndex: number }).dataIndex]?.errorRate),
        },
        z: 3,
      },
    ],
  };
}

/**
 * The seed's two KPIs, the latest period beside the earliest as the API measured them: days to close
 * (known once a period is locked) and the error rate (known once it is closed).
 */
function kpis(list: PeriodList): TemplateResult {
  const months = chronological(list);
  const closed = months.filter((p) => p.lastCloseRunId !== null);
  const locked = months.filter((p) => p.closeDays !== null);
  if (closed.length === 0) return html`<p class="muted">${t('periodRunNone')}</p>`;
  const tile = (shown: PeriodView[], label: string, show: (p: PeriodView) => string, test: string) => {
    const first = shown[0];
    const last = shown[shown.length - 1];
    if (first === undefined || last === undefined) return nothing;
    return html`<div class="kpi" data-test=${test}>
      <div class="label">${label} · ${last.period}</div>
      <div class="value">${show(last)}</div>
      ${
        first === last
          ? nothing
          : html`<div class="sub">${t('periodKpiFrom', { period: first.period, value: show(first) })}</div>`
      }
    </div>`;
  };
  return html`<div class="kpis">
    ${tile(locked, t('periodKpiCloseDays'), (p) => `${p.closeDays ?? '—'} ${t('days')}`, 'kpi-close-days')}
    ${tile(closed, t('periodKpiErrorRate'), (p) => rate(p.errorRate), 'kpi-error-rate')}
  </div>`;
}

function lockCell(p: PeriodView, lock: LockState | undefined, h: PeriodsHandlers): TemplateResult {
  if (p.status === 'locked')
    return html`<span class="badge ok">${t('periodLocked')}</span>
      ${p.override === null ? nothing : html`<div class="muted small">${t('overrideUsed', { reason: p.override })}</div>`}`;
  const button = html`<button
    type="button"
    data-test="lock"
    ?disabled=${lock?.status === 'busy' || p.lastCloseRunId === null}
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
    ${
      lock.blockers.length === 0
        ? nothing
        : html`<ul class="plain small" data-test="lock-blockers">
            ${lock.blockers.map((b) => html`<li data-group=${b.groupKey}>${b.groupKey} · ${codeLabel(b.reason)}</li>`)}
          </ul>`
    }
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
  const run = p.lastCloseRunId;
  return html`<tr data-period=${p.period} data-status=${p.status}>
    <td class="nowrap"><strong>${p.period}</strong></td>
    <td>${periodStatusLabel(p)}</td>
    <td>
      ${
        run === null
          ? '—'
          : html`<a href=${routeHash({ view: 'list', run, filters: {}, sort: 'stake-desc', cursors: [] })}
              >${run}</a
            >`
      }
    </td>
    <td class="num">${formatCount(p.groupsSeen)}</td>
    <td class="num">${formatCount(p.discrepancies)}</td>
    <td class="num" data-test="error-rate" title=${p.errorRate ?? ''}>${rate(p.errorRate)}</td>
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
    ${
      list.items.some((p) => p.closeDays !== null || p.errorRate !== null)
        ? html`<div class="card">
            <h2>${t('periodsChart')}</h2>
            <div class="chart" id="periods-chart" data-test="periods-chart"></div>
          </div>`
        : nothing
    }
    <div class="card">
      <div class="scroll">
        <table class="data" data-test="periods-table">
          <thead>
            <tr>
              <th>${t('periodPick')}</th>
              <th>${t('periodStatus')}</th>
              <th>${t('lastCloseRun')}</th>
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

/** The lock's refusal while the close-check fails (409 close_check_failed), with its blockers. */
function blockedBy(error: unknown): { message: string; blockers: Blocker[] } | undefined {
  if (!(error instanceof ApiError) || error.status !== 409) return undefined;
  // A period already locked, or never closed, is not a check an override can pass.
  if (error.code === 'period_locked' || error.code === 'period_not_closed') return undefined;
  const listed = (error.details as { blockers?: unknown } | undefined)?.blockers;
  const blockers = Array.isArray(listed)
    ? listed.filter(
        (b): b is Blocker =>
          typeof (b as Blocker).groupKey === 'string' && typeof (b as Blocker).reason === 'string',
      )
    : [];
  return { message: error.message, blockers };
}

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
      const blocked = overrideReason === undefined ? blockedBy(error) : undefined;
      setLock(
        period,
        blocked === undefined ? { status: 'error', error } : { status: 'blocked', ...blocked, reason: '' },
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
