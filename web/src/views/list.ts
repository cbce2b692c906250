import { html, render, type TemplateResult } from 'lit-html';
import { KINDS, SEVERITIES, type Kind, type Severity } from '../../../lib/core/reconcile/discrepancy.js';
import { AGE_BUCKETS, LIFECYCLE_STATES } from '../../../lib/core/runs/run-events.js';
import type { Api, CaseQuery, ListQuery, RunBrief, RunDiscrepancy } from '../api.js';
import { CASE_STATES, type CaseSummary } from '../case-types.js';
import { pickRun, type Context } from '../context.js';
import { OPEN_CASE_STATES } from '../open-red.js';
import { formatMoney, formatQuantity, formatInstant } from '../format.js';
import { codeLabel, kindLabel, severityLabel, t, type MessageKey } from '../i18n.js';
import { routeHash, type ListFilter, type ListRoute } from '../routes.js';
import { loading, problem, runPicker, severityBadge } from './common.js';

export const PAGE_SIZE = 50;
/** Requests one page may take when a sparse filter makes the API answer short pages. */
const MAX_CALLS = 25;

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

/**
 * One page of `limit` items through the API's cursor: the API bounds its work per request and may
 * answer a short page with a cursor (a sparse filter over a large run), so this follows the cursor
 * until the page is full or the list ends.
 */
export async function fillPage<T>(
  fetchPage: (limit: number, cursor: string | undefined) => Promise<Page<T>>,
  limit: number,
  cursor: string | undefined,
): Promise<Page<T>> {
  const items: T[] = [];
  let next: string | undefined = cursor;
  for (let calls = 0; calls < MAX_CALLS; calls++) {
    const page = await fetchPage(limit - items.length, next);
    items.push(...page.items);
    next = page.cursor ?? undefined;
    if (items.length >= limit || next === undefined) break;
  }
  return { items, cursor: next ?? null };
}

/** The API query of a list route (the case-only filters go to the cases API instead). */
export function listQuery(route: ListRoute): ListQuery {
  const f = route.filters;
  return {
    ...(f.kind === undefined ? {} : { kind: f.kind }),
    ...(f.severity === undefined ? {} : { severity: f.severity }),
    ...(f.warehouseId === undefined ? {} : { warehouseId: f.warehouseId }),
    ...(f.state === undefined ? {} : { state: f.state }),
    ...(f.age === undefined ? {} : { age: f.age }),
    sort: route.sort,
  };
}

const byCases = (route: ListRoute): boolean =>
  route.filters.owner !== undefined || route.filters.caseState !== undefined;

function select(
  name: ListFilter,
  label: MessageKey,
  options: readonly { value: string; label: string }[],
  route: ListRoute,
  change: (name: ListFilter, value: string) => void,
  disabled = false,
): TemplateResult {
  return html`<label
    >${t(label)}
    <select
      name=${name}
      data-test=${`filter-${name}`}
      ?disabled=${disabled}
      @change=${(e: Event) => change(name, (e.target as HTMLSelectElement).value)}
    >
      <option value="" ?selected=${route.filters[name] === undefined}>${t('all')}</option>
      ${options.map((o) => html`<option value=${o.value} ?selected=${route.filters[name] === o.value}>${o.label}</option>`)}
    </select></label
  >`;
}

