// Dashboard benchmark (issue 9): a run with 100k discrepancies on the local stack, then the API and
// the page timed the way a finance user meets them: time to first view of the heat map and of the
// list, and time per filter change (each the median of a few tries). The discrepancies are written
// by the real run store (writePartition, putPartitionResult) and summarized by the real SummarizeRun
// handler (heat map, lifecycle and reports included); the pipeline serves the API and the built app
// as `stocktally start` does. Not wired into `npm run bench`; build first (npm run build), then:
//
//   npx esbuild bench/web.ts --bundle --platform=node --format=esm --target=node22 \
//     --outfile=dist/bench-web.js --external:dynalite --external:s3rver --external:aws-local-stepfunctions \
//     --external:playwright-core \
//     --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
//   node dist/bench-web.js [--discrepancies 100000] [--chromium /usr/bin/chromium (default: the npm one)]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { KINDS, type Discrepancy, type Kind, type Severity } from '../lib/core/reconcile/discrepancy.js';
import type { Transition } from '../lib/core/runs/lifecycle.js';
import { heatOfTransitions } from '../lib/core/runs/run-heat-map.js';
import { startedRun } from '../lib/core/runs/run-request.js';
import type { ReconcilePartitionOutput, RunRecord } from '../lib/core/runs/run-events.js';
import { countDiscrepancy, emptyTally } from '../lib/core/reconcile/summary.js';
import { tallyToJson } from '../lib/core/runs/run-partition.js';
import { parseDecimal } from '../lib/core/shared/decimal.js';
import { RunStore } from '../lib/adapters/runs/run-store.js';
import { RUNS_TABLE } from '../lib/declarations/tables.js';
import { localDynamoClient } from '../lib/local/standins/embedded-aws.js';
import { invoke } from '../lib/local/standins/lambda-runtime.js';
import { startPipeline } from '../lib/local/wiring/pipeline.js';
import { loadRealHandlers } from '../lib/local/wiring/real-handlers.js';
import { loadRealRunHandlers } from '../lib/local/wiring/real-run-handlers.js';
import { dashboardUrl, findBuiltSite } from '../lib/local/standins/static-site.js';
import { RUN_FUNCTIONS } from '../lib/declarations/runs.js';

const TOKEN = 'bench-web-token';
const AS_OF = '2026-11-02T00:00:00.000Z';
const PARTITIONS = 64;
const WAREHOUSES = Array.from({ length: 40 }, (_, i) => `WH-${String(i + 1).padStart(2, '0')}`);

/** A small deterministic generator (mulberry32), so two benches write the same run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function discrepancy(n: number, random: () => number): Discrepancy {
  const kind = KINDS[Math.floor(random() * KINDS.length)] as Kind;
  // Skewed: a few warehouses hold most of the differences, as in life.
  const warehouseId = WAREHOUSES[Math.floor(random() ** 2 * WAREHOUSES.length)] ?? 'WH-01';
  const cents = Math.floor(random() ** 3 * 20_000_000);
  const money = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const severity: Severity = cents >= 5_000_000 ? 'RED' : cents >= 500_000 ? 'YELLOW' : 'GREEN';
  const sku = `SKU-${String(n % 20_000).padStart(5, '0')}`;
  const documentRef = `DOC-${String(n).padStart(7, '0')}`;
  return {
    groupKey: `${warehouseId}|${sku}|${documentRef}`,
    kind,
    severity,
    warehouseId,
    sku,
    documentRef,
    uom: 'EA',
    wmsQuantity: '10',
    financeQuantity: '9',
    quantityDelta: '1',
    unitCost: money,
    unitCostSource: 'wms',
    financeUnitCost: null,
    expectedAmount: money,
    financeAmount: '0.00',
    amountDelta: `-${money}`,
    moneyAtStake: money,
    wmsTypes: ['RECEIPT'],
    financeTypes: ['RECEIPT'],
    latestEventAt: '2026-10-30T08:00:00.000Z',
    latestPostingAt: null,
    wmsPeriod: '2026-10',
    financePeriod: null,
    wmsEventIds: [`E${n}`],
    financeEntryIds: [],
    duplicateEntryIds: [],
    explanation: `bench discrepancy ${n}`,
    explanationZh: `基准差异 ${n}`,
    rejectedRows: [],
  };
}

/** Earlier sightings spread the run over the age buckets (0-1, 2-7, 8-30, >30 days). */
function transition(d: Discrepancy, random: () => number): Transition {
  const daysAgo = [0, 3, 12, 45][Math.floor(random() * 4)] ?? 0;
  const seen = new Date(Date.parse(AS_OF) - daysAgo * 86_400_000).toISOString();
  const prior =
    daysAgo === 0
      ? undefined
      : { lifecycle: { state: 'PERSISTING' as const, firstSeen: seen, lastSeen: seen }, discrepancy: d };
  return {
    groupKey: d.groupKey,
    prior,
    next: {
      lifecycle: { state: daysAgo === 0 ? 'NEW' : 'PERSISTING', firstSeen: seen, lastSeen: AS_OF },
      discrepancy: d,
    },
  };
}

