import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KIND_ZH, listedKinds, type Kind } from '../../lib/core/reconcile/discrepancy.js';
import type { RunDiscrepancy } from '../../lib/core/runs/run-events.js';
import type { RunHeatMap } from '../../lib/core/runs/run-heat-map.js';
import type { RunBrief, RunPage } from '../../lib/api/runs.js';
import type { PeriodList } from '../../lib/api/periods.js';
import { formatDecimal, parseDecimal } from '../../lib/core/shared/decimal.js';
import type { CaseView, Trail } from '../../lib/app/cases/case-work.js';
import type { CloseCheck } from '../../lib/core/cases/close-check.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import { formatMoney } from '../../web/src/format.js';
import { launchBrowser } from '../../bench/browser.js';
import { tempDir } from '../support/temp.js';
import { daysToNow, SUITE_NOW } from '../support/clock.js';

// The dashboard end to end (issue 9): `stocktally start --demo` as a user runs it (the bundled CLI in
// a child process), Chromium driven by playwright-core, every figure checked against the API's own
// answer. Screenshots go to test-results/ (gitignored) for a person to look at.
// One demo serves every part; each part opens its own browser context (its own session, language
// and user) and reads what it checks from the API at that moment, so the parts pass in any order
// (issue 14): none relies on a page another left open or on a case another has not worked yet.
const TOKEN = 'e2e-dashboard-token';
const SHOTS = join(process.cwd(), 'test-results');

interface Started {
  child: ChildProcess;
  api: string;
  dashboard: string;
  output: () => string;
}