function discrepancyRows(
  runId: string,
  items: readonly RunDiscrepancy[],
  zone: string,
  ctx: Context,
): TemplateResult {
  return html`<table class="data" data-test="discrepancy-table">
    <thead>
      <tr>
        <th>${t('severity')}</th>
        <th>${t('kind')}</th>
        <th>${t('warehouse')}</th>
        <th>${t('sku')}</th>
        <th>${t('document')}</th>
        <th class="num">${t('quantityDelta')}</th>
        <th class="num">${t('amountDelta')}</th>
        <th class="num">${t('moneyAtStake')}</th>
        <th>${t('state')}</th>
        <th>${t('age')}</th>
        <th>${t('firstSeen')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map((d) => {
        const target = { view: 'detail' as const, run: runId, groupKey: d.groupKey };
        return html`<tr class="link" data-group=${d.groupKey} @click=${() => ctx.navigate(target)}>
          <td>${severityBadge(d.severity, severityLabel(d.severity))}</td>
          <td>${kindLabel(d.kind)}</td>
          <td>${d.warehouseId}</td>
          <td>${d.sku}</td>
          <td>
            <a href=${routeHash(target)} @click=${(e: Event) => e.stopPropagation()}>${d.documentRef}</a>
          </td>
          <td class="num">${formatQuantity(d.quantityDelta)}</td>
          <td class="num">${formatMoney(d.amountDelta)}</td>
          <td class="num" data-test="money">${formatMoney(d.moneyAtStake)}</td>
          <td>${codeLabel(d.state)}</td>
          <td>${codeLabel(d.ageBucket)}</td>
          <td>${formatInstant(d.firstSeen, zone)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** The case states still being worked (what the period close waits for): the "open" choice. */
export const OPEN_CASES = OPEN_CASE_STATES.join(',');

function caseRows(runId: string, items: readonly CaseSummary[], zone: string, ctx: Context): TemplateResult {
  return html`<table class="data" data-test="case-table">
    <thead>
      <tr>
        <th>${t('caseState')}</th>
        <th>${t('severity')}</th>
        <th>${t('kind')}</th>
        <th>${t('warehouse')}</th>
        <th>${t('sku')}</th>
        <th>${t('document')}</th>
        <th class="num">${t('moneyAtStake')}</th>
        <th>${t('owner')}</th>
        <th>${t('age')}</th>
        <th>${t('firstSeen')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map((c) => {
        const target = { view: 'detail' as const, run: runId, groupKey: c.groupKey };
        return html`<tr
          class="link"
          data-group=${c.groupKey}
          data-case=${c.caseId}
          @click=${() => ctx.navigate(target)}
        >
          <td>${codeLabel(c.state)}</td>
          <td>${severityBadge(c.severity, severityLabel(c.severity as Severity))}</td>
          <td>${kindLabel(c.kind as Kind)}</td>
          <td>${c.warehouseId}</td>
          <td>${c.sku}</td>
          <td>
            <a href=${routeHash(target)} @click=${(e: Event) => e.stopPropagation()}>${c.documentRef}</a>
          </td>
          <td class="num" data-test="money">${formatMoney(c.moneyAtStake)}</td>
          <td>${c.owner}</td>
          <td>${codeLabel(c.ageBucket)}</td>
          <td>${formatInstant(c.firstSeen, zone)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** GET /v1/cases filters of a list route (the lifecycle state and sort are the runs API's only). */
export function caseQuery(route: ListRoute): CaseQuery {
  const f = route.filters;
  return {
    ...(f.caseState === undefined ? {} : { state: f.caseState }),
    ...(f.owner === undefined ? {} : { owner: f.owner }),
    ...(f.warehouseId === undefined ? {} : { warehouseId: f.warehouseId }),
    ...(f.severity === undefined ? {} : { severity: f.severity }),
    ...(f.kind === undefined ? {} : { kind: f.kind }),
    ...(f.age === undefined ? {} : { age: f.age }),
  };
}

async function openReport(
  api: Api,
  runId: string,
  format: 'pdf' | 'xlsx' | 'csv',
  el: HTMLElement,
): Promise<void> {
  try {
    const { url } = await api.reportLink(runId, format);
    window.location.assign(url);
  } catch (error) {
    const slot = el.querySelector<HTMLElement>('#report-problem');
    if (slot !== null) render(problem(error), slot);
  }
}

export async function renderList(ctx: Context, el: HTMLElement, route: ListRoute): Promise<void> {
  render(loading(), el);
  let runs: RunBrief[];
  try {
    runs = await ctx.runs();
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return;
  }
  const run = pickRun(runs, route.run);
  if (!ctx.current()) return;
  if (run === undefined) {
    render(html`<div class="card"><p>${t('noRuns')}</p></div>`, el);
    return;
  }
  const runId = run.runId;
  const zone = run.summary?.timezone ?? 'UTC';
  const [warehouses, workflow] = await Promise.all([
    ctx.api.heatMap(runId).then(
      (h) => h.warehouses,
      () => [] as string[],
    ),
    ctx.workflow(),
  ]);
  const cursor = route.cursors[route.cursors.length - 1];
  let body: TemplateResult;
  let next: string | null = null;
  try {
    if (byCases(route)) {
      if (!workflow) throw new Error(t('workflowUnavailable'));
      const q = caseQuery(route);
      const page = await fillPage(
        (limit, c) => ctx.api.cases({ ...q, limit, ...(c === undefined ? {} : { cursor: c }) }),
        PAGE_SIZE,
        cursor,
      );
      next = page.cursor;
      body =
        page.items.length === 0
          ? html`<p class="muted" data-test="no-items">${t('noItems')}</p>`
          : caseRows(runId, page.items, zone, ctx);
    } else {
      const query = listQuery(route);
      const page = await fillPage(
        (limit, c) =>
          ctx.api.discrepancies(runId, { ...query, limit, ...(c === undefined ? {} : { cursor: c }) }),
        PAGE_SIZE,
        cursor,
      );
      next = page.cursor;
      body =
        page.items.length === 0
          ? html`<p class="muted" data-test="no-items">${t('noItems')}</p>`
          : discrepancyRows(runId, page.items, zone, ctx);
    }
  } catch (error) {
    body = problem(error);
  }
  if (!ctx.current()) return;
  const change = (name: ListFilter, value: string): void => {
    const filters = { ...route.filters };
    if (value === '') delete filters[name];
    else filters[name] = value;
    ctx.navigate({ ...route, run: runId, filters, cursors: [] });
  };
  const users = workflow ? await ctx.users() : [];
  // Whom a case can belong to: the known people, the caller, and whoever the filter names.
  const owners = [
    ...new Set([
      ...users.filter((u) => u.username !== 'local').map((u) => u.username),
      ctx.session.username,
      ...(route.filters.owner === undefined ? [] : [route.filters.owner]),
    ]),
  ];
  render(
    html`<div class="card">
        <form class="filters" data-test="filters" @submit=${(e: Event) => e.preventDefault()}>
          ${runPicker(runs, runId, (next) => ctx.navigate({ ...route, run: next, cursors: [] }))}
          ${select(
            'kind',
            'kind',
            KINDS.map((k) => ({ value: k, label: kindLabel(k as Kind) })),
            route,
            change,
          )}
          ${select(
            'severity',
            'severity',
            SEVERITIES.map((s) => ({ value: s, label: severityLabel(s) })),
            route,
            change,
          )}
          ${select(
            'warehouseId',
            'warehouse',
            [
              ...new Set([
                ...warehouses,
                ...(route.filters.warehouseId === undefined ? [] : [route.filters.warehouseId]),
              ]),
            ].map((w) => ({ value: w, label: w })),
            route,
            change,
          )}
          ${select(
            'state',
            'state',
            LIFECYCLE_STATES.map((s) => ({ value: s, label: codeLabel(s) })),
            route,
            change,
            byCases(route),
          )}
          ${select(
            'age',
            'age',
            AGE_BUCKETS.map((a) => ({ value: a, label: codeLabel(a) })),
            route,
            change,
          )}
          ${select(
            'caseState',
            'caseState',
            [
              { value: OPEN_CASES, label: t('openCases') },
              ...CASE_STATES.map((s) => ({ value: s, label: codeLabel(s) })),
            ],
            route,
            change,
            !workflow,
          )}
          ${select(
            'owner',
            'owner',
            owners.map((u) => ({ value: u, label: u })),
            route,
            change,
            !workflow,
          )}
          <label
            >${t('sort')}
            <select
              data-test="sort"
              ?disabled=${byCases(route)}
              @change=${(e: Event) =>
                ctx.navigate({
                  ...route,
                  run: runId,
                  sort: (e.target as HTMLSelectElement).value as ListRoute['sort'],
                  cursors: [],
                })}
            >
              <option value="stake-desc" ?selected=${route.sort === 'stake-desc'}>
                ${t('sortStakeDesc')}
              </option>
              <option value="stake-asc" ?selected=${route.sort === 'stake-asc'}>${t('sortStakeAsc')}</option>
              <option value="document" ?selected=${route.sort === 'document'}>${t('sortDocument')}</option>
            </select></label
          >
          <button
            type="button"
            @click=${() => ctx.navigate({ view: 'list', run: runId, filters: {}, sort: 'stake-desc', cursors: [] })}
          >
            ${t('clear')}
          </button>
        </form>
        ${workflow ? '' : html`<p class="muted">${t('caseNotAvailableShort')}: ${t('owner')}, ${t('caseState')}</p>`}
      </div>
      <div class="card">
        <div class="links">
          <strong>${t('reports')}</strong>
          ${(['pdf', 'xlsx', 'csv'] as const).map(
            (format) =>
              html`<button
                type="button"
                data-test=${`report-${format}`}
                @click=${() => openReport(ctx.api, runId, format, el)}
              >
                ${t(format === 'pdf' ? 'reportPdf' : format === 'xlsx' ? 'reportXlsx' : 'reportCsv')}
              </button>`,
          )}
          <span id="report-problem"></span>
        </div>
      </div>
      <div class="card">
        ${byCases(route) ? html`<p class="muted" data-test="case-list-note">${t('caseListNote')}</p>` : ''}
        <div class="scroll">${body}</div>
        <div class="pager">
          <button
            type="button"
            data-test="previous"
            ?disabled=${route.cursors.length === 0}
            @click=${() => ctx.navigate({ ...route, run: runId, cursors: route.cursors.slice(0, -1) })}
          >
            ${t('previous')}
          </button>
          <span data-test="page">${t('pageOf', { n: route.cursors.length + 1 })}</span>
          <button
            type="button"
            data-test="next"
            ?disabled=${next === null}
            @click=${() => next !== null && ctx.navigate({ ...route, run: runId, cursors: [...route.cursors, next] })}
          >
            ${t('next')}
          </button>
        </div>
      </div>`,
    el,
  );
}
