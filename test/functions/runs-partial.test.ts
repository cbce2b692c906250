import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
  answerOf,
  BUCKET_NAME,
  lambdaContext,
  readBytes,
  readObject,
  TABLE,
  webhookEvent,
  type Aws,
} from './ingest-harness.js';
import { apiEvent, resetTables, runAll, scanRuns, startRunsAws } from './runs-harness.js';
import { partitionLabel } from '../../lib/adapters/ingest/record-store.js';
import { partitionOf } from '../../lib/core/records/partition.js';
import { ENV } from '../../lib/declarations/tables.js';
import { SHEETS } from '../../lib/report/xlsx.js';
import type { ReconcilePartitionOutput, RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as failRun } from '../../functions/runs/fail-run.js';
import { handler as listPartitions } from '../../functions/runs/list-partitions.js';
import { handler as reconcilePartition } from '../../functions/runs/reconcile-partition.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { handler as summarizeRun } from '../../functions/runs/summarize-run.js';

// A partition that fails after its retries: the run still finishes, PARTIAL, with it named.
const AS_OF = '2026-11-02T00:00:00.000Z';

// Fewer partitions than the default keep each close run short; the logic is the same.
const PARTITIONS = 16;

let aws: Aws;
beforeAll(async () => {
  process.env[ENV.partitions] = String(PARTITIONS);
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetTables(aws));

const SKUS = ['SKU-A', 'SKU-B', 'SKU-C'];
const partitions = SKUS.map((sku) => partitionOf(sku, PARTITIONS));

async function postMovements(skus: readonly string[], tag: string): Promise<void> {
  const records = skus.map((sku) => ({
    eventId: `E-${tag}-${sku}`,
    warehouseId: 'WH-01',
    sku,
    type: 'SHIPMENT',
    quantity: '3',
    documentRef: `SO-${tag}-${sku}`,
    occurredAt: '2026-10-20T08:00:00Z',
    unitCost: '40',
  }));
  const answer = answerOf(await webhook(webhookEvent(JSON.stringify(records)), lambdaContext()));
  expect(answer.body.accepted).toBe(records.length);
}

async function dirtyVersion(partition: number): Promise<number | undefined> {
  const { Item } = await aws.dynamo.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: 'dirty' }, sk: { S: partitionLabel(partition) } },
    }),
  );
  return Item?.version?.N === undefined ? undefined : Number(Item.version.N);
}

describe('a run with a failed partition', () => {
  it('finishes PARTIAL with the partition named, and every other partition’s results stored', async () => {
    expect(new Set(partitions).size).toBe(3);
    await postMovements(SKUS, 'x');
    const failed = partitions[1] ?? -1;

    const { run } = await runAll(
      { runId: 'close-partial', mode: 'close', asOf: AS_OF },
      { failing: [failed] },
    );

    expect(run.status).toBe('PARTIAL');
    expect(run.failures).toEqual([{ partition: failed, error: 'Lambda.Unknown', cause: 'injected failure' }]);
    expect(run.partitions).toHaveLength(PARTITIONS);
    expect(run.summary).toMatchObject({ discrepancies: 2, byKind: { MISSING_IN_FINANCE: 2 } });
    const answer = answerOf(
      await runsApi(apiEvent('GET', '/v1/runs/close-partial/discrepancies'), lambdaContext()),
    );
    expect((answer.body.items as RunDiscrepancy[]).map((d) => d.sku).sort()).toEqual(['SKU-A', 'SKU-C']);
    const results = (await scanRuns(aws)).filter((i) => i.sk?.S?.startsWith('part#'));
    expect(results).toHaveLength(PARTITIONS - 1);
  });

  it('keeps the failed partition dirty, so the next continuous run takes it up', async () => {
    await postMovements(SKUS, 'x');
    const failed = partitions[1] ?? -1;
    await runAll({ runId: 'continuous-partial', mode: 'continuous', asOf: AS_OF }, { failing: [failed] });

    expect(await dirtyVersion(failed)).toBe(1);
    expect(await dirtyVersion(partitions[0] ?? -1)).toBeUndefined();
    const next = await runAll({ runId: 'continuous-next', mode: 'continuous', asOf: AS_OF });
    expect(next.run.partitions).toEqual([failed]);
    expect(next.run.summary).toMatchObject({ discrepancies: 1 });
  });

  it('is FAILED when no partition succeeded', async () => {
    await postMovements(['SKU-A'], 'x');
    const { run } = await runAll(
      { runId: 'continuous-failed', mode: 'continuous', asOf: AS_OF },
      { failing: [partitions[0] ?? -1] },
    );
    expect(run.status).toBe('FAILED');
    expect(run.failures.map((f) => f.partition)).toEqual([partitions[0]]);
  });
});