/** `node dist/stocktally.js start --demo --port 0` until it prints the dashboard's address. */
async function startDemo(dataDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    // The suite's now for the pipeline's clock (ages, summaries, schedules): nothing depends on today.
    ['dist/stocktally.js', 'start', '--demo', '--port', '0', '--data', dataDir, '--now', SUITE_NOW],
    { env: { ...process.env, STOCKTALLY_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const began = Date.now();
  for (;;) {
    const found = /^Dashboard: (http:\/\/127\.0\.0\.1:(\d+))\/#token=(\S+)$/m.exec(text);
    if (found?.[1] !== undefined) {
      return { child, api: found[1], dashboard: `${found[1]}/#token=${found[3] ?? ''}`, output: () => text };
    }
    if (child.exitCode !== null) throw new Error(`stocktally start exited ${child.exitCode}:\n${text}`);
    if (Date.now() - began > 180_000) throw new Error(`no dashboard address after 180 s:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let started: Started;
let browser: Browser;
const dataDir = join(tempDir('stocktally-e2e-'), 'data');
/** The contexts the current part opened, and what their pages complained of. */
let contexts: BrowserContext[] = [];
let problems: string[] = [];

/** GET as a local user (`local`: the bare token, every role). */
async function api<T>(path: string, user = 'local'): Promise<T> {
  const response = await fetch(`${started.api}${path}`, {
    headers: { authorization: `Bearer ${tokenOf(user)}` },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

const tokenOf = (user: string) => (user === 'local' ? TOKEN : `${TOKEN}.${user}`);

/** POST as a local user, answering the status and body as they came. */
async function post<T>(path: string, user: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${started.api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const act = (caseId: string, user: string, body: unknown) =>
  post<{ code?: string; case?: CaseView }>(`/v1/cases/${caseId}/actions`, user, body);

const OPEN_STATES = 'OPEN,IN_REVIEW,PROPOSED,REJECTED';

/** The RED cases still being worked, through the cases API's cursor. */
async function openRedCases(): Promise<CaseView[]> {
  const items: CaseView[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({
      severity: 'RED',
      state: OPEN_STATES,
      limit: '500',
      ...(cursor === null ? {} : { cursor }),
    });
    const page: { items: CaseView[]; cursor: string | null } = await api(`/v1/cases?${params.toString()}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== null);
  return items;
}

async function allDiscrepancies(runId: string, query: Record<string, string>): Promise<RunDiscrepancy[]> {
  const items: RunDiscrepancy[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '500', ...(cursor === null ? {} : { cursor }) });
    const page: { items: RunDiscrepancy[]; cursor: string | null } = await api(
      `/v1/runs/${runId}/discrepancies?${params.toString()}`,
    );
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== null);
  return items;
}

const scoped = (run: RunBrief) => run.scope !== undefined;

/**
 * The run the live overview heads with (issue 19): unscoped, with a summary; the latest continuous
 * run, else the close as of the latest moment (a re-run of an earlier month's close never).
 */
async function headlineRun(): Promise<RunBrief> {
  const runs = (await api<RunPage>('/v1/runs?limit=50')).items.filter(
    (r) => !scoped(r) && r.summary !== null,
  );
  const run =
    runs.find((r) => r.mode === 'continuous') ?? [...runs].sort((a, b) => b.asOf.localeCompare(a.asOf))[0];
  if (run === undefined) throw new Error('the demo has no unscoped run');
  return run;
}

/** The exact sum of decimal strings (the core's decimals, as the dashboard sums them). */
function exactSum(values: readonly (string | null)[]): string {
  let sum = 0n;
  for (const v of values) {
    if (v === null || v === '') continue;
    const parsed = parseDecimal(v);
    if (!parsed.ok) throw new Error(v);
    sum += parsed.value;
  }
  return formatDecimal(sum);
}

/**
 * Until the view has rendered; with `view`, until that view has (a navigation's hashchange may not
 * have run yet when the address changed, and the view before it was ready too).
 */
async function ready(page: Page, view?: string): Promise<void> {
  const which = view === undefined ? '' : `[data-view="${view}"]`;
  await page.waitForSelector(`#view${which}[data-ready="true"]`, { timeout: 30_000 });
}

/** The view a hash route opens (routes.ts). */
function viewOf(hash: string): string {
  const first = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return first === '' ? 'overview' : first === 'd' ? 'detail' : first;
}

/** Navigates a page already signed in to a route and waits for its view. */
async function go(page: Page, hash: string): Promise<void> {
  await page.goto(`${started.api}/${hash}`);
  await ready(page, viewOf(hash));
}

/** A fresh browser context signed in through the dashboard address, at `hash`. */
async function open(hash = '#/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  // The page's clock too, so the next scheduled runs and a session's expiry follow the suite's now.
  await page.clock.setFixedTime(new Date(SUITE_NOW));
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text()}`);
    // The production build only: a development build of a library announces itself.
    if (/dev mode|development build/i.test(message.text())) problems.push(`dev build: ${message.text()}`);
  });
  await page.goto(started.dashboard);
  await ready(page);
  if (hash !== '#/') await go(page, hash);
  return page;
}

const digits = (text: string | null) => (text ?? '').replace(/[,\s%]/g, '');
const cellTexts = (page: Page, selector: string) =>
  page
    .locator(selector)
    .evaluateAll((rows) =>
      rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
    );

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  started = await startDemo(dataDir);
  browser = await launchBrowser();
}, 240_000);

// Every part: no content-security refusal, no page error, a development build nowhere.
afterEach(async () => {
  const seen = problems;
  problems = [];
  // Left open, not closed: the npm Chromium runs as a single process, which closing a context ends.
  // Its pages sit idle at about:blank until the browser closes after the last part.
  await Promise.all(contexts.flatMap((c) => c.pages()).map((p) => p.goto('about:blank')));
  contexts = [];
  expect(seen).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  if (started?.child.exitCode === null) {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGINT');
    await exited;
  }
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

describe('the demo behind the dashboard', () => {
  it('prints a signed-in dashboard address and serves the app with security headers, no token needed', async () => {
    const response = await fetch(`${started.api}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await (await fetch(`${started.api}/config.json`)).json()).toEqual({ mode: 'local', apiUrl: '' });
    expect(started.dashboard).toBe(`${started.api}/#token=${TOKEN}`);
  });

  it('leaves a demo worth looking at: several warehouses, every kind, RED items', async () => {
    // The month the demo closes (October; November's live view holds its first receipts only).
    const periods = await fetch(`${started.api}/v1/periods`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const october =
      periods.status === 200
        ? ((await periods.json()) as PeriodList).items.find((p) => p.period === '2026-10')?.lastCloseRunId
        : undefined;
    const run =
      october == null
        ? await headlineRun()
        : (await api<RunPage>('/v1/runs?limit=50')).items.find((r) => r.runId === october)!;
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);

    expect(run.status).toBe('SUCCEEDED');
    expect(heat.warehouses.length).toBeGreaterThanOrEqual(5);
    // Every kind a run finds without being asked to check accounts (ACCOUNT_MISMATCH needs --accounts).
    expect(new Set(heat.byKind.map((c) => c.kind)).size).toBe(listedKinds(() => false).length);
    expect(heat.kinds).toEqual(listedKinds(() => false));
    expect(heat.open.RED.count).toBeGreaterThan(0);
  });
});

