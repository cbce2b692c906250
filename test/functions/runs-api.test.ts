import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, webhookEvent, type Aws } from './ingest-harness.js';
import { apiEvent, FINANCE_CALLER, runAll, startRunsAws } from './runs-harness.js';
import { setRunStarter } from '../../lib/adapters/runs/run-starter.js';
import type { ListPartitionsInput, RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';

// The runs routes of CONTRACT §4 through the real handler on the embedded stand-ins.
const AS_OF = '2026-11-02T00:00:00.000Z';
const T = Date.parse(AS_OF);
const hoursBefore = (h: number) => new Date(T - h * 3_600_000).toISOString();

let aws: Aws;
let started: ListPartitionsInput[] = [];
let all: RunDiscrepancy[];

// Runs are started by finance: every call here is made by a finance specialist unless it says otherwise.
const call = async (method: 'GET' | 'POST', path: string, options: Parameters<typeof apiEvent>[2] = {}) =>
  answerOf(await runsApi(apiEvent(method, path, { caller: FINANCE_CALLER, ...options }), lambdaContext()));

/** 300 WMS-only documents and 60 finance-only ones over three warehouses and three cost levels. */
async function seedFewHundred(): Promise<void> {
  const costs = ['6000', '600', '12.5'];
  const movements = Array.from({ length: 300 }, (_, n) => ({
    eventId: `E${n}`,
    warehouseId: `WH-0${n % 3}`,
    sku: `SKU-${n % 50}`,
    type: 'RECEIPT',
    quantity: '10',
    documentRef: `PO-${n}`,
    occurredAt: n % 2 === 0 ? hoursBefore(24 * 5) : hoursBefore(2),
    unitCost: costs[n % 5 < 3 ? n % 5 : 2],
  }));
  const entries = Array.from({ length: 60 }, (_, n) => ({
    entryId: `F${n}`,
    warehouseId: `WH-0${n % 3}`,
    sku: `SKU-${n % 50}`,
    type: 'SHIPMENT',
    quantity: '1',
    amount: '80.00',
    documentRef: `SO-${n}`,
    postedAt: hoursBefore(24 * 4),
  }));
  for (const [path, body] of [
    ['/v1/movements', movements],
    ['/v1/entries', entries],
  ] as const) {
    const answer = answerOf(await webhook(webhookEvent(JSON.stringify(body), { path }), lambdaContext()));
    expect(answer.body.accepted).toBe(body.length);
  }
}

async function pages(runId: string, query: Record<string, string>): Promise<RunDiscrepancy[][]> {
  const out: RunDiscrepancy[][] = [];
  let cursor: string | null = null;
  do {
    const answer = await call('GET', `/v1/runs/${runId}/discrepancies`, {
      query: { ...query, ...(cursor === null ? {} : { cursor }) },
    });
    expect(answer.statusCode).toBe(200);
    out.push(answer.body.items as RunDiscrepancy[]);
    cursor = answer.body.cursor as string | null;
  } while (cursor !== null);
  return out;
}

beforeAll(async () => {
  aws = await startRunsAws();
  setRunStarter({ start: async (input) => void started.push(input) });
  await seedFewHundred();
  await runAll({ runId: 'close-many', mode: 'close', asOf: AS_OF });
  all = (await pages('close-many', { limit: '1000' })).flat();
});
afterAll(async () => {
  setRunStarter(undefined);
  await aws.stop();
});
afterEach(() => {
  started = [];
});

describe('POST /v1/runs', () => {
  it('answers 202 with the run id, starts the state machine with it and records the run as RUNNING', async () => {
    const answer = await call('POST', '/v1/runs', {
      body: JSON.stringify({
        mode: 'close',
        asOf: '2026-11-02T08:00:00+08:00',
        scope: { warehouses: ['WH-01'] },
      }),
    });

    expect(answer.statusCode).toBe(202);
    const runId = answer.body.runId as string;
    expect(runId).toMatch(/^close-20261102T000000Z-[0-9a-f]{8}$/);
    expect(started).toEqual([
      { runId, mode: 'close', asOf: '2026-11-02T00:00:00.000Z', scope: { warehouses: ['WH-01'] } },
    ]);
    const run = await call('GET', `/v1/runs/${runId}`);
    expect(run.statusCode).toBe(200);
    expect(run.body).toMatchObject({ runId, status: 'RUNNING', mode: 'close', summary: null });
  });

  it('takes a period close at the first instant of the next month', async () => {
    const answer = await call('POST', '/v1/runs', {
      body: JSON.stringify({ mode: 'close', period: '2026-12' }),
    });
    expect(answer.statusCode).toBe(202);
    expect(started[0]).toMatchObject({ mode: 'close', period: '2026-12', asOf: '2027-01-01T00:00:00.000Z' });
  });

  it.each([
    [{ mode: 'weekly' }, 'mode'],
    [{}, 'mode'],
    [{ mode: 'close', asOf: 'yesterday' }, 'asOf'],
    [{ mode: 'close', period: '2026-13' }, 'period'],
    [{ mode: 'close', scope: { warehouses: 'WH-01' } }, 'scope.warehouses'],
    [{ mode: 'close', colour: 'red' }, 'colour'],
  ])('refuses %j with 400 naming %s, and starts nothing', async (body, field) => {
    const answer = await call('POST', '/v1/runs', { body: JSON.stringify(body) });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.code).toBe('invalid_request');
    expect(answer.body.message).toContain(field);
    expect(started).toEqual([]);
  });

  it.each([
    ['IT support', { username: 'chen.it', roles: ['it-support'] }],
    ['a warehouse lead', { username: 'wang.lead', roles: ['warehouse-lead'] }],
    ['a caller with no role', { username: 'nobody', roles: [] }],
  ])('refuses %s with 403 and starts nothing', async (_who, caller) => {
    const answer = await call('POST', '/v1/runs', { body: JSON.stringify({ mode: 'close' }), caller });
    expect(answer).toMatchObject({ statusCode: 403, body: { code: 'run_role_required' } });
    expect(started).toEqual([]);
  });

  it('refuses a request without a verified identity with 401', async () => {
    const answer = answerOf(
      await runsApi(
        apiEvent('POST', '/v1/runs', { body: JSON.stringify({ mode: 'close' }) }),
        lambdaContext(),
      ),
    );
    expect(answer).toMatchObject({ statusCode: 401, body: { code: 'unauthenticated' } });
    expect(started).toEqual([]);
  });

  it.each([
    ['a finance reviewer', { username: 'zhao.reviewer', roles: ['finance-reviewer'] }],
    ['an admin', { username: 'local', roles: ['admin'] }],
  ])('lets %s start a run', async (_who, caller) => {
    const answer = await call('POST', '/v1/runs', { body: JSON.stringify({ mode: 'continuous' }), caller });
    expect(answer.statusCode).toBe(202);
    expect(started).toHaveLength(1);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const answer = await call('POST', '/v1/runs', { body: '{mode: close' });
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
  });

  it('closes the run FAILED when the state machine cannot be started', async () => {
    const refused: string[] = [];
    setRunStarter({
      start: (input) => {
        refused.push(input.runId);
        return Promise.reject(new Error('AccessDenied'));
      },
    });
    try {
      const answer = await call('POST', '/v1/runs', { body: JSON.stringify({ mode: 'continuous' }) });
      expect(answer).toMatchObject({ statusCode: 500, body: { code: 'internal' } });
    } finally {
      setRunStarter({ start: async (input) => void started.push(input) });
    }
    const run = await call('GET', `/v1/runs/${refused[0] ?? '-'}`);
    expect(run.body).toMatchObject({ status: 'FAILED' });
  });
});

