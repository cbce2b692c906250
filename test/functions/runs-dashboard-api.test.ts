import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, webhookEvent, type Aws } from './ingest-harness.js';
import { apiEvent, FINANCE_CALLER, runAll, startRunsAws } from './runs-harness.js';
import { setRunStarter } from '../../lib/adapters/runs/run-starter.js';
import { formatMoney, parseDecimal } from '../../lib/core/shared/decimal.js';
import { SEVERITIES } from '../../lib/core/reconcile/discrepancy.js';
import type { RunDiscrepancy } from '../../lib/core/runs/run-events.js';
import type { RunHeatMap } from '../../lib/core/runs/run-heat-map.js';
import type { RunBrief } from '../../lib/adapters/runs/run-store.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';

// The dashboard's routes (issue 9) through the real handler on the embedded stand-ins: the run list,
// the heat map aggregates SummarizeRun stores, and sorted, age-filtered discrepancy pages.
const AS_OF = '2026-11-02T00:00:00.000Z';
const LATER = '2026-11-12T00:00:00.000Z';
const T = Date.parse(AS_OF);
const hoursBefore = (h: number) => new Date(T - h * 3_600_000).toISOString();

let aws: Aws;

const call = async (path: string, query: Record<string, string> = {}) =>
  answerOf(await runsApi(apiEvent('GET', path, { query }), lambdaContext()));

const exact = (text: string): bigint => {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value;
};

/**
 * Four warehouses, every side of the contract's kinds the seed can give: one-sided documents old
 * and fresh (MISSING_IN_*, TIMING_LAG), quantity and amount mismatches, a type mismatch; money from
 * cents to six figures so all three severities appear.
 */
async function seed(): Promise<void> {
  const costs = ['6000', '600', '12.5', '0.37'];
  const movements: Record<string, unknown>[] = [];
  const entries: Record<string, unknown>[] = [];
  for (let n = 0; n < 160; n++) {
    const warehouseId = `WH-${n % 4}`;
    const unitCost = costs[n % 4] ?? '1';
    const base = { warehouseId, sku: `SKU-${n % 23}`, documentRef: `DOC-${n}` };
    const shape = n % 5;
    if (shape !== 4) {
      movements.push({
        ...base,
        eventId: `E${n}`,
        type: 'RECEIPT',
        quantity: '10',
        occurredAt: n % 2 === 0 ? hoursBefore(24 * 5) : hoursBefore(2),
        unitCost,
      });
    }
    if (shape === 1 || shape === 2 || shape === 4 || shape === 3) {
      const quantity = shape === 1 ? '9' : '10';
      const amount = shape === 2 ? '99.99' : (Number(unitCost) * Number(quantity)).toFixed(2);
      entries.push({
        ...base,
        entryId: `F${n}`,
        type: shape === 3 ? 'SHIPMENT' : 'RECEIPT',
        quantity,
        amount: shape === 4 ? '1234.56' : amount,
        postedAt: hoursBefore(24 * 4),
      });
    }
  }
  for (const [path, body] of [
    ['/v1/movements', movements],
    ['/v1/entries', entries],
  ] as const) {
    const answer = answerOf(await webhook(webhookEvent(JSON.stringify(body), { path }), lambdaContext()));
    expect(answer.body.accepted).toBe(body.length);
  }
}

async function everything(runId: string, query: Record<string, string>): Promise<RunDiscrepancy[][]> {
  const pages: RunDiscrepancy[][] = [];
  let cursor: string | null = null;
  do {
    const answer = await call(`/v1/runs/${runId}/discrepancies`, {
      ...query,
      ...(cursor === null ? {} : { cursor }),
    });
    expect(answer.statusCode).toBe(200);
    pages.push(answer.body.items as RunDiscrepancy[]);
    cursor = answer.body.cursor as string | null;
  } while (cursor !== null);
  return pages;
}

let first: RunDiscrepancy[];
let later: RunDiscrepancy[];