describe('the overview', () => {
  it('shows the headline run’s numbers exactly as the API gives them', async () => {
    const run = await headlineRun();
    const s = run.summary!;
    const page = await open();
    await page.waitForSelector('[data-test="close-check"] .notice, [data-test="close-verdict"]');
    await page.waitForSelector('[data-test="kpi-open-red"] .value:not(:text("…"))');
    const value = (test: string) => page.locator(`[data-test="${test}"] .value`).textContent();

    expect(await page.locator('[data-test="latest-run"]').textContent()).toContain(run.runId);
    expect(digits(await value('kpi-groups'))).toBe(String(s.groupsSeen));
    expect(digits(await value('kpi-matched'))).toBe(String(s.groupsMatched));
    expect(digits(await value('kpi-discrepancies'))).toBe(String(s.discrepancies));
    expect(await value('kpi-rate')).toBe(`${(Number(s.matchRate) * 100).toFixed(2)} %`);
    expect(digits(await value('kpi-money'))).toBe(s.moneyAtStake.total);
    for (const sev of ['RED', 'YELLOW', 'GREEN'] as const) {
      expect(digits(await value(`kpi-money-${sev}`))).toBe(s.moneyAtStake[sev]);
    }
    // Open RED cases from the cases API (RED, still being worked), as the API counts them now.
    const openRed = await openRedCases();
    expect(openRed.length).toBeGreaterThan(0);
    expect(digits(await value('kpi-open-red'))).toBe(String(openRed.length));
    const summary: { bySeverity: { RED: { count: number } } } = await api('/v1/cases/summary');
    expect(summary.bySeverity.RED.count).toBe(openRed.length);
    const oldest = openRed.map((c) => c.firstSeen).sort()[0]!;
    expect(await page.locator('[data-test="kpi-open-red"] .sub').textContent()).toContain(
      `最久已 ${daysToNow(oldest)} 天`,
    );
    expect(await page.locator('[data-test="kpi-money"] .value').textContent()).toMatch(
      /^\d{1,3}(,\d{3})*\.\d{2}$/,
    );
    expect(await page.locator('#trend-chart svg').count()).toBe(1);
    // Locally the header lists the people to speak as (GET /local/users); the bare token is `local`.
    const users = await api<{ username: string }[]>('/local/users');
    expect(
      await page
        .locator('[data-test="user-switcher"] option')
        .evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
    ).toEqual(users.map((u) => u.username));
    expect(await page.locator('[data-test="who"]').textContent()).toContain('local');
    await page.screenshot({ path: join(SHOTS, 'dashboard-overview.png'), fullPage: true });
  });

  it('checks the close of the month that ended, blocker by blocker as the API lists them', async () => {
    const page = await open();
    await page.waitForSelector('[data-test="close-verdict"]');
    // The last month that ended as of the run (the demo closes October).
    const period = await page.locator('[data-test="close-period"]').inputValue();
    expect(period).toBe('2026-10');
    const check = await api<CloseCheck>(`/v1/periods/${period}/close-check`);
    expect(await page.locator('[data-test="close-verdict"]').getAttribute('data-can-close')).toBe(
      String(check.canClose),
    );
    expect(
      await page
        .locator('[data-test="blockers"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group'))),
    ).toEqual(check.blockers.map((b) => b.groupKey));
  });

  it('keeps a one-sku ad-hoc run out of the headline and the trend (issue 19)', async () => {
    const before = await headlineRun();
    const target = (await allDiscrepancies(before.runId, { severity: 'GREEN' }))[0]!;
    const started_ = await post<{ runId: string }>('/v1/runs', 'local', {
      mode: 'continuous',
      scope: { skus: [target.sku] },
    });
    expect(started_.status).toBe(202);
    const runId = started_.body.runId;
    for (let i = 0; i < 300; i++) {
      const run = await api<{ status: string }>(`/v1/runs/${runId}`);
      if (run.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const runs = (await api<RunPage>('/v1/runs?limit=50')).items;
    expect(runs.find((r) => r.runId === runId)?.scope).toEqual({ skus: [target.sku] });

    const page = await open();
    const headline = await page.locator('[data-test="latest-run"]').textContent();
    expect(headline).toContain((await headlineRun()).runId);
    expect(headline).not.toContain(runId);
    expect(await page.locator('[data-test="scoped-note"]').count()).toBe(1);
    // Still there to look at: the list's run picker names it, marked as scoped.
    await go(page, `#/list?run=${runId}`);
    const label = await page.locator(`[data-test="run-picker"] option[value="${runId}"]`).textContent();
    expect(label).toContain(`局部运行 ${target.sku}`);
  });
});