async function writeRun(store: RunStore, runId: string, count: number): Promise<ReconcilePartitionOutput[]> {
  const random = rng(20261102);
  const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
  const input = { runId, mode: 'close' as const, asOf: AS_OF };
  await store.putRun({ run: startedRun(input, new Date(), partitions), dirtyVersions: {} });
  const results: ReconcilePartitionOutput[] = [];
  for (const partition of partitions) {
    const from = Math.floor((partition * count) / PARTITIONS);
    const to = Math.floor(((partition + 1) * count) / PARTITIONS);
    const transitions: Transition[] = [];
    const tally = emptyTally();
    for (let n = from; n < to; n++) {
      const d = discrepancy(n, random);
      transitions.push(transition(d, random));
      const money = parseDecimal(d.moneyAtStake);
      if (!money.ok) throw new Error(money.reason);
      countDiscrepancy(tally, d.kind, d.severity, money.value);
    }
    tally.groupsSeen = (to - from) * 3;
    tally.groupsMatched = tally.groupsSeen - (to - from);
    await store.writePartition(runId, partition, AS_OF, transitions);
    const output: ReconcilePartitionOutput = {
      runId,
      partition,
      groupsSeen: tally.groupsSeen,
      groupsMatched: tally.groupsMatched,
      discrepancies: to - from,
      tally: tallyToJson(tally),
      rejected: 0,
      durationMs: 0,
    };
    await store.putPartitionResult(output, {
      partition,
      resolved: 0,
      rejected: [],
      conflicts: [],
      phasesMs: { read: 0, reconcile: 0, write: 0 },
      heat: heatOfTransitions(transitions, AS_OF),
    });
    results.push(output);
  }
  return results;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function timed(tries: number, what: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < tries; i++) {
    const began = performance.now();
    await what();
    times.push(performance.now() - began);
  }
  return median(times);
}

export interface WebBenchRow {
  what: string;
  ms: number;
  note: string;
}

async function viewReady(page: Page): Promise<void> {
  await page.waitForSelector('#view[data-ready="true"]', { timeout: 120_000 });
}