describe('a PARTIAL run tells one truth', () => {
  it('lists, and reports in CSV and XLSX, exactly the discrepancies its summary counts, whatever a failed partition wrote before failing', async () => {
    await postMovements(SKUS, 'x');
    const failed = partitions[1] ?? -1;
    const listed = await listPartitions(
      { runId: 'close-truth', mode: 'close', asOf: AS_OF },
      lambdaContext(),
    );
    const results: ReconcilePartitionOutput[] = [];
    for (const task of listed.partitions) {
      // The failed partition's task wrote its discrepancies, then failed (a timeout at its very end).
      const output = await reconcilePartition(task, lambdaContext());
      if (task.partition !== failed) results.push(output);
    }

    const run = await summarizeRun(
      { runId: 'close-truth', results, failures: [{ partition: failed, error: 'States.Timeout' }] },
      lambdaContext(),
    );

    expect(run.status).toBe('PARTIAL');
    expect(run.summary?.discrepancies).toBe(2);
    const answer = answerOf(
      await runsApi(apiEvent('GET', '/v1/runs/close-truth/discrepancies'), lambdaContext()),
    );
    expect((answer.body.items as RunDiscrepancy[]).map((d) => d.sku).sort()).toEqual(['SKU-A', 'SKU-C']);
    const csv = await readObject(aws, 'reports/close-truth/report.csv');
    expect(csv.trim().split('\n')).toHaveLength(1 + 2);
    expect(csv).not.toContain('SKU-B');
    const workbook = new ExcelJS.Workbook();
    const bytes = await readBytes(aws, 'reports/close-truth/report.xlsx');
    await workbook.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    const detail = workbook.getWorksheet(SHEETS.discrepancies);
    expect(detail?.actualRowCount).toBe(1 + 2);
    const heat = answerOf(await runsApi(apiEvent('GET', '/v1/runs/close-truth/heatmap'), lambdaContext()));
    expect((heat.body.byKind as { count: number }[]).reduce((n, c) => n + c.count, 0)).toBe(2);
  });
});

describe('a failure as callers see it', () => {
  const trace = JSON.stringify({
    errorType: 'ValidationException',
    errorMessage:
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes (in /var/task/functions/runs/reconcile-partition.mjs)',
    trace: [
      'ValidationException: One or more parameter values were invalid',
      '    at throwDefaultError (/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)',
      '    at /var/task/functions/runs/reconcile-partition.mjs:1:4242',
    ],
  });

  it('shows no stack trace or file path in GET /v1/runs/{runId}, to any role, and keeps the error and its message', async () => {
    await postMovements(SKUS, 'x');
    await runAll(
      { runId: 'close-leak', mode: 'close', asOf: AS_OF },
      { failing: [partitions[1] ?? -1], cause: trace },
    );
    await failRun(
      {
        runId: 'close-leak-2',
        mode: 'close',
        asOf: AS_OF,
        step: 'SummarizeRun',
        error: 'Error',
        cause: trace,
      },
      lambdaContext(),
    );

    for (const runId of ['close-leak', 'close-leak-2']) {
      const answer = answerOf(
        await runsApi(
          apiEvent('GET', `/v1/runs/${runId}`, { caller: { username: 'chen.it', roles: ['it-support'] } }),
          lambdaContext(),
        ),
      );
      const text = JSON.stringify(answer.body);
      expect(text).not.toMatch(/\/var\/task|node_modules|\bat throwDefaultError|\.js:\d+/);
      expect(text).toContain('ValidationException');
      expect(text).toContain('Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
    }
  });
});

describe('dirty marks', () => {
  it('are not cleared for a partition written again after the run listed it', async () => {
    await postMovements(['SKU-A', 'SKU-B'], 'x');
    const listed = await listPartitions(
      { runId: 'continuous-race', mode: 'continuous', asOf: AS_OF },
      lambdaContext(),
    );
    await postMovements(['SKU-A'], 'y');
    const results = [];
    for (const task of listed.partitions) results.push(await reconcilePartition(task, lambdaContext()));
    await summarizeRun({ runId: 'continuous-race', results, failures: [] }, lambdaContext());

    expect(await dirtyVersion(partitions[0] ?? -1)).toBe(2);
    expect(await dirtyVersion(partitions[1] ?? -1)).toBeUndefined();
  });
});

describe('the Map’s results as the state machine hands them over', () => {
  /** Lists and reconciles, failing one partition, and returns what summarize needs besides. */
  async function reconcileAllBut(runId: string, failed: number) {
    await postMovements(SKUS, 'x');
    const listed = await listPartitions({ runId, mode: 'close', asOf: AS_OF }, lambdaContext());
    const results: ReconcilePartitionOutput[] = [];
    for (const task of listed.partitions) {
      if (task.partition !== failed) results.push(await reconcilePartition(task, lambdaContext()));
    }
    return results;
  }
  const failure = (partition: number) => ({
    failed: true as const,
    partition,
    error: 'States.TaskFailed',
    cause: '{"errorType":"Error","errorMessage":"boom"}',
  });
  const expectPartial = (run: RunRecord, failed: number) => {
    expect(run.status).toBe('PARTIAL');
    expect(run.failures).toEqual([
      { partition: failed, error: 'States.TaskFailed', cause: failure(failed).cause },
    ]);
    expect(run.summary).toMatchObject({ discrepancies: 2, groupsSeen: 2 });
  };

  it('splits the inline Map’s output: an item with failed: true is a failure', async () => {
    const failed = partitions[2] ?? -1;
    const results = await reconcileAllBut('close-inline', failed);
    const items = [...results.slice(0, 10), failure(failed), ...results.slice(10)];

    expectPartial(await summarizeRun({ runId: 'close-inline', results: items }, lambdaContext()), failed);
  });

  it('reads a Distributed Map’s results back from its manifest in S3', async () => {
    const failed = partitions[2] ?? -1;
    const results = await reconcileAllBut('close-distributed', failed);
    const child = (input: object, output: object) => ({
      ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:x',
      Input: JSON.stringify(input),
      Output: JSON.stringify(output),
      Status: 'SUCCEEDED',
    });
    const put = (key: string, body: unknown) =>
      aws.s3.send(new PutObjectCommand({ Bucket: BUCKET_NAME, Key: key, Body: JSON.stringify(body) }));
    const prefix = 'runs/map-results/map-1';
    await put(`${prefix}/SUCCEEDED_0.json`, [
      ...results.map((r) => child({ runId: r.runId, partition: r.partition, asOf: AS_OF }, r)),
      child({ partition: failed }, failure(failed)),
    ]);
    await put(`${prefix}/manifest.json`, {
      DestinationBucket: BUCKET_NAME,
      MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:x',
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: 1 }] },
    });

    const run = await summarizeRun(
      {
        runId: 'close-distributed',
        resultWriterDetails: { Bucket: BUCKET_NAME, Key: `${prefix}/manifest.json` },
      },
      lambdaContext(),
    );
    expectPartial(run, failed);
  });
});