describe('the heat map', () => {
  it('gives its colour scale numbers, totals rows and columns exactly, and lists a clicked cell', async () => {
    const run = await headlineRun();
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);
    const cell = [...heat.byKind].sort((a, b) => b.count - a.count)[0]!;

    const page = await open('#/heatmap');
    const chart = page.locator('#heat-kind svg');
    await chart.waitFor();
    const legend = await page
      .locator('[data-test="heat-legend"]')
      .first()
      .locator('.legend-piece')
      .allTextContents();
    expect(legend).toHaveLength(5);
    expect(legend[0]).toMatch(/^低于 [\d,]+$/);
    expect(legend[4]).toMatch(/^[\d,]+ 及以上$/);
    const box = page.locator('[data-test="heat-kind"]');
    expect(Number(await box.getAttribute('data-total-count'))).toBe(
      heat.byKind.reduce((n, c) => n + c.count, 0),
    );
    expect(await box.getAttribute('data-total-money')).toBe(exactSum(heat.byKind.map((c) => c.moneyAtStake)));
    expect(await chart.locator('text', { hasText: /^合计$/ }).count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'dashboard-heatmap.png'), fullPage: true });

    // The cell sits where its warehouse's row meets its kind's column: click there, as a person does.
    const label = chart.locator('text', { hasText: new RegExp(`^${cell.warehouseId}$`) }).first();
    await label.scrollIntoViewIfNeeded();
    const row = await label.boundingBox();
    const column = await chart
      .locator('text', { hasText: KIND_ZH[cell.kind as Kind] })
      .first()
      .boundingBox();
    expect(row).not.toBeNull();
    expect(column).not.toBeNull();
    await page.mouse.click(column!.x + column!.width / 2, row!.y + row!.height / 2);
    await page.waitForURL(/#\/list\?/, { waitUntil: 'commit' });
    await ready(page, 'list');

    const url = new URL(page.url().replace('#/list?', '?'));
    expect(url.searchParams.get('warehouseId')).toBe(cell.warehouseId);
    expect(url.searchParams.get('kind')).toBe(cell.kind);
    const shown = await page
      .locator('[data-test="discrepancy-table"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group')));
    const expected = await allDiscrepancies(run.runId, { warehouseId: cell.warehouseId, kind: cell.kind });
    expect(shown).toHaveLength(cell.count);
    expect([...shown].sort()).toEqual(expected.map((d) => d.groupKey).sort());
    await page.screenshot({ path: join(SHOTS, 'dashboard-cell-list.png'), fullPage: true });
  });
});

