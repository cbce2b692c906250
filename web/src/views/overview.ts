import { html, render, type TemplateResult } from 'lit-html';
import { ZoneClock } from '../../../lib/core/zone-clock.js';
import { NotAvailableError, type RunBrief, type RunHeatMap } from '../api.js';
import type { CloseCheck } from '../case-types.js';
import { draw, SEVERITY_COLOURS } from '../charts.js';
import { pickRun, type Context } from '../context.js';
import { daysBetween, formatCount, formatInstant, formatMoney, formatRate } from '../format.js';
import { codeLabel, severityLabel, t, type MessageKey } from '../i18n.js';
import { nextScheduledRuns } from '../schedule.js';
import { loading, problem, runLabel } from './common.js';

const SCHEDULE_LABEL: Record<string, MessageKey> = {
  dailyClose: 'dailyClose',
  weeklyClose: 'weeklyClose',
  monthlyClose: 'monthlyClose',
};

type CloseState = { check: CloseCheck } | { unavailable: true } | { error: unknown };

function kpi(label: string, value: string, sub = '', tone = '', test = ''): TemplateResult {
  return html`<div class="kpi ${tone}" data-test=${test}>
    <div class="label">${label}</div>
    <div class="value">${value}</div>
    ${sub === '' ? '' : html`<div class="sub">${sub}</div>`}
  </div>`;
}

function closePanel(period: string, state: CloseState | undefined): TemplateResult {
  let body: TemplateResult;
  if (state === undefined) body = html`<p class="muted">${t('loading')}</p>`;
  else if ('unavailable' in state) body = html`<div class="notice">${t('workflowUnavailable')}</div>`;
  else if ('error' in state) body = problem(state.error);
  else {
    const { check } = state;
    body = html`<p>
        <span class="badge ${check.canClose ? 'ok' : 'bad'}" data-test="close-verdict"
          >${check.canClose ? t('canClose') : t('cannotClose')}</span
        >
      </p>
      ${
        check.blockers.length === 0
          ? html`<p class="muted">${t('noBlockers')}</p>`
          : html`<h3>${t('blockers')}</h3>
              <ul>
                ${check.blockers.map((b) =>
                  typeof b === 'string'
                    ? html`<li>${b}</li>`
                    : html`<li>
                        ${b.caseId ?? ''}
                        ${b.severity === undefined ? '' : severityLabel(b.severity as 'RED')}
                        ${b.reason ?? ''}
                      </li>`,
                )}
              </ul>`
      }`;
  }
  return html`<div class="card" data-test="close-check">
    <h2>${t('closeCheck')} · ${t('period')} ${period}</h2>
    ${body}
  </div>`;
}

function trendOption(runs: readonly RunBrief[]) {
  const points = runs
    .filter((r) => r.summary !== null)
    .slice()
    .sort((a, b) => a.asOf.localeCompare(b.asOf));
  const zone = points[points.length - 1]?.summary?.timezone ?? 'UTC';
  const labels = points.map((r) => formatInstant(r.asOf, zone));
  return {
    tooltip: {
      trigger: 'axis' as const,
      formatter: (params: unknown) => {
        const first = (params as { dataIndex: number }[])[0];
        const run = first === undefined ? undefined : points[first.dataIndex];
        if (run?.summary == null) return '';
        return `${labels[first?.dataIndex ?? 0] ?? ''}<br/>${t('matchRate')}: ${formatRate(run.summary.matchRate)}<br/>${t('moneyAtStake')}: ${formatMoney(run.summary.moneyAtStake.total)}`;
      },
    },
    legend: { data: [t('trendMatchRate'), t('trendMoney')], top: 0 },
    grid: { left: 70, right: 70, top: 36, bottom: 40 },
    xAxis: { type: 'category' as const, data: labels, axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value' as const, name: '%', min: 0, max: 100 },
      { type: 'value' as const, name: t('trendMoney'), splitLine: { show: false } },
    ],
    series: [
      {
        name: t('trendMatchRate'),
        type: 'line' as const,
        // A plotted point only: the tooltip shows the API's exact figure.
        data: points.map((r) => Number(r.summary?.matchRate ?? 0) * 100),
        itemStyle: { color: '#1f5fa8' },
        // Drawn over the bars, so a single run's point is not hidden behind its bar.
        z: 3,
      },
      {
        name: t('trendMoney'),
        type: 'bar' as const,
        yAxisIndex: 1,
        data: points.map((r) => Number(r.summary?.moneyAtStake.total ?? 0)),
        itemStyle: { color: '#ef7b45' },
        barMaxWidth: 28,
      },
    ],
  };
}

