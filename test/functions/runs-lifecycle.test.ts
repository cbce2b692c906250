import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, webhookEvent, type Aws } from './ingest-harness.js';
import { apiEvent, resetTables, runAll, scanRuns, startRunsAws } from './runs-harness.js';
import { partitionOf } from '../../lib/core/records/partition.js';
import { ENV } from '../../lib/declarations/tables.js';
import type { RunDiscrepancy } from '../../lib/core/runs/run-events.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';

// Discrepancies across runs: identity by group, NEW -> PERSISTING -> RESOLVED, idempotent re-runs.
const T = Date.parse('2026-11-02T00:00:00Z');
const at = (hours: number): string => new Date(T + hours * 3_600_000).toISOString();

// Fewer partitions than the default keep each close run short; the logic is the same.
const PARTITIONS = 16;

let aws: Aws;
beforeAll(async () => {
  process.env[ENV.partitions] = String(PARTITIONS);
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetTables(aws));

/** SKUs that land in pairwise different partitions. */
function skusInDistinctPartitions(n: number): string[] {
  const taken = new Set<number>();
  const skus: string[] = [];
  for (let i = 0; skus.length < n; i++) {
    const p = partitionOf(`SKU-${i}`, PARTITIONS);
    if (!taken.has(p)) {
      taken.add(p);
      skus.push(`SKU-${i}`);
    }
  }
  return skus;
}
const [LAG_SKU, OLD_SKU, OK_SKU] = skusInDistinctPartitions(3) as [string, string, string];

const receipt = (id: string, sku: string, documentRef: string, occurredAt: string) => ({
  eventId: id,
  warehouseId: 'WH-01',
  sku,
  type: 'RECEIPT',
  quantity: '10',
  uom: 'EA',
  documentRef,
  occurredAt,
  unitCost: '12.5',
});
const booking = (id: string, sku: string, documentRef: string, postedAt: string) => ({
  entryId: id,
  warehouseId: 'WH-01',
  sku,
  type: 'RECEIPT',
  quantity: '10',
  uom: 'EA',
  amount: '125.00',
  documentRef,
  postedAt,
});

async function post(path: '/v1/movements' | '/v1/entries', records: object[]): Promise<void> {
  const answer = answerOf(await webhook(webhookEvent(JSON.stringify(records), { path }), lambdaContext()));
  expect(answer.body.accepted).toBe(records.length);
}

/** A fresh TIMING_LAG, an old MISSING_IN_FINANCE and an agreeing pair, each in its own partition. */
async function seed(): Promise<void> {
  await post('/v1/movements', [
    receipt('E-LAG', LAG_SKU, 'PO-LAG', at(-2)),
    receipt('E-OLD', OLD_SKU, 'PO-OLD', at(-24 * 5)),
    receipt('E-OK', OK_SKU, 'PO-OK', at(-30)),
  ]);
  await post('/v1/entries', [booking('F-OK', OK_SKU, 'PO-OK', at(-29))]);
}

async function discrepancies(runId: string, query: Record<string, string> = {}): Promise<RunDiscrepancy[]> {
  const answer = answerOf(
    await runsApi(apiEvent('GET', `/v1/runs/${runId}/discrepancies`, { query }), lambdaContext()),
  );
  expect(answer.statusCode).toBe(200);
  return answer.body.items as RunDiscrepancy[];
}

const byDocument = (items: RunDiscrepancy[]) => Object.fromEntries(items.map((d) => [d.documentRef, d]));

describe('a TIMING_LAG answered by a later finance entry', () => {
  it('turns RESOLVED on the next continuous run, which reconciles only the dirty partition', async () => {
    await seed();
    const first = await runAll({ runId: 'continuous-1', mode: 'continuous', asOf: at(0) });
    expect(first.run.partitions).toHaveLength(3);
    expect(byDocument(await discrepancies('continuous-1'))).toMatchObject({
      'PO-LAG': { kind: 'TIMING_LAG', state: 'NEW', firstSeen: at(0), lastSeen: at(0) },
      'PO-OLD': { kind: 'MISSING_IN_FINANCE', state: 'NEW' },
    });

    await post('/v1/entries', [booking('F-LAG', LAG_SKU, 'PO-LAG', at(1))]);
    const second = await runAll({ runId: 'continuous-2', mode: 'continuous', asOf: at(2) });

    expect(second.run.partitions).toEqual([partitionOf(LAG_SKU, PARTITIONS)]);
    expect(second.run.status).toBe('SUCCEEDED');
    expect(second.run.summary).toMatchObject({ discrepancies: 0, resolved: 1, groupsMatched: 1 });
    expect(await discrepancies('continuous-2')).toEqual([]);
    const resolved = await discrepancies('continuous-2', { state: 'RESOLVED' });
    expect(resolved).toEqual([
      expect.objectContaining({
        documentRef: 'PO-LAG',
        kind: 'TIMING_LAG',
        state: 'RESOLVED',
        firstSeen: at(0),
        lastSeen: at(0),
        resolvedAt: at(2),
      }),
    ]);
  });

  it('leaves an open discrepancy of a partition the continuous run did not cover as it was', async () => {
    await seed();
    await runAll({ runId: 'continuous-1', mode: 'continuous', asOf: at(0) });
    await post('/v1/entries', [booking('F-LAG', LAG_SKU, 'PO-LAG', at(1))]);
    await runAll({ runId: 'continuous-2', mode: 'continuous', asOf: at(2) });

    // A close a day later still finds PO-OLD, now PERSISTING; PO-LAG stays resolved and unlisted.
    await runAll({ runId: 'close-3', mode: 'close', asOf: at(30) });
    const found = byDocument(await discrepancies('close-3'));
    expect(Object.keys(found)).toEqual(['PO-OLD']);
    expect(found['PO-OLD']).toMatchObject({ state: 'PERSISTING', firstSeen: at(0), lastSeen: at(30) });
  });
});

describe('runs over unchanged data', () => {
  it('change no discrepancy but lastSeen', async () => {
    await seed();
    await runAll({ runId: 'close-a', mode: 'close', asOf: at(0) });
    await runAll({ runId: 'close-b', mode: 'close', asOf: at(0.25) });
    const a = await discrepancies('close-a');
    const b = await discrepancies('close-b');
    expect(b).toHaveLength(2);
    expect(b.map((d) => d.lastSeen)).toEqual([at(0.25), at(0.25)]);
    const withoutLastSeen = (items: RunDiscrepancy[]) => items.map(({ lastSeen: _l, ...rest }) => rest);
    expect(withoutLastSeen(b)).toEqual(withoutLastSeen(a));
  });

  it('a continuous run finds nothing to do once the dirty marks are cleared', async () => {
    await seed();
    await runAll({ runId: 'continuous-1', mode: 'continuous', asOf: at(0) });
    const again = await runAll({ runId: 'continuous-2', mode: 'continuous', asOf: at(0.25) });
    expect(again.run.partitions).toEqual([]);
    expect(again.run.status).toBe('SUCCEEDED');
  });
});

describe('re-running the same run id', () => {
  const runItems = async () =>
    (await scanRuns(aws))
      .filter((i) => i.pk?.S === 'run#close-r' && i.sk?.S?.startsWith('d#'))
      .map((i) => JSON.parse(i.body?.S ?? '{}') as RunDiscrepancy)
      .sort((a, b) => a.documentRef.localeCompare(b.documentRef));

  it('overwrites its own results: nothing duplicated, no lifecycle moved on twice', async () => {
    await seed();
    await runAll({ runId: 'close-a', mode: 'close', asOf: at(0) });
    await post('/v1/entries', [booking('F-LAG', LAG_SKU, 'PO-LAG', at(1))]);
    await runAll({ runId: 'close-r', mode: 'close', asOf: at(30) });
    const once = await runItems();
    await runAll({ runId: 'close-r', mode: 'close', asOf: at(30) });
    const twice = await runItems();

    expect(once.map((d) => [d.documentRef, d.state])).toEqual([
      ['PO-LAG', 'RESOLVED'],
      ['PO-OLD', 'PERSISTING'],
    ]);
    expect(twice).toEqual(once);
  });

  it('drops a result of its earlier attempt that no longer holds', async () => {
    await seed();
    await runAll({ runId: 'close-r', mode: 'close', asOf: at(30) });
    await post('/v1/entries', [booking('F-OLD', OLD_SKU, 'PO-OLD', at(-24 * 5))]);
    await runAll({ runId: 'close-r', mode: 'close', asOf: at(30) });

    expect((await runItems()).map((d) => d.documentRef)).toEqual(['PO-LAG']);
  });
});