describe('the list a finance clerk works in', () => {
  it('totals the whole filtered set exactly, searches by document or sku, and exports exactly that view', async () => {
    const run = await headlineRun();
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);
    const warehouseId = heat.warehouses[0]!;
    const all = await allDiscrepancies(run.runId, { warehouseId });

    const page = await open(`#/list?run=${run.runId}&warehouseId=${encodeURIComponent(warehouseId)}`);
    const totals = page.locator('[data-test="totals"][data-ready="true"]');
    expect(await totals.getAttribute('data-count')).toBe(String(all.length));
    expect(digits(await totals.locator('[data-sum="moneyAtStake"]').textContent())).toBe(
      formatMoney(exactSum(all.map((d) => d.moneyAtStake))).replace(/,/g, ''),
    );

    // A document of the set, searched by part of its reference: exactly the rows that hold it.
    const wanted = all[all.length - 1]!;
    await page.locator('[data-test="search"]').fill(wanted.documentRef);
    await page.locator('[data-test="search-go"]').click();
    await page.waitForURL(/[?&]q=/, { waitUntil: 'commit' });
    // The same view again: ready once the search's own count is there.
    await page.waitForSelector('[data-test="search-count"]');
    await ready(page, 'list');
    const found = all.filter(
      (d) =>
        d.documentRef.toLowerCase().includes(wanted.documentRef.toLowerCase()) ||
        d.sku.toLowerCase().includes(wanted.documentRef.toLowerCase()),
    );
    expect(
      await page
        .locator('[data-test="discrepancy-table"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group'))),
    ).toEqual(found.map((d) => d.groupKey));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test="export-filtered"]').click(),
    ]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('\uFEFF严重程度,')).toBe(true);
    const lines = text.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(found.length + 1);
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(found.map((d) => d.documentRef));
    await page.screenshot({ path: join(SHOTS, 'dashboard-search.png'), fullPage: true });
  });

  it('opens a discrepancy with both sides’ records and its case, the account by code and name', async () => {
    const run = await headlineRun();
    const page = await open(`#/list?run=${run.runId}`);
    const row = page.locator('[data-test="discrepancy-table"] tbody tr').first();
    const groupKey = (await row.getAttribute('data-group'))!;
    await row.click();
    await ready(page, 'detail');
    await page.waitForSelector('[data-test="case-state"]');

    expect(await page.locator('[data-test="explanation"]').textContent()).not.toBe('');
    expect(
      await page
        .locator('[data-test="wms-records"] tbody tr, [data-test="finance-records"] tbody tr')
        .count(),
    ).toBeGreaterThan(0);
    // The case, asked for by its id (the base64url of the group key), as the signed-in person sees it.
    const caseId = caseIdOf(groupKey);
    const kase = await api<CaseView>(`/v1/cases/${caseId}`);
    const trail = await api<Trail>(`/v1/cases/${caseId}/trail`);
    expect(await page.locator('[data-test="case-panel"] h2').textContent()).toContain(caseId);
    expect(await page.locator('[data-test="case-state"]').getAttribute('data-state')).toBe(kase.state);
    expect(await page.locator('[data-test="case-owner"]').textContent()).toBe(kase.owner);
    // 1405 库存商品, not WH-10|1405.
    const account = await page.locator('[data-test="case-account"]').textContent();
    expect(account?.replace(/\s+/g, ' ').trim()).toContain(`${kase.account.code} ${kase.account.name}`);
    expect(kase.account.name).not.toBe('');
    expect(
      await page
        .locator('[data-test="case-actions"] button')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-action'))),
    ).toEqual(kase.allowedActions);
    expect(await page.locator('[data-test="trail-verified"]').getAttribute('data-verified')).toBe('true');
    expect(await page.locator('[data-test="trail"] li').count()).toBe(trail.events.length);
  });
});