beforeAll(async () => {
  aws = await startRunsAws();
  setRunStarter({ start: async () => undefined });
  await seed();
  await runAll({ runId: 'close-first', mode: 'close', asOf: AS_OF });
  await runAll({ runId: 'close-later', mode: 'close', asOf: LATER });
  first = (await everything('close-first', { limit: '1000' })).flat();
  later = (await everything('close-later', { limit: '1000' })).flat();
});
afterAll(async () => {
  setRunStarter(undefined);
  await aws.stop();
});

describe('GET /v1/runs', () => {
  it('lists the runs most recently started first, with their summary figures but not their row lists', async () => {
    const answer = await call('/v1/runs');
    const items = answer.body.items as RunBrief[];

    expect(answer.statusCode).toBe(200);
    expect(items.map((r) => r.runId)).toEqual(['close-later', 'close-first']);
    expect(items[1]).toMatchObject({ status: 'SUCCEEDED', mode: 'close', asOf: AS_OF, partitions: 64 });
    const full = await call('/v1/runs/close-first');
    const summary = full.body.summary as Record<string, unknown>;
    expect(items[1]?.summary).toMatchObject({
      groupsSeen: summary.groupsSeen,
      matchRate: summary.matchRate,
      moneyAtStake: summary.moneyAtStake,
      rejected: (summary.rejected as unknown[]).length,
    });
    expect(answer.body.cursor).toBeNull();
  });

  it('pages with a cursor, each run once', async () => {
    const one = await call('/v1/runs', { limit: '1' });
    const two = await call('/v1/runs', { limit: '1', cursor: one.body.cursor as string });

    expect((one.body.items as RunBrief[]).map((r) => r.runId)).toEqual(['close-later']);
    expect((two.body.items as RunBrief[]).map((r) => r.runId)).toEqual(['close-first']);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const answer = await call('/v1/runs', query);
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain(field);
  });
});

