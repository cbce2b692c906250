import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_ZH, type Kind } from '../../lib/core/discrepancy.js';
import type { RunDiscrepancy } from '../../lib/core/run-events.js';
import type { RunHeatMap } from '../../lib/core/run-heat-map.js';
import type { RunPage } from '../../lib/adapters/run-store.js';

// The dashboard end to end (issue 9): `stocktally start --demo` as a user runs it (the bundled CLI in
// a child process), Debian's Chromium driven by playwright-core, every figure checked against the
// API's own answer. Screenshots go to test-results/ (gitignored) for a person to look at.
export const CHROMIUM = process.env.STOCKTALLY_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
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
    ['dist/stocktally.js', 'start', '--demo', '--port', '0', '--data', dataDir],
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
let page: Page;
const dataDir = join(mkdtempSync(join(tmpdir(), 'stocktally-e2e-')), 'data');
const problems: string[] = [];

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${started.api}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
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

async function ready(): Promise<void> {
  await page.waitForSelector('#view[data-ready="true"]', { timeout: 30_000 });
}

const digits = (text: string | null) => (text ?? '').replace(/[,\s%]/g, '');

beforeAll(async () => {
  // Fails, never skips: the browser test is part of the suite (.ci/run installs Debian's chromium).
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (or set STOCKTALLY_CHROMIUM)`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  started = await startDemo(dataDir);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (started?.child.exitCode === null) {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGINT');
    await exited;
  }
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

describe('the dashboard in Chromium against stocktally start --demo', () => {
  it('prints a signed-in dashboard address and serves the app with security headers, no token needed', async () => {
    const response = await fetch(`${started.api}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await (await fetch(`${started.api}/config.json`)).json()).toEqual({ mode: 'local', apiUrl: '' });
    expect(started.dashboard).toBe(`${started.api}/#token=${TOKEN}`);
  });

  it('leaves a demo worth looking at: several warehouses, every kind, RED items', async () => {
    const run = (await api<RunPage>('/v1/runs')).items[0]!;
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);

    expect(run.status).toBe('SUCCEEDED');
    expect(heat.warehouses.length).toBeGreaterThanOrEqual(5);
    expect(new Set(heat.byKind.map((c) => c.kind)).size).toBe(Object.keys(KIND_ZH).length);
    expect(heat.open.RED.count).toBeGreaterThan(0);
  });

  it('shows the latest run’s numbers on the overview, exactly as the API gives them', async () => {
    const runs = await api<RunPage>('/v1/runs');
    const run = runs.items[0]!;
    const s = run.summary!;
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);

    await page.goto(started.dashboard);
    await ready();
    await page.waitForSelector('[data-test="close-check"] .notice, [data-test="close-verdict"]');
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
    expect(digits(await value('kpi-open-red'))).toBe(String(heat.open.RED.count));
    expect(await page.locator('[data-test="kpi-money"] .value').textContent()).toMatch(
      /^\d{1,3}(,\d{3})*\.\d{2}$/,
    );
    expect(await page.locator('#trend-chart svg').count()).toBe(1);
    // No workflow on this branch's API: no user switcher, and the close check says why.
    expect(await page.locator('[data-test="user-switcher"]').count()).toBe(0);
    expect(await page.locator('[data-test="who"]').textContent()).toContain('local');
    await page.screenshot({ path: join(SHOTS, 'dashboard-overview.png'), fullPage: true });
  });

  it('lists exactly a heat-map cell’s discrepancies when the cell is clicked', async () => {
    const run = (await api<RunPage>('/v1/runs')).items[0]!;
    const heat = await api<RunHeatMap>(`/v1/runs/${run.runId}/heatmap`);
    const cell = [...heat.byKind].sort((a, b) => b.count - a.count)[0]!;

    await page.goto(`${started.api}/#/heatmap`);
    await ready();
    const chart = page.locator('#heat-kind svg');
    await chart.waitFor();
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
    await ready();

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

  it('opens a discrepancy with both sides’ records, and says the case workflow is not there yet', async () => {
    await page.locator('[data-test="discrepancy-table"] tbody tr').first().click();
    await ready();
    await page.waitForSelector('[data-test="case-panel"] .notice, [data-test="case-state"]');

    expect(await page.locator('[data-test="explanation"]').textContent()).not.toBe('');
    expect(
      await page
        .locator('[data-test="wms-records"] tbody tr, [data-test="finance-records"] tbody tr')
        .count(),
    ).toBeGreaterThan(0);
  });

  it('switches the whole page to English and back', async () => {
    await page.goto(`${started.api}/#/heatmap`);
    await ready();
    await page.locator('[data-test="language"]').click();
    await ready();
    expect(await page.locator('[data-test="nav-heatmap"]').textContent()).toBe('Heat map');
    expect(await page.locator('#heat-kind svg text', { hasText: 'Duplicate posting' }).count()).toBe(1);
    await page.locator('[data-test="language"]').click();
    await ready();
    expect(await page.locator('[data-test="nav-heatmap"]').textContent()).toBe('热力图');
  });

  it('broke no content security rule and threw no error on the way', () => {
    expect(problems).toEqual([]);
  });
});