describe('a scheduled monthly close', () => {
  afterEach(() => {
    delete process.env[ENV.timeZone];
  });
  const runOf = async (runId: string) => {
    const answer = answerOf(await runsApi(apiEvent('GET', `/v1/runs/${runId}`), lambdaContext()));
    return answer.body as unknown as RunRecord;
  };

  it('names the month that just ended in the configured zone as its period', async () => {
    process.env[ENV.timeZone] = 'Asia/Shanghai';
    // Midnight on 1 December in Shanghai is 16:00 UTC on 30 November.
    const runId = 'close-monthly-a1b2';
    await listPartitions({ runId, mode: 'close', asOf: '2026-11-30T16:00:00Z' }, lambdaContext());
    expect((await runOf(runId)).period).toBe('2026-11');
  });

  it('closes the month before a daily close’s asOf (CONTRACT §7), and leaves a requested period as it is', async () => {
    process.env[ENV.timeZone] = 'Asia/Shanghai';
    await listPartitions({ runId: 'close-daily-a1b2', mode: 'close', asOf: AS_OF }, lambdaContext());
    await listPartitions(
      { runId: 'close-monthly-b2c3', mode: 'close', asOf: AS_OF, period: '2026-09' },
      lambdaContext(),
    );
    // AS_OF is 2 November 08:00 in Shanghai: the instant before it is in November.
    expect((await runOf('close-daily-a1b2')).period).toBe('2026-11');
    expect((await runOf('close-monthly-b2c3')).period).toBe('2026-09');
  });
});

describe('a run whose listing or summary failed after its retries', () => {
  const runOf = async (runId: string) =>
    answerOf(await runsApi(apiEvent('GET', `/v1/runs/${runId}`), lambdaContext()))
      .body as unknown as RunRecord;
  const caught = (runId: string, step: string) => ({
    runId,
    mode: 'close',
    asOf: AS_OF,
    step,
    error: 'States.TaskFailed',
    cause: '{"errorType":"Error","errorMessage":"boom"}',
  });

  it('is closed FAILED with the step and cause, not left RUNNING', async () => {
    await listPartitions({ runId: 'close-stuck', mode: 'close', asOf: AS_OF }, lambdaContext());
    expect((await runOf('close-stuck')).status).toBe('RUNNING');

    await failRun(caught('close-stuck', 'SummarizeRun'), lambdaContext());

    const run = await runOf('close-stuck');
    expect(run.status).toBe('FAILED');
    expect(run.finishedAt).toEqual(expect.any(String));
    expect(run.partitions).toHaveLength(PARTITIONS);
    expect(run.failure).toEqual({
      step: 'SummarizeRun',
      error: 'States.TaskFailed',
      cause: '{"errorType":"Error","errorMessage":"boom"}',
    });
  });

  it('gets a record when its listing failed before writing one (a scheduled run)', async () => {
    await failRun(caught('close-daily-x1', 'ListPartitions'), lambdaContext());

    const run = await runOf('close-daily-x1');
    expect(run).toMatchObject({
      status: 'FAILED',
      mode: 'close',
      asOf: AS_OF,
      failure: { step: 'ListPartitions' },
    });
  });

  it('keeps the status of a run that had already closed', async () => {
    await runAll({ runId: 'close-done', mode: 'close', asOf: AS_OF });

    await failRun(caught('close-done', 'SummarizeRun'), lambdaContext());

    expect(await runOf('close-done')).toMatchObject({
      status: 'SUCCEEDED',
      failure: { step: 'SummarizeRun' },
    });
  });
});