describe('the case workflow in the browser', () => {
  it('works a RED case to approval through the browser: proposed by one person, approved by two others', async () => {
    // A RED voucher missing in finance: what the books lack is over the RED threshold, so the
    // approval policy asks for a finance reviewer AND the warehouse lead, neither the proposer.
    const candidates = await api<{ items: CaseView[] }>(
      '/v1/cases?severity=RED&kind=MISSING_IN_FINANCE&state=OPEN&limit=50',
    );
    const target = candidates.items[0]!;
    const openBefore = (await openRedCases()).length;
    const { groupKey, caseId } = target;
    expect(caseId).toBe(caseIdOf(groupKey));
    const switchTo = async (user: string) => {
      await page.locator('[data-test="user-switcher"]').selectOption(user);
      await ready(page);
      await page.waitForSelector('[data-test="case-state"]');
      expect(await page.locator('[data-test="who"]').textContent()).toContain(user);
    };
    const state = (s: string) => page.waitForSelector(`[data-test="case-state"][data-state="${s}"]`);
    const actions = () =>
      page
        .locator('[data-test="case-actions"] button')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-action')));
    const submit = async () => {
      await page.locator('[data-test="submit-action"]').click();
    };

    // li.finance finds it in the list of open RED cases and opens it.
    const page = await open(
      `#/list?severity=RED&kind=MISSING_IN_FINANCE&caseState=${encodeURIComponent(OPEN_STATES)}`,
    );
    await page.locator('[data-test="user-switcher"]').selectOption('li.finance');
    await ready(page);
    await page.locator(`[data-test="case-table"] tr[data-case="${caseId}"]`).click();
    await ready(page, 'detail');
    await state('OPEN');
    expect(await actions()).toEqual(
      (await api<CaseView>(`/v1/cases/${caseId}`, 'li.finance')).allowedActions,
    );

    // Review, then propose a supplementary voucher for what finance lacks, with its root cause.
    await page.locator('[data-action="start-review"]').click();
    await submit();
    await state('IN_REVIEW');
    await page.locator('[data-action="propose"]').click();
    await page.locator('[name="resolution.action"]').selectOption('supplement-voucher');
    await page.locator('[name="resolution.voucherRef"]').fill('V-2026-10-E2E');
    await page.locator('[name="rootCause.code"]').selectOption('missing-voucher');
    await page.locator('[name="comment"]').fill('出库单未传到财务,补录凭证');
    // Before it is sent: the entry Dr/Cr, and the number the system will give it (issue 19).
    await page.waitForSelector('[data-test="entry-number-note"]:has-text("ST-2")');
    const preview = await cellTexts(page, '[data-test="entry-preview-lines"] tbody tr');
    const note = (await page.locator('[data-test="entry-number-note"]').textContent()) ?? '';
    await page
      .locator('[data-test="entry-preview"]')
      .screenshot({ path: join(SHOTS, 'dashboard-entry-preview.png') });
    await submit();
    await state('PROPOSED');

    const proposed = await api<CaseView>(`/v1/cases/${caseId}`, 'li.finance');
    const entry = proposed.proposal!.entry!;
    // The preview was the entry the API booked, line for line, under the number it announced.
    expect(preview).toEqual([
      ...entry.lines.map((l) => [
        l.side === 'debit' ? '借' : '贷',
        `${l.accountCode} ${l.accountName}`,
        formatMoney(l.amount),
      ]),
      ['', '合计', formatMoney(entry.total)],
    ]);
    expect(note).toContain(entry.entryId);
    expect(proposed.proposal!.requirements).toEqual([['finance-reviewer'], ['warehouse-lead']]);
    expect(proposed.proposal!.resolution).toEqual({
      action: 'supplement-voucher',
      voucherRef: 'V-2026-10-E2E',
    });
    // The proposed entry exactly as the API built it, by side, and its totals.
    expect(
      await page
        .locator('[data-test="journal"] tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
        ),
    ).toEqual([
      ...entry.lines.map((l) => [
        String(l.line),
        `${l.accountCode} ${l.accountName}`,
        l.side === 'debit' ? formatMoney(l.amount) : '',
        l.side === 'credit' ? formatMoney(l.amount) : '',
      ]),
      ['', '合计 借贷平衡', formatMoney(entry.total), formatMoney(entry.total)],
    ]);
    // Maker-checker: the proposer is not offered approve, is told why, and the API refuses it too.
    expect(await actions()).not.toContain('approve');
    expect(await page.locator('[data-test="maker-checker"]').getAttribute('data-reason')).toBe(
      'own-proposal',
    );
    const own = await act(caseId, 'li.finance', { type: 'approve' });
    expect(own).toMatchObject({ status: 403, body: { code: 'proposer_cannot_approve' } });

    // zhao.reviewer, the finance reviewer, approves first: one of the two approvals.
    await switchTo('zhao.reviewer');
    expect(await actions()).toContain('approve');
    await page.locator('[data-action="approve"]').click();
    await page.locator('[name="comment"]').fill('金额已核对');
    await submit();
    await page.waitForSelector('[data-test="approvals"] li[data-user="zhao.reviewer"]');
    expect(await page.locator('[data-test="case-state"]').getAttribute('data-state')).toBe('PROPOSED');
    expect(await page.locator('[data-test="requirements"]').textContent()).toContain('1/2');

    // wang.lead opens it; meanwhile chen.it comments through the API, so wang's approval is for a
    // version that moved on: 409, said plainly, and the case shown as it is now.
    await switchTo('wang.lead');
    const seen = await page.locator('[data-test="case-version"]').textContent();
    const comment = await act(caseId, 'chen.it', { type: 'comment', text: '接口日志显示该单据未推送' });
    expect(comment.status).toBe(200);
    await page.locator('[data-action="approve"]').click();
    await submit();
    const conflict = page.locator('[data-test="action-error"]');
    await conflict.waitFor();
    expect(await conflict.getAttribute('data-code')).toBe('version_conflict');
    expect(await conflict.textContent()).toContain('案件已被他人更新');
    await page.waitForSelector('[data-test="comments"] li');
    expect(await page.locator('[data-test="comments"]').textContent()).toContain('接口日志显示该单据未推送');
    expect(await page.locator('[data-test="case-version"]').textContent()).not.toBe(seen);

    // Approving again, on the case as it is: the second approval completes it.
    await page.locator('[data-action="approve"]').click();
    await page.locator('[name="comment"]').fill('出库单已核对');
    await submit();
    await state('AWAITING_BOOKS');

    // The trail: both approvals by the people who gave them, the chain verified, as the API has it.
    const trail = await api<Trail>(`/v1/cases/${caseId}/trail`, 'chen.it');
    expect(trail.verified).toBe(true);
    expect(await page.locator('[data-test="trail-verified"]').getAttribute('data-verified')).toBe('true');
    const shown = await page
      .locator('[data-test="trail"] li')
      .evaluateAll((items) =>
        items.map((li) => `${li.getAttribute('data-type')}:${li.getAttribute('data-actor')}`),
      );
    expect(shown).toEqual(trail.events.map((e) => `${e.type}:${e.actor.username}`));
    expect(shown.slice(1)).toEqual([
      'start-review:li.finance',
      'propose:li.finance',
      'approve:zhao.reviewer',
      'comment:chen.it',
      'approve:wang.lead',
    ]);
    expect(
      await page
        .locator('[data-test="approvals"] li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-user'))),
    ).toEqual(['zhao.reviewer', 'wang.lead']);
    await page.locator('[data-test="case-panel"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'dashboard-case-approved.png'), fullPage: true });
    await page
      .locator('[data-test="case-panel"]')
      .screenshot({ path: join(SHOTS, 'dashboard-case-trail.png') });

    // The overview follows: one open RED case fewer, and the approved case no longer blocks the close.
    await go(page, '#/');
    await page.waitForSelector('[data-test="close-verdict"]');
    await page.waitForSelector('[data-test="kpi-open-red"] .value:not(:text("…"))');
    const after = (await openRedCases()).length;
    expect(after).toBe(openBefore - 1);
    expect(digits(await page.locator('[data-test="kpi-open-red"] .value').textContent())).toBe(String(after));
    expect(await page.locator(`[data-test="blockers"] tr[data-group="${groupKey}"]`).count()).toBe(0);
  });
});