describe('GET /v1/runs/{runId}', () => {
  it('answers the run with its summary in the shape of summary.json', async () => {
    const answer = await call('GET', '/v1/runs/close-many');
    const run = answer.body as unknown as RunRecord;
    expect(answer.statusCode).toBe(200);
    expect(run).toMatchObject({ runId: 'close-many', status: 'SUCCEEDED', mode: 'close', asOf: AS_OF });
    expect(run.summary).toMatchObject({ discrepancies: 360, groupsSeen: 360, matchRate: '0.0000' });
    // Wall time between the run's own timestamps (the suite's clock stands still); the work is measured.
    expect(run.timings.totalMs).toBe(Date.parse(run.finishedAt!) - Date.parse(run.startedAt));
    expect(run.timings.partitionsMs).toBeGreaterThan(0);
  });

  it('answers 404 for a run that does not exist', async () => {
    for (const path of ['/v1/runs/close-nope', '/v1/runs/close-nope/discrepancies', '/v1/runs/bad%20id']) {
      const answer = await call('GET', path);
      expect(answer).toMatchObject({ statusCode: 404, body: { code: 'run_not_found' } });
    }
  });
});

describe('GET /v1/runs/{runId}/discrepancies', () => {
  it('pages through every discrepancy exactly once, in a stable order', async () => {
    const paged = await pages('close-many', { limit: '37' });
    const keys = paged.flat().map((d) => d.groupKey);

    expect(all).toHaveLength(360);
    expect(paged.length).toBeGreaterThanOrEqual(10);
    expect(paged.slice(0, -1).every((p) => p.length === 37)).toBe(true);
    expect(new Set(keys).size).toBe(360);
    expect(keys).toEqual(all.map((d) => d.groupKey));
    expect(all[0]).toMatchObject({ state: 'NEW', firstSeen: AS_OF, lastSeen: AS_OF, ageBucket: '0-1' });
  });

  it.each([
    [{ kind: 'MISSING_IN_FINANCE' }, (d: RunDiscrepancy) => d.kind === 'MISSING_IN_FINANCE'],
    [{ severity: 'RED' }, (d: RunDiscrepancy) => d.severity === 'RED'],
    [{ warehouseId: 'WH-02' }, (d: RunDiscrepancy) => d.warehouseId === 'WH-02'],
    [
      { kind: 'TIMING_LAG,MISSING_IN_WMS', severity: 'GREEN', warehouseId: 'WH-01' },
      (d: RunDiscrepancy) =>
        ['TIMING_LAG', 'MISSING_IN_WMS'].includes(d.kind) &&
        d.severity === 'GREEN' &&
        d.warehouseId === 'WH-01',
    ],
    [{ state: 'NEW' }, () => true],
    [{ state: 'RESOLVED' }, () => false],
  ])('filters %j server side, pages and all', async (query, keep) => {
    const paged = await pages('close-many', { ...query, limit: '9' });
    const want = all.filter(keep).map((d) => d.groupKey);

    expect(paged.flat().map((d) => d.groupKey)).toEqual(want);
    if (want.length > 9) expect(paged.length).toBeGreaterThan(1);
  });

  it('shows that the filters are not vacuous', () => {
    const kinds = new Set(all.map((d) => d.kind));
    const severities = new Set(all.map((d) => d.severity));
    expect([...kinds].sort()).toEqual(['MISSING_IN_FINANCE', 'MISSING_IN_WMS', 'TIMING_LAG']);
    expect([...severities].sort()).toEqual(['GREEN', 'RED', 'YELLOW']);
  });

  it.each([
    [{ kind: 'LATE' }, 'kind'],
    [{ severity: 'AMBER' }, 'severity'],
    [{ state: 'OPEN' }, 'state'],
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const answer = await call('GET', '/v1/runs/close-many/discrepancies', { query });
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain(field);
  });

  it('refuses the cursor of another run', async () => {
    const first = await call('GET', '/v1/runs/close-many/discrepancies', { query: { limit: '5' } });
    const other = await call('POST', '/v1/runs', { body: JSON.stringify({ mode: 'close' }) });
    const answer = await call('GET', `/v1/runs/${other.body.runId as string}/discrepancies`, {
      query: { cursor: first.body.cursor as string },
    });
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'invalid_request' } });
    expect(answer.body.message).toContain('cursor');
  });
});
