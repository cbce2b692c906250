import { html, nothing, render, type TemplateResult } from 'lit-html';
import { KINDS, SEVERITIES, type Kind } from '../../../lib/core/reconcile/discrepancy.js';
import { AGE_BUCKETS, LIFECYCLE_STATES } from '../../../lib/core/runs/run-events.js';
import type { Api, CaseQuery, ListQuery, RunBrief, RunDiscrepancy } from '../api.js';
import { CASE_STATES, type CaseSummary } from '../case-types.js';
import { periodRun, type Context } from '../context.js';
import { OPEN_CASE_STATES } from '../open-red.js';
import { formatCount } from '../format.js';
import { codeLabel, kindLabel, severityLabel, t, type MessageKey } from '../i18n.js';
import {
  CASE_SET_PAGE,
  csvOf,
  matchesSearch,
  MAX_SET_ROWS,
  readSet,
  SET_PAGE,
  type FilteredSet,
  type SetPage,
} from '../list-set.js';
import { runsOf } from '../run-choice.js';
import type { ListFilter, ListRoute } from '../routes.js';
import { loading, noRunsCard, problem, runPicker, saveText } from './common.js';
import { caseColumns, discrepancyColumns, exportColumns, rowsTable, type Column } from './list-table.js';

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

/** The case states still being worked (what the period close waits for): the "open" choice. */
export const OPEN_CASES = OPEN_CASE_STATES.join(',');

/** GET /v1/cases filters of a list route (the lifecycle state and sort are the runs API's only). */
export function caseQuery(route: ListRoute, period?: string): CaseQuery {
  const f = route.filters;
  return {
    ...(f.caseState === undefined ? {} : { state: f.caseState }),
    ...(f.owner === undefined ? {} : { owner: f.owner }),
    ...(f.warehouseId === undefined ? {} : { warehouseId: f.warehouseId }),
    ...(f.severity === undefined ? {} : { severity: f.severity }),
    ...(f.kind === undefined ? {} : { kind: f.kind }),
    ...(f.age === undefined ? {} : { age: f.age }),
    ...(period === undefined ? {} : { period }),
  };
}

/** Rows of a search shown at most (the export and the totals hold them all). */
export const SEARCH_SHOWN = 500;

/** One kind of list: its rows' API, columns and table name. */
interface ListSource<T extends { groupKey: string; documentRef: string; sku: string }> {
  test: string;
  columns: Column<T>[];
  page: (limit: number, cursor: string | undefined) => Promise<SetPage<T>>;
  /** The API's largest page, for reading the whole set. */
  pageSize: number;
  file: string;
}

function discrepancySource(api: Api, runId: string, route: ListRoute): ListSource<RunDiscrepancy> {
  const query = listQuery(route);
  return {
    test: 'discrepancy-table',
    columns: discrepancyColumns(),
    page: (limit, c) =>
      api.discrepancies(runId, { ...query, limit, ...(c === undefined ? {} : { cursor: c }) }),
    pageSize: SET_PAGE,
    file: `discrepancies-${runId}`,
  };
}

function caseSource(api: Api, route: ListRoute, period: string | undefined): ListSource<CaseSummary> {
  const query = caseQuery(route, period);
  return {
    test: 'case-table',
    columns: caseColumns(),
    page: (limit, c) => api.cases({ ...query, limit, ...(c === undefined ? {} : { cursor: c }) }),
    pageSize: CASE_SET_PAGE,
    file: `cases${period === undefined ? '' : `-${period}`}`,
  };
}

/** What the table card shows: a page through the API's cursor, or a search over the whole set. */
interface Shown<T> {
  rows: T[];
  next: string | null;
  /** The filtered set (search applied) once read: totals and export. */
  set: FilteredSet<T> | undefined;
  error?: unknown;
}

/** The first page (no search) or every match (a search), and then the set behind the totals. */
async function loadRows<T extends { groupKey: string; documentRef: string; sku: string }>(
  source: ListSource<T>,
  route: ListRoute,
): Promise<{ shown: Shown<T>; set: Promise<FilteredSet<T>> }> {
  const keep = (row: T) => matchesSearch(route.q, row);
  if (route.q !== undefined) {
    const set = await readSet(source.page, keep, MAX_SET_ROWS, source.pageSize);
    return { shown: { rows: set.rows.slice(0, SEARCH_SHOWN), next: null, set }, set: Promise.resolve(set) };
  }
  const page = await fillPage(source.page, PAGE_SIZE, route.cursors[route.cursors.length - 1]);
  return {
    shown: { rows: page.items, next: page.cursor, set: undefined },
    set: readSet(source.page, keep, MAX_SET_ROWS, source.pageSize),
  };
}