describe('the vouchers', () => {
  it('shows the vouchers of the closed month as the API answers them, and filters them by status', async () => {
    const answer = await api<{ vouchers: { voucherId: string; status: string }[] }>(
      '/v1/vouchers?period=2026-10',
    );
    expect(answer.vouchers.length).toBeGreaterThan(0);

    const page = await open('#/vouchers');
    const shownIds = async () =>
      page
        .locator('[data-test="voucher-table"] tbody tr[data-voucher]')
        .evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-voucher')))]);
    expect(await page.locator('[data-test="voucher-period"]').inputValue()).toBe('2026-10');
    expect(await shownIds()).toEqual(answer.vouchers.map((v) => v.voucherId));
    // The viewport only: the whole month is tens of thousands of pixels tall.
    await page.screenshot({ path: join(SHOTS, 'dashboard-vouchers.png') });

    await page.locator('[data-test="voucher-status"]').selectOption('differs');
    await page.waitForURL(/#\/vouchers\?.*status=differs/, { waitUntil: 'commit' });
    await ready(page);
    expect(await shownIds()).toEqual(
      answer.vouchers.filter((v) => v.status === 'differs').map((v) => v.voucherId),
    );
  });
});

describe('the periods (issue 15)', () => {
  it('locks a closed period through the browser, with the override the close-check asks for', async () => {
    const list = await fetch(`${started.api}/v1/periods`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (list.status === 404) return; // The API has no periods yet: the next part checks what the view says.
    const periods = ((await list.json()) as PeriodList).items;
    // No close run is started here: a close changes what the other parts read (see the report).
    const page = await open('#/periods');
    await page.locator('[data-test="user-switcher"]').selectOption('zhao.reviewer');
    await ready(page);
    const never = periods.find((p) => p.status === 'open' && p.lastCloseRunId === null);
    if (never !== undefined) {
      // Never closed: nothing to lock, and the button says so.
      expect(await page.locator(`tr[data-period="${never.period}"] [data-test="lock"]`).isDisabled()).toBe(
        true,
      );
    }
    const closed = periods.find((p) => p.status === 'open' && p.lastCloseRunId !== null);
    if (closed === undefined) return;
    const row = page.locator(`tr[data-period="${closed.period}"]`);
    await row.locator('[data-test="lock"]').click();
    // When the close-check fails: why, and a reason to override it.
    await page.waitForSelector(
      `tr[data-period="${closed.period}"][data-status="locked"], [data-test="lock-blocked"], [data-test="lock-error"]`,
    );
    expect(await page.locator('[data-test="lock-error"]').count()).toBe(0);
    if ((await row.getAttribute('data-status')) !== 'locked') {
      await row.locator('[name="overrideReason"]').fill('差异已列入整改计划,先行锁账');
      await row.locator('[data-test="lock-override"]').click();
    }
    await page.waitForSelector(`tr[data-period="${closed.period}"][data-status="locked"]`);
    const locked = (await api<PeriodList>('/v1/periods')).items.find((p) => p.period === closed.period)!;
    expect(locked).toMatchObject({ status: 'locked', lockedBy: 'zhao.reviewer' });
    await page.screenshot({ path: join(SHOTS, 'dashboard-periods-locked.png'), fullPage: true });
  });

  it('answers every view for the chosen period, and shows the periods as the API lists them', async () => {
    const response = await fetch(`${started.api}/v1/periods`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const page = await open('#/periods');
    const picker = page.locator('[data-test="period-picker"] option');
    if (response.status === 404) {
      // The API has no periods yet: the view says so and the selector offers the live view only.
      expect(await page.locator('[data-test="no-periods-api"]').count()).toBe(1);
      expect(await picker.count()).toBe(1);
      return;
    }
    expect(response.status).toBe(200);
    const list = (await response.json()) as PeriodList;
    expect(await picker.evaluateAll((o) => o.map((x) => x.getAttribute('value')))).toEqual([
      '',
      ...list.items.map((p) => p.period),
    ]);
    if (list.items.length > 0) {
      expect(
        await page
          .locator('[data-test="periods-table"] tbody tr')
          .evaluateAll((rows) =>
            rows.map((r) => [r.getAttribute('data-period'), r.getAttribute('data-status')]),
          ),
      ).toEqual(list.items.map((p) => [p.period, p.status]));
      // The month-over-month chart once a period has its figures (a close, a lock).
      if (list.items.some((p) => p.closeDays !== null || p.errorRate !== null))
        await page.waitForSelector('#periods-chart svg');
    }
    await page.screenshot({ path: join(SHOTS, 'dashboard-periods.png'), fullPage: true });

    // A closed period chosen: the overview heads with its latest close.
    const closed = list.items.find((p) => p.lastCloseRunId !== null);
    if (closed === undefined) return;
    await page.locator('[data-test="period-picker"]').selectOption(closed.period);
    await ready(page);
    await go(page, '#/');
    expect(await page.locator('[data-test="latest-run"]').textContent()).toContain(closed.lastCloseRunId);
    expect(await page.locator('[data-test="close-period"]').inputValue()).toBe(closed.period);
    // Its open RED cases: those of the period, as the cases API lists them.
    const red = await api<{ items: CaseView[] }>(
      `/v1/cases?severity=RED&state=${OPEN_STATES}&period=${closed.period}&limit=500`,
    );
    await page.waitForSelector('[data-test="kpi-open-red"] .value:not(:text("…"))');
    expect(digits(await page.locator('[data-test="kpi-open-red"] .value').textContent())).toBe(
      String(red.items.length),
    );
  });
});

describe('the languages', () => {
  it('switches the whole page to English and back', async () => {
    const page = await open('#/heatmap');
    await page.locator('[data-test="language"]').click();
    await ready(page);
    expect(await page.locator('[data-test="nav-heatmap"]').textContent()).toBe('Heat map');
    expect(await page.locator('#heat-kind svg text', { hasText: 'Duplicate posting' }).count()).toBe(1);
    await page.locator('[data-test="language"]').click();
    await ready(page);
    expect(await page.locator('[data-test="nav-heatmap"]').textContent()).toBe('热力图');
  });
});
