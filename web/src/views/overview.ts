import { html, render, type TemplateResult } from 'lit-html';
import { groupOfKey } from '../../../lib/core/records/group-key.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { NotAvailableError, type RunBrief, type RunHeatMap } from '../api.js';
import { CASE_STATES, type CloseCheck } from '../case-types.js';
import { draw, SEVERITY_COLOURS } from '../charts.js';
import { periodRun, type Context } from '../context.js';
import { companyRuns, isScoped, runsOf } from '../run-choice.js';
import { CASE_SET_PAGE, MAX_SET_ROWS, readSet } from '../list-set.js';
import { daysBetween, formatCount, formatInstant, formatMoney, formatRate } from '../format.js';
import { codeLabel, severityLabel, t, type MessageKey } from '../i18n.js';
import { fetchOpenRed, OPEN_CASE_STATES, type OpenRed } from '../open-red.js';
import type { CaseSummary } from '../case-types.js';
import type { AgeBucket } from '../../../lib/core/runs/run-events.js';
import { routeHash } from '../routes.js';
import { nextScheduledRuns } from '../schedule.js';
import { loading, noRunsCard, problem, runLabel, severityBadge } from './common.js';
import { now } from '../clock.js';
import { previousPeriod } from '../../../lib/core/shared/period.js';

const SCHEDULE_LABEL: Record<string, MessageKey> = {
  dailyClose: 'dailyClose',
  weeklyClose: 'weeklyClose',
  monthlyClose: 'monthlyClose',
};

type CloseState = { check: CloseCheck } | { unavailable: true } | { error: unknown };
type OpenRedState = { open: OpenRed } | { unavailable: true } | { error: unknown };

function kpi(label: string, value: string, sub = '', tone = '', test = '', href = ''): TemplateResult {
  const body = html`<div class="label">${label}</div>
    <div class="value">${value}</div>
    ${sub === '' ? '' : html`<div class="sub">${sub}</div>`}`;
  return href === ''
    ? html`<div class="kpi ${tone}" data-test=${test}>${body}</div>`
    : html`<a class="kpi link ${tone}" data-test=${test} href=${href}>${body}</a>`;
}

/**
 * The period a close check looks at first: the last month that has ended as of the latest run (a
 * period closes only once it is over; the demo's close as of 2 November closes October).
 */
export function closingPeriod(asOf: string, zone: string): string {
  return previousPeriod(new ZoneClock(zone).periodOf(Date.parse(asOf)));
}

/** The list of cases a blocker or the open-RED figure stands for. */
const openRedRoute = routeHash({
  view: 'list',
  filters: { severity: 'RED', caseState: OPEN_CASE_STATES.join(',') },
  sort: 'stake-desc',
  cursors: [],
});