export async function benchWeb(
  options: { discrepancies?: number; chromium?: string } = {},
): Promise<WebBenchRow[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const count = options.discrepancies ?? 100_000;
  const site = findBuiltSite();
  if (site === undefined) throw new Error('dist/web is not built: npm run build');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-web-'));
  const handlers = { runs: undefined as Awaited<ReturnType<typeof loadRealRunHandlers>> | undefined };
  const pipeline = await startPipeline({
    dataDir,
    port: 0,
    webhookSecret: 'bench-web-secret',
    token: TOKEN,
    loadHandlers: loadRealHandlers,
    runs: { loadHandlers: async () => (handlers.runs = await loadRealRunHandlers()) },
    siteDir: site,
  });
  const rows: WebBenchRow[] = [];
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const client = localDynamoClient(pipeline.dynamodb);
    const store = new RunStore({ client, tableName: RUNS_TABLE.localName, concurrency: 8 });
    const runId = 'close-bench-web';
    let began = performance.now();
    const results = await writeRun(store, runId, count);
    rows.push({
      what: `write ${count} discrepancies (64 partitions, run store)`,
      ms: performance.now() - began,
      note: 'setup',
    });
    say(`  written in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    began = performance.now();
    const summarize = handlers.runs?.summarizeRun;
    if (summarize === undefined) throw new Error('no summarize handler');
    const fn = {
      name: RUN_FUNCTIONS.summarizeRun.localName,
      timeoutMs: 30 * 60_000,
      handler: summarize as unknown as (e: unknown, c: never) => Promise<unknown>,
    };
    const closed = (await invoke(fn as never, { runId, results, failures: [] })) as RunRecord;
    rows.push({
      what: 'SummarizeRun (heat map, lifecycle, reports)',
      ms: performance.now() - began,
      note: `setup; ${closed.status}`,
    });
    say(
      `  summarized in ${((performance.now() - began) / 1000).toFixed(1)} s: ${closed.summary?.discrepancies} discrepancies`,
    );

    const get = async (route: string) => {
      const response = await fetch(`${pipeline.api}${route}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (response.status !== 200) throw new Error(`${route}: ${response.status}`);
      return (await response.json()) as { items?: unknown[]; cursor?: string | null };
    };
    const d = `/v1/runs/${runId}/discrepancies?limit=50`;
    const apiCases: [string, string][] = [
      ['API GET /v1/runs', '/v1/runs'],
      ['API heat map', `/v1/runs/${runId}/heatmap`],
      ['API list, first page, document order', `${d}&sort=document`],
      ['API list, first page, largest first', `${d}&sort=stake-desc`],
      ['API filter kind=TYPE_MISMATCH', `${d}&sort=stake-desc&kind=TYPE_MISMATCH`],
      ['API filter severity=RED', `${d}&sort=stake-desc&severity=RED`],
      ['API filter warehouse WH-01 (busiest)', `${d}&sort=stake-desc&warehouseId=WH-01`],
      ['API filter warehouse WH-40 (quietest)', `${d}&sort=stake-desc&warehouseId=WH-40`],
      ['API cell WH-40 x AMOUNT_MISMATCH', `${d}&sort=stake-desc&warehouseId=WH-40&kind=AMOUNT_MISMATCH`],
      ['API filter age >30', `${d}&sort=stake-desc&age=%3E30`],
      [
        'API sparse: WH-40 x AMOUNT_MISMATCH, RED, >30',
        `${d}&sort=stake-desc&warehouseId=WH-40&kind=AMOUNT_MISMATCH&severity=RED&age=%3E30`,
      ],
      [
        'API sparse, no warehouse: DUPLICATE_POSTING, RED, >30',
        `${d}&sort=stake-desc&kind=DUPLICATE_POSTING&severity=RED&age=%3E30`,
      ],
    ];
    for (const [what, route] of apiCases) {
      let note = '';
      const ms = await timed(3, async () => {
        // A full page, following short pages' cursors as the app does.
        const items: unknown[] = [];
        let cursor: string | null | undefined;
        let calls = 0;
        do {
          const page = await get(`${route}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          items.push(...(page.items ?? []));
          cursor = page.cursor;
          calls++;
        } while (route.includes('discrepancies') && items.length < 50 && cursor);
        note = route.includes('discrepancies') ? `${items.length} items, ${calls} request(s)` : '';
      });
      rows.push({ what, ms, note });
    }

    const browser = await launchBrowser(options.chromium);
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const base = dashboardUrl(pipeline.api, TOKEN);
      await page.goto(base);
      await viewReady(page);
      /** The median of three tries of `go`, each after `prepare` (not timed), until the view is drawn. */
      const pageCase = async (
        what: string,
        go: () => Promise<unknown>,
        note = '',
        prepare?: () => Promise<void>,
      ) => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          await prepare?.();
          const began = performance.now();
          await go();
          await viewReady(page);
          times.push(performance.now() - began);
        }
        rows.push({ what, ms: median(times), note });
      };
      const onList = async () => {
        await page.goto(`${pipeline.api}/#/list?run=${runId}`);
        await viewReady(page);
        await page.evaluate("document.querySelector('#view')?.removeAttribute('data-ready')");
      };
      // First view: a full load of the page (reload), until the view has drawn its data.
      const firstView = async (what: string, hash: string, note: string) => {
        await page.goto(`${pipeline.api}/${hash}`);
        await viewReady(page);
        await pageCase(what, () => page.reload(), note);
      };
      await firstView('page: overview, first view', '#/', 'KPIs, trend, heat-map figures');
      await firstView(
        'page: heat map, first view',
        `#/heatmap?run=${runId}`,
        '40 warehouses x 7 kinds and x 4 ages',
      );
      await firstView('page: list, first view', `#/list?run=${runId}`, '50 rows, largest first');
      const filters: [string, string, string][] = [
        ['kind', 'TYPE_MISMATCH', 'page: filter change kind'],
        ['severity', 'RED', 'page: filter change severity'],
        ['warehouseId', 'WH-40', 'page: filter change warehouse'],
        ['age', '>30', 'page: filter change age'],
      ];
      for (const [name, value, what] of filters) {
        await pageCase(
          what,
          () => page.selectOption(`[data-test="filter-${name}"]`, value),
          'from the unfiltered list',
          onList,
        );
      }
      await pageCase('page: next page (cursor)', () => page.click('[data-test="next"]'), '', onList);
      await pageCase(
        'page: heat-map cell click -> its list',
        async () => {
          const chart = page.locator('#heat-kind svg');
          // The row may lie below the fold of a tall map: bring it into view, then click where it meets the column.
          const label = chart.locator('text', { hasText: /^WH-40$/ }).first();
          await label.scrollIntoViewIfNeeded();
          const row = await label.boundingBox();
          const column = await chart
            .locator('text', { hasText: /^业务类型不匹配$/ })
            .first()
            .boundingBox();
          if (row === null || column === null) throw new Error('heat-map cell not found');
          await page.mouse.click(column.x + column.width / 2, row.y + row.height / 2);
          await page.waitForURL(/#\/list\?/, { waitUntil: 'commit' });
        },
        'WH-40 x TYPE_MISMATCH',
        async () => {
          await page.goto(`${pipeline.api}/#/heatmap?run=${runId}`);
          await viewReady(page);
          await page.locator('#heat-kind svg').waitFor();
        },
      );
    } finally {
      await browser.close();
    }
    client.destroy();
    return rows;
  } finally {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatWebBench(rows: readonly WebBenchRow[]): string {
  return [
    '| what | ms | note |',
    '|---|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.ms >= 10_000 ? (r.ms / 1000).toFixed(1) + ' s' : r.ms.toFixed(0)} | ${r.note} |`,
    ),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { discrepancies: { type: 'string' }, chromium: { type: 'string' } },
  });
  benchWeb({
    ...(values.discrepancies === undefined ? {} : { discrepancies: Number(values.discrepancies) }),
    ...(values.chromium === undefined ? {} : { chromium: values.chromium }),
  }).then(
    (rows) => {
      process.stdout.write(`${formatWebBench(rows)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