function filtersCard(
  ctx: Context,
  route: ListRoute,
  runs: readonly RunBrief[],
  runId: string,
  warehouses: readonly string[],
  owners: readonly string[],
  workflow: boolean,
): TemplateResult {
  const change = (name: ListFilter, value: string): void => {
    const filters = { ...route.filters };
    if (value === '') delete filters[name];
    else filters[name] = value;
    ctx.navigate({ ...route, run: runId, filters, cursors: [] });
  };
  const search = (q: string): void => {
    const { q: _old, ...rest } = route;
    ctx.navigate({ ...rest, run: runId, cursors: [], ...(q.trim() === '' ? {} : { q: q.trim() }) });
  };
  const options = (values: readonly string[], label: (v: string) => string = (v) => v) =>
    values.map((v) => ({ value: v, label: label(v) }));
  const shownWarehouses = [
    ...new Set([
      ...warehouses,
      ...(route.filters.warehouseId === undefined ? [] : [route.filters.warehouseId]),
    ]),
  ];
  return html`<div class="card">
    <form
      class="filters"
      data-test="filters"
      @submit=${(e: Event) => {
        e.preventDefault();
        const input = (e.target as HTMLFormElement).querySelector<HTMLInputElement>('[name="q"]');
        search(input?.value ?? '');
      }}
    >
      ${runPicker(runs, runId, (next) => ctx.navigate({ ...route, run: next, cursors: [] }))}
      <label
        >${t('search')}
        <input
          name="q"
          type="search"
          data-test="search"
          placeholder=${t('searchPlaceholder')}
          .value=${route.q ?? ''}
      /></label>
      <button type="submit" data-test="search-go">${t('searchGo')}</button>
      ${select(
        'kind',
        'kind',
        options(KINDS, (k) => kindLabel(k as Kind)),
        route,
        change,
      )}
      ${select(
        'severity',
        'severity',
        options(SEVERITIES, (s) => severityLabel(s as never)),
        route,
        change,
      )}
      ${select('warehouseId', 'warehouse', options(shownWarehouses), route, change)}
      ${select('state', 'state', options(LIFECYCLE_STATES, codeLabel), route, change, byCases(route))}
      ${select('age', 'age', options(AGE_BUCKETS, codeLabel), route, change)}
      ${select(
        'caseState',
        'caseState',
        [{ value: OPEN_CASES, label: t('openCases') }, ...options(CASE_STATES, codeLabel)],
        route,
        change,
        !workflow,
      )}
      ${select('owner', 'owner', options(owners), route, change, !workflow)} ${sortSelect(ctx, route, runId)}
      <button
        type="button"
        @click=${() => ctx.navigate({ view: 'list', run: runId, filters: {}, sort: 'stake-desc', cursors: [] })}
      >
        ${t('clear')}
      </button>
    </form>
    ${workflow ? '' : html`<p class="muted">${t('caseNotAvailableShort')}: ${t('owner')}, ${t('caseState')}</p>`}
  </div>`;
}