describe('GET /v1/runs/{runId}/heatmap', () => {
  it('answers cells whose counts and exact sums are those of the listed discrepancies', async () => {
    const answer = await call('/v1/runs/close-first/heatmap');
    const heat = answer.body as unknown as RunHeatMap;

    expect(answer.statusCode).toBe(200);
    expect(heat).toMatchObject({ runId: 'close-first', asOf: AS_OF });
    const cells = new Map<string, { count: number; money: bigint }>();
    for (const d of first) {
      for (const key of [`k|${d.warehouseId}|${d.kind}`, `a|${d.warehouseId}|${d.ageBucket}`]) {
        const cell = cells.get(key) ?? { count: 0, money: 0n };
        cell.count++;
        cell.money += exact(d.moneyAtStake);
        cells.set(key, cell);
      }
    }
    const shown = [
      ...heat.byKind.map((c) => [`k|${c.warehouseId}|${c.kind}`, c] as const),
      ...heat.byAge.map((c) => [`a|${c.warehouseId}|${c.ageBucket}`, c] as const),
    ];
    expect(shown.length).toBe(cells.size);
    for (const [key, cell] of shown) {
      expect(cell.count, key).toBe(cells.get(key)?.count);
      expect(cell.moneyAtStake, key).toBe(formatMoney(cells.get(key)?.money ?? -1n));
      expect(SEVERITIES.reduce((n, s) => n + cell.bySeverity[s].count, 0)).toBe(cell.count);
    }
  });

  it('agrees with the run summary and orders warehouses by money at stake', async () => {
    const heat = (await call('/v1/runs/close-first/heatmap')).body as unknown as RunHeatMap;
    const run = (await call('/v1/runs/close-first')).body as {
      summary: { bySeverity: Record<string, number>; moneyAtStake: Record<string, string> };
    };

    for (const s of SEVERITIES) {
      expect(heat.open[s].count).toBe(run.summary.bySeverity[s]);
      expect(heat.open[s].moneyAtStake).toBe(run.summary.moneyAtStake[s]);
    }
    expect(heat.open.RED.oldestFirstSeen).toBe(AS_OF);
    const totals = heat.warehouses.map((w) =>
      heat.byKind.filter((c) => c.warehouseId === w).reduce((m, c) => m + exact(c.moneyAtStake), 0n),
    );
    expect(heat.warehouses).toHaveLength(4);
    expect([...totals].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(totals);
    expect(new Set(heat.byKind.map((c) => c.kind)).size).toBeGreaterThanOrEqual(5);
  });

  it('ages the cells with the later run: the groups seen ten days before sit in 8-30', async () => {
    const heat = (await call('/v1/runs/close-later/heatmap')).body as unknown as RunHeatMap;

    expect(new Set(heat.byAge.map((c) => c.ageBucket))).toEqual(new Set(['8-30']));
    expect(heat.open.RED.oldestFirstSeen).toBe(AS_OF);
    expect(heat.byAge.reduce((n, c) => n + c.count, 0)).toBe(later.length);
  });

  it('answers 404 while the run is RUNNING, and for an unknown run', async () => {
    const started = answerOf(
      await runsApi(
        apiEvent('POST', '/v1/runs', { body: JSON.stringify({ mode: 'close' }), caller: FINANCE_CALLER }),
        lambdaContext(),
      ),
    );
    const running = await call(`/v1/runs/${started.body.runId as string}/heatmap`);
    const missing = await call('/v1/runs/close-nope/heatmap');

    expect(running).toMatchObject({ statusCode: 404, body: { code: 'run_not_found' } });
    expect(running.body.message).toContain('RUNNING');
    expect(missing).toMatchObject({ statusCode: 404, body: { code: 'run_not_found' } });
  });
});

describe('GET /v1/runs/{runId}/discrepancies, sorted and by age', () => {
  it('sorts by money at stake, largest first, paging every item exactly once', async () => {
    const pages = await everything('close-first', { sort: 'stake-desc', limit: '7' });
    const items = pages.flat();
    const money = items.map((d) => exact(d.moneyAtStake));

    expect(pages.length).toBeGreaterThan(3);
    expect(items.map((d) => d.groupKey).sort()).toEqual(first.map((d) => d.groupKey).sort());
    for (let i = 1; i < money.length; i++) expect(money[i - 1]! >= money[i]!).toBe(true);
    expect(money[0]).toBeGreaterThan(money[money.length - 1]!);
  });

  it('sorts smallest first with stake-asc, filters applied', async () => {
    const items = (
      await everything('close-first', { sort: 'stake-asc', severity: 'GREEN', limit: '5' })
    ).flat();
    const want = first.filter((d) => d.severity === 'GREEN');

    expect(items).toHaveLength(want.length);
    const money = items.map((d) => exact(d.moneyAtStake));
    for (let i = 1; i < money.length; i++) expect(money[i - 1]! <= money[i]!).toBe(true);
  });

  it('filters by warehouse and kind: exactly one heat-map cell', async () => {
    const heat = (await call('/v1/runs/close-first/heatmap')).body as unknown as RunHeatMap;
    const cell = heat.byKind.find((c) => c.count > 1)!;
    const items = (
      await everything('close-first', {
        warehouseId: cell.warehouseId,
        kind: cell.kind,
        sort: 'stake-desc',
        limit: '2',
      })
    ).flat();

    expect(items).toHaveLength(cell.count);
    expect(formatMoney(items.reduce((m, d) => m + exact(d.moneyAtStake), 0n))).toBe(cell.moneyAtStake);
  });

  it('pages one warehouse by money through its own index, smallest first too, each item once', async () => {
    const want = first.filter((d) => d.warehouseId === 'WH-2');
    for (const sort of ['stake-desc', 'stake-asc'] as const) {
      const pages = await everything('close-first', { warehouseId: 'WH-2', sort, limit: '4' });
      const items = pages.flat();
      const money = items.map((d) => exact(d.moneyAtStake));

      expect(items.map((d) => d.groupKey).sort()).toEqual(want.map((d) => d.groupKey).sort());
      for (let i = 1; i < money.length; i++)
        expect(sort === 'stake-desc' ? money[i - 1]! >= money[i]! : money[i - 1]! <= money[i]!).toBe(true);
    }
  });

  it('filters by age bucket', async () => {
    const old = (await everything('close-later', { age: '8-30' })).flat();
    const fresh = (await everything('close-later', { age: '0-1,2-7' })).flat();

    expect(old).toHaveLength(later.length);
    expect(fresh).toEqual([]);
  });

  it.each([
    [{ sort: 'price' }, 'sort'],
    [{ age: '3-4' }, 'age'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const answer = await call('/v1/runs/close-first/discrepancies', query);
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain(field);
  });

  it('refuses a cursor of one order in another', async () => {
    const page = await call('/v1/runs/close-first/discrepancies', { limit: '3' });
    const answer = await call('/v1/runs/close-first/discrepancies', {
      sort: 'stake-desc',
      cursor: page.body.cursor as string,
    });
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain('cursor');
  });
});

describe('GET /v1/runs/{runId}/discrepancies/{groupKey}', () => {
  it('answers the discrepancy, its history across runs and both sides’ stored records', async () => {
    const two = first.find((d) => d.wmsEventIds.length > 0 && d.financeEntryIds.length > 0)!;
    const answer = await call(`/v1/runs/close-later/discrepancies/${encodeURIComponent(two.groupKey)}`);
    const body = answer.body as {
      discrepancy: RunDiscrepancy;
      history: { runId: string; state: string }[];
      records: { wms: { eventId: string }[]; finance: { entryId: string; amount: string }[] };
    };

    expect(answer.statusCode).toBe(200);
    expect(body.discrepancy).toMatchObject({
      groupKey: two.groupKey,
      state: 'PERSISTING',
      ageBucket: '8-30',
    });
    expect(body.history.map((h) => [h.runId, h.state])).toEqual([
      ['close-later', 'PERSISTING'],
      ['close-first', 'NEW'],
    ]);
    expect(body.records.wms.map((r) => r.eventId)).toEqual(two.wmsEventIds);
    expect(body.records.finance.map((r) => r.entryId)).toEqual(two.financeEntryIds);
    expect(typeof body.records.finance[0]?.amount).toBe('string');
  });

  it('answers 404 for a group the run did not find, and for a key that is not a group', async () => {
    const one = first[0]!;
    for (const path of [
      `/v1/runs/close-first/discrepancies/${encodeURIComponent('WH-9|SKU-0|NOPE')}`,
      `/v1/runs/close-nope/discrepancies/${encodeURIComponent(one.groupKey)}`,
      '/v1/runs/close-first/discrepancies/not-a-group',
    ]) {
      const answer = await call(path);
      expect(answer, path).toMatchObject({ statusCode: 404, body: { code: 'run_not_found' } });
    }
  });
});

describe('GET /v1/runs/{runId}/report?redirect=false', () => {
  it('answers the presigned link as JSON for a browser, and the 302 without it', async () => {
    const json = await call('/v1/runs/close-first/report', { format: 'csv', redirect: 'false' });
    const redirect = await runsApi(
      apiEvent('GET', '/v1/runs/close-first/report', { query: { format: 'csv' } }),
      lambdaContext(),
    );

    expect(json.statusCode).toBe(200);
    expect(json.body.url).toMatch(/\/reports\/close-first\/report\.csv\?.*X-Amz-Signature=/);
    expect(redirect).toMatchObject({ statusCode: 302 });
  });

  it('refuses redirect=maybe with 400 naming redirect', async () => {
    const answer = await call('/v1/runs/close-first/report', { redirect: 'maybe' });
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain('redirect');
  });
});

describe('GET /v1/runs with an ad-hoc run', () => {
  it('says which runs are scoped, so the dashboard keeps them apart from closes and continuous runs', async () => {
    await runAll({ runId: 'adhoc-one-sku', mode: 'continuous', asOf: LATER, scope: { skus: ['SKU-1'] } });
    const items = (await call('/v1/runs')).body.items as RunBrief[];

    const scopes = Object.fromEntries(items.map((r) => [r.runId, r.scope ?? null]));
    expect(scopes).toMatchObject({
      'adhoc-one-sku': { skus: ['SKU-1'] },
      'close-later': null,
      'close-first': null,
    });
  });
});