export function closePanel(
  period: string,
  state: CloseState | undefined,
  runId: string,
  pick: (period: string) => void,
): TemplateResult {
  let body: TemplateResult;
  if (state === undefined) body = html`<p class="muted">${t('loading')}</p>`;
  else if ('unavailable' in state) body = html`<div class="notice">${t('workflowUnavailable')}</div>`;
  else if ('error' in state) body = problem(state.error);
  else {
    const { check } = state;
    const counts = CASE_STATES.filter((s) => check.cases[s] > 0);
    body = html`<p>
        <span
          class="badge ${check.canClose ? 'ok' : 'bad'}"
          data-test="close-verdict"
          data-can-close=${String(check.canClose)}
          >${check.canClose ? t('canClose') : t('cannotClose')}</span
        >
      </p>
      <p class="muted" data-test="close-counts">
        ${t('casesByState')}:
        ${counts.length === 0 ? '0' : counts.map((s) => `${codeLabel(s)} ${formatCount(check.cases[s])}`).join(' · ')}
      </p>
      ${
        check.blockers.length === 0
          ? html`<p class="muted">${t('noBlockers')}</p>`
          : html`<h3>${t('blockers')} (${formatCount(check.blockers.length)})</h3>
              <div class="scroll blockers">
                <table class="data" data-test="blockers">
                  <thead>
                    <tr>
                      <th>${t('severity')}</th>
                      <th>${t('warehouse')}</th>
                      <th>${t('sku')}</th>
                      <th>${t('document')}</th>
                      <th>${t('blockerReason')}</th>
                      <th>${t('caseState')}</th>
                      <th>${t('owner')}</th>
                      <th class="num">${t('moneyAtStake')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${check.blockers.map((b) => {
                      const {
                        warehouseId: warehouse = '',
                        sku = '',
                        documentRef: document = '',
                      } = groupOfKey(b.groupKey) ?? {};
                      return html`<tr data-group=${b.groupKey} data-reason=${b.reason}>
                        <td>${severityBadge(b.severity, severityLabel(b.severity))}</td>
                        <td>${warehouse}</td>
                        <td>${sku}</td>
                        <td>
                          <a href=${routeHash({ view: 'detail', run: runId, groupKey: b.groupKey })}
                            >${document}</a
                          >
                        </td>
                        <td>${codeLabel(b.reason)}</td>
                        <td>${codeLabel(b.state)}</td>
                        <td>${b.owner}</td>
                        <td class="num">${formatMoney(b.moneyAtStake)}</td>
                      </tr>`;
                    })}
                  </tbody>
                </table>
              </div>`
      }`;
  }
  return html`<div class="card" data-test="close-check">
    <h2>${t('closeCheck')}</h2>
    <label class="inline"
      >${t('closePeriodPick')}
      <input
        type="month"
        data-test="close-period"
        .value=${period}
        @change=${(e: Event) => {
          const value = (e.target as HTMLInputElement).value;
          if (/^\d{4}-\d{2}$/.test(value)) pick(value);
        }}
    /></label>
    ${body}
  </div>`;
}

function openRedTile(
  s: NonNullable<RunBrief['summary']>,
  red: OpenRedState | undefined,
  heat: RunHeatMap | undefined,
  asOf: string,
): TemplateResult {
  if (red === undefined) return kpi(t('openRedCases'), '…', '', 'red', 'kpi-open-red');
  if ('unavailable' in red) {
    // No workflow on this service: the run's open RED discrepancies stand in, and say so.
    const open = heat?.open.RED;
    const oldest = open?.oldestFirstSeen ?? null;
    return kpi(
      t('openRed'),
      formatCount(open?.count ?? s.bySeverity.RED),
      `${oldest === null ? '' : `${t('oldestOpenRed')} ${daysBetween(oldest, asOf)} ${t('days')} `}${t('openRedFromRuns')}`,
      'red',
      'kpi-open-red',
    );
  }
  if ('error' in red) return kpi(t('openRedCases'), '—', t('errorPrefix'), 'red', 'kpi-open-red');
  const { open } = red;
  const ages = (Object.entries(open.byAge) as [string, number][])
    .filter(([, n]) => n > 0)
    .map(([bucket, n]) => `${codeLabel(bucket)} ${formatCount(n)}`)
    .join(' · ');
  const sub = [
    open.oldest === undefined ? '' : t('oldestOpenCase', { n: open.oldest.days }),
    ages === '' ? '' : `${t('openRedByAge')}: ${ages}`,
  ]
    .filter((p) => p !== '')
    .join(' | ');
  return kpi(t('openRedCases'), formatCount(open.count), sub, 'red', 'kpi-open-red', openRedRoute);
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

/** The open RED cases of one period, counted from the cases API's list (a period holds few). */
export function openRedOfCases(cases: readonly CaseSummary[]): OpenRed {
  const byAge: Record<AgeBucket, number> = { '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0 };
  let oldest: CaseSummary | undefined;
  for (const c of cases) {
    byAge[c.ageBucket as AgeBucket] += 1;
    if (oldest === undefined || c.firstSeen < oldest.firstSeen) oldest = c;
  }
  return {
    count: cases.length,
    byAge,
    ...(oldest === undefined
      ? {}
      : { oldest: { groupKey: oldest.groupKey, firstSeen: oldest.firstSeen, days: oldest.ageDays } }),
  };
}

async function loadOpenRed(ctx: Context): Promise<OpenRed> {
  if (ctx.period === undefined) return fetchOpenRed(ctx.api);
  const q = { severity: 'RED', state: OPEN_CASE_STATES.join(','), period: ctx.period };
  const set = await readSet(
    (limit, cursor) => ctx.api.cases({ ...q, limit, ...(cursor === undefined ? {} : { cursor }) }),
    () => true,
    MAX_SET_ROWS,
    CASE_SET_PAGE,
  );
  return openRedOfCases(set.rows);
}

/** What the overview shows, filled in as the answers come. */
interface OverviewState {
  run: RunBrief;
  /** The runs of the trend: unscoped, of the period (all periods in the live view). */
  trend: RunBrief[];
  /** Scoped runs of the period left out of the headline and the trend. */
  scoped: number;
  period: string;
  heat?: RunHeatMap;
  heatError?: unknown;
  close?: CloseState;
  openRed?: OpenRedState;
}

function headlineCard(ctx: Context, state: OverviewState): TemplateResult {
  const { run } = state;
  const s = run.summary;
  const title = ctx.period === undefined ? t('latestRun') : t('periodCloseRun', { period: ctx.period });
  return html`<div class="card">
    <h2>${title}: <span data-test="latest-run">${runLabel(run)}</span></h2>
    ${
      s === null
        ? html`<p class="muted">${codeLabel(run.status)}</p>`
        : html`<div class="kpis">
              ${kpi(t('groupsSeen'), formatCount(s.groupsSeen), '', '', 'kpi-groups')}
              ${kpi(t('groupsMatched'), formatCount(s.groupsMatched), '', '', 'kpi-matched')}
              ${kpi(t('matchRate'), formatRate(s.matchRate), '', '', 'kpi-rate')}
              ${kpi(t('discrepancies'), formatCount(s.discrepancies), '', '', 'kpi-discrepancies')}
              ${kpi(t('moneyAtStake'), formatMoney(s.moneyAtStake.total), '', '', 'kpi-money')}
              ${openRedTile(s, state.openRed, state.heat, run.asOf)}
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
    ${
      state.scoped === 0
        ? ''
        : html`<p class="muted" data-test="scoped-note">${t('scopedKeptApart', { n: state.scoped })}</p>`
    }
    ${state.heatError === undefined ? '' : problem(state.heatError)}
  </div>`;
}

function nextRunCard(zone: string): TemplateResult {
  return html`<div class="card" data-test="next-run">
    <h2>${t('nextRun')}</h2>
    <dl class="facts">
      ${nextScheduledRuns(zone, now().getTime()).map(
        (n) =>
          html`<dt>${t(SCHEDULE_LABEL[n.name] ?? 'dailyClose')}</dt>
            <dd>${formatInstant(n.at, zone)}</dd>`,
      )}
      <dt>${t('timeZone')}</dt>
      <dd>${zone}</dd>
    </dl>
    <p class="muted">${t('continuousEvery')}</p>
  </div>`;
}

function overviewView(ctx: Context, state: OverviewState, pick: (period: string) => void): TemplateResult {
  const zone = state.run.summary?.timezone ?? 'UTC';
  return html`
    ${headlineCard(ctx, state)}
    <div class="grid2">
      <div>
        <div class="card">
          <h2>${t('trend')}</h2>
          <div class="chart" id="trend-chart"></div>
        </div>
        ${closePanel(state.period, state.close, state.run.runId, pick)}
      </div>
      <div>
        <div class="card">
          <h2>${t('moneyBySeverity')}</h2>
          <div class="chart short" id="severity-chart"></div>
        </div>
        ${nextRunCard(zone)}
      </div>
    </div>
  `;
}

/** The headline run and the trend's runs of the chosen period (or the live view). */
async function overviewRuns(ctx: Context, el: HTMLElement) {
  let runs: RunBrief[];
  try {
    runs = await ctx.runs();
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return undefined;
  }
  const run = await periodRun(ctx, runs, undefined);
  if (!ctx.current()) return undefined;
  if (run === undefined) {
    render(noRunsCard(ctx.period), el);
    return undefined;
  }
  const own = runsOf(runs, ctx.period);
  return { run, trend: companyRuns(own), scoped: own.filter(isScoped).length };
}

export async function renderOverview(ctx: Context, el: HTMLElement): Promise<void> {
  render(loading(), el);
  const chosen = await overviewRuns(ctx, el);
  if (chosen === undefined) return;
  const { run } = chosen;
  const zone = run.summary?.timezone ?? 'UTC';
  const state: OverviewState = { ...chosen, period: ctx.period ?? closingPeriod(run.asOf, zone) };
  const unavailableOr = (e: unknown) =>
    e instanceof NotAvailableError ? { unavailable: true as const } : { error: e };
  const loadClose = (wanted: string) =>
    ctx.api.closeCheck(wanted).then(
      (check) => void (wanted === state.period && (state.close = { check })),
      (e: unknown) => void (wanted === state.period && (state.close = unavailableOr(e))),
    );
  const pick = (wanted: string): void => {
    state.period = wanted;
    state.close = undefined;
    paint();
    void loadClose(wanted).then(paint);
  };
  const paint = (): void => {
    if (!ctx.current()) return;
    render(overviewView(ctx, state, pick), el);
    const trend = el.querySelector<HTMLElement>('#trend-chart');
    if (trend !== null) draw(trend, trendOption(state.trend));
    const bars = el.querySelector<HTMLElement>('#severity-chart');
    if (bars !== null && run.summary !== null) draw(bars, severityOption(run));
  };
  paint();
  await Promise.all([
    run.summary === null
      ? Promise.resolve()
      : ctx.api.heatMap(run.runId).then(
          (h) => void (state.heat = h),
          (e: unknown) => void (state.heatError = e),
        ),
    loadClose(state.period),
    loadOpenRed(ctx).then(
      (open) => void (state.openRed = { open }),
      (e: unknown) => void (state.openRed = unavailableOr(e)),
    ),
  ]);
  paint();
}