function sortSelect(ctx: Context, route: ListRoute, runId: string): TemplateResult {
  const option = (value: ListRoute['sort'], label: MessageKey) =>
    html`<option value=${value} ?selected=${route.sort === value}>${t(label)}</option>`;
  return html`<label
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
      ${option('stake-desc', 'sortStakeDesc')} ${option('stake-asc', 'sortStakeAsc')}
      ${option('document', 'sortDocument')}
    </select></label
  >`;
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

function reportsCard(
  ctx: Context,
  runId: string,
  el: HTMLElement,
  exportSet: (() => void) | undefined,
): TemplateResult {
  const label = (f: 'pdf' | 'xlsx' | 'csv'): MessageKey =>
    f === 'pdf' ? 'reportPdf' : f === 'xlsx' ? 'reportXlsx' : 'reportCsv';
  return html`<div class="card">
    <div class="links">
      <strong>${t('reports')}</strong>
      ${(['pdf', 'xlsx', 'csv'] as const).map(
        (format) =>
          html`<button
            type="button"
            data-test=${`report-${format}`}
            @click=${() => openReport(ctx.api, runId, format, el)}
          >
            ${t(label(format))}
          </button>`,
      )}
      <button
        type="button"
        class="primary"
        data-test="export-filtered"
        ?disabled=${exportSet === undefined}
        @click=${() => exportSet?.()}
      >
        ${t('exportFiltered')}
      </button>
      <span id="report-problem"></span>
    </div>
  </div>`;
}

function pager(ctx: Context, route: ListRoute, runId: string, next: string | null): TemplateResult {
  if (route.q !== undefined) return html``;
  return html`<div class="pager">
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
  </div>`;
}

function tableCard<T extends { groupKey: string; documentRef: string; sku: string }>(
  ctx: Context,
  route: ListRoute,
  source: ListSource<T>,
  shown: Shown<T>,
  runId: string,
  zone: string,
): TemplateResult {
  let body: TemplateResult;
  if (shown.error !== undefined) body = problem(shown.error);
  else if (shown.rows.length === 0) body = html`<p class="muted" data-test="no-items">${t('noItems')}</p>`;
  else body = rowsTable(source.test, source.columns, shown.rows, shown.set, zone, runId, ctx.navigate);
  const matched = route.q === undefined ? undefined : shown.set?.rows.length;
  return html`<div class="card">
    ${byCases(route) ? html`<p class="muted" data-test="case-list-note">${t('caseListNote')}</p>` : ''}
    ${
      matched === undefined
        ? nothing
        : html`<p data-test="search-count">
            ${t('searchResults', { n: formatCount(matched) })}
            ${matched > SEARCH_SHOWN ? t('searchShownFirst', { n: formatCount(SEARCH_SHOWN) }) : ''}
          </p>`
    }
    <div class="scroll">${body}</div>
    ${pager(ctx, route, runId, shown.next)}
  </div>`;
}

/** Whom a case can belong to: the known people, the caller, and whoever the filter names. */
async function ownersOf(ctx: Context, route: ListRoute, workflow: boolean): Promise<string[]> {
  const users = workflow ? await ctx.users() : [];
  return [
    ...new Set([
      ...users.filter((u) => u.username !== 'local').map((u) => u.username),
      ctx.session.username,
      ...(route.filters.owner === undefined ? [] : [route.filters.owner]),
    ]),
  ];
}

/** The runs to choose from (the period's, or all in the live view) and the one shown. */
async function listRun(ctx: Context, el: HTMLElement, route: ListRoute) {
  let runs: RunBrief[];
  try {
    runs = await ctx.runs();
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return undefined;
  }
  const run = await periodRun(ctx, runs, route.run);
  if (!ctx.current()) return undefined;
  if (run === undefined) {
    render(noRunsCard(ctx.period), el);
    return undefined;
  }
  const choices = runsOf(runs, ctx.period);
  return { run, choices: choices.some((r) => r.runId === run.runId) ? choices : [run, ...choices] };
}

export async function renderList(ctx: Context, el: HTMLElement, route: ListRoute): Promise<void> {
  render(loading(), el);
  const chosen = await listRun(ctx, el, route);
  if (chosen === undefined) return;
  const { run, choices } = chosen;
  const runId = run.runId;
  const zone = run.summary?.timezone ?? 'UTC';
  const [warehouses, workflow] = await Promise.all([
    ctx.api.heatMap(runId).then(
      (h) => h.warehouses,
      () => [] as string[],
    ),
    ctx.workflow(),
  ]);
  const cases = byCases(route);
  if (cases && !workflow) {
    await show(
      ctx,
      el,
      route,
      discrepancySource(ctx.api, runId, route),
      { choices, runId, zone, warehouses, workflow },
      new Error(t('workflowUnavailable')),
    );
    return;
  }
  const source = cases ? caseSource(ctx.api, route, ctx.period) : discrepancySource(ctx.api, runId, route);
  await show(ctx, el, route, source as ListSource<RunDiscrepancy | CaseSummary>, {
    choices,
    runId,
    zone,
    warehouses,
    workflow,
  });
}

/** Paints the list, then its totals and export once the filtered set is read. */
async function show<T extends { groupKey: string; documentRef: string; sku: string }>(
  ctx: Context,
  el: HTMLElement,
  route: ListRoute,
  source: ListSource<T>,
  at: { choices: RunBrief[]; runId: string; zone: string; warehouses: string[]; workflow: boolean },
  refused?: unknown,
): Promise<void> {
  const { runId, zone } = at;
  let shown: Shown<T>;
  let set: Promise<FilteredSet<T>> | undefined;
  if (refused !== undefined) shown = { rows: [], next: null, set: undefined, error: refused };
  else {
    try {
      ({ shown, set } = await loadRows(source, route));
    } catch (error) {
      shown = { rows: [], next: null, set: undefined, error };
    }
  }
  const owners = await ownersOf(ctx, route, at.workflow);
  if (!ctx.current()) return;
  const exportSet = (): void => {
    const rows = shown.set;
    if (rows === undefined) return;
    saveText(csvOf(exportColumns(source.columns, zone), rows.rows), `${source.file}.csv`);
  };
  const paint = (): void => {
    if (!ctx.current()) return;
    render(
      html`${filtersCard(ctx, route, at.choices, runId, at.warehouses, owners, at.workflow)}
      ${reportsCard(ctx, runId, el, shown.set === undefined ? undefined : exportSet)}
      ${tableCard(ctx, route, source, shown, runId, zone)}`,
      el,
    );
  };
  paint();
  if (set === undefined || shown.set !== undefined) return;
  try {
    shown = { ...shown, set: await set };
  } catch {
    return;
  }
  paint();
}