function severityOption(run: RunBrief) {
  const s = run.summary;
  const severities = ['RED', 'YELLOW', 'GREEN'] as const;
  return {
    tooltip: {
      trigger: 'item' as const,
      formatter: (p: unknown) => {
        const i = (p as { dataIndex: number }).dataIndex;
        const sev = severities[i] ?? 'GREEN';
        return `${severityLabel(sev)}: ${formatMoney(s?.moneyAtStake[sev])} (${formatCount(s?.bySeverity[sev] ?? 0)})`;
      },
    },
    grid: { left: 60, right: 24, top: 10, bottom: 30 },
    xAxis: { type: 'value' as const, splitNumber: 3, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category' as const, data: severities.map((x) => severityLabel(x)), inverse: true },
    series: [
      {
        type: 'bar' as const,
        data: severities.map((x) => ({
          value: Number(s?.moneyAtStake[x] ?? 0),
          itemStyle: { color: SEVERITY_COLOURS[x] },
        })),
        barMaxWidth: 26,
      },
    ],
  };
}

export async function renderOverview(ctx: Context, el: HTMLElement): Promise<void> {
  render(loading(), el);
  let runs: RunBrief[];
  try {
    runs = await ctx.runs();
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return;
  }
  if (!ctx.current()) return;
  const run = pickRun(runs, undefined);
  if (run === undefined) {
    render(html`<div class="card"><p>${t('noRuns')}</p></div>`, el);
    return;
  }
  const zone = run.summary?.timezone ?? 'UTC';
  const period = new ZoneClock(zone).periodOf(Date.now());
  let heat: RunHeatMap | undefined;
  let heatError: unknown;
  let close: CloseState | undefined;

  const view = (): TemplateResult => {
    const s = run.summary;
    const red = heat?.open.RED;
    const oldest = red?.oldestFirstSeen ?? null;
    return html`
      <div class="card">
        <h2>${t('latestRun')}: <span data-test="latest-run">${runLabel(run)}</span></h2>
        ${
          s === null
            ? html`<p class="muted">${codeLabel(run.status)}</p>`
            : html`<div class="kpis">
                  ${kpi(t('groupsSeen'), formatCount(s.groupsSeen), '', '', 'kpi-groups')}
                  ${kpi(t('groupsMatched'), formatCount(s.groupsMatched), '', '', 'kpi-matched')}
                  ${kpi(t('matchRate'), formatRate(s.matchRate), '', '', 'kpi-rate')}
                  ${kpi(t('discrepancies'), formatCount(s.discrepancies), '', '', 'kpi-discrepancies')}
                  ${kpi(t('moneyAtStake'), formatMoney(s.moneyAtStake.total), '', '', 'kpi-money')}
                  ${kpi(
                    t('openRed'),
                    red === undefined ? formatCount(s.bySeverity.RED) : formatCount(red.count),
                    oldest === null
                      ? ''
                      : `${t('oldestOpenRed')} ${daysBetween(oldest, run.asOf)} ${t('days')}`,
                    'red',
                    'kpi-open-red',
                  )}
                </div>
                <div class="kpis spaced">
                  ${(['RED', 'YELLOW', 'GREEN'] as const).map((sev) =>
                    kpi(
                      `${t('moneyAtStake')} · ${severityLabel(sev)}`,
                      formatMoney(s.moneyAtStake[sev]),
                      `${formatCount(s.bySeverity[sev])} ${t('discrepancies')}`,
                      sev.toLowerCase(),
                      `kpi-money-${sev}`,
                    ),
                  )}
                </div>`
        }
        ${heatError === undefined ? '' : problem(heatError)}
      </div>
      <div class="grid2">
        <div class="card">
          <h2>${t('trend')}</h2>
          <div class="chart" id="trend-chart"></div>
        </div>
        <div>
          <div class="card">
            <h2>${t('moneyBySeverity')}</h2>
            <div class="chart short" id="severity-chart"></div>
          </div>
          <div class="card" data-test="next-run">
            <h2>${t('nextRun')}</h2>
            <dl class="facts">
              ${nextScheduledRuns(zone, Date.now()).map(
                (n) =>
                  html`<dt>${t(SCHEDULE_LABEL[n.name] ?? 'dailyClose')}</dt>
                    <dd>${formatInstant(n.at, zone)}</dd>`,
              )}
              <dt>${t('timeZone')}</dt>
              <dd>${zone}</dd>
            </dl>
            <p class="muted">${t('continuousEvery')}</p>
          </div>
          ${closePanel(period, close)}
        </div>
      </div>
    `;
  };
  const paint = (): void => {
    if (!ctx.current()) return;
    render(view(), el);
    const trend = el.querySelector<HTMLElement>('#trend-chart');
    if (trend !== null) draw(trend, trendOption(runs));
    const bars = el.querySelector<HTMLElement>('#severity-chart');
    if (bars !== null && run.summary !== null) draw(bars, severityOption(run));
  };
  paint();
  await Promise.all([
    run.summary === null
      ? Promise.resolve()
      : ctx.api.heatMap(run.runId).then(
          (h) => void (heat = h),
          (e: unknown) => void (heatError = e),
        ),
    ctx.api.closeCheck(period).then(
      (check) => void (close = { check }),
      (e: unknown) => void (close = e instanceof NotAvailableError ? { unavailable: true } : { error: e }),
    ),
  ]);
  paint();
}
