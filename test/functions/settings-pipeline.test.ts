import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, drop, lambdaContext, type Aws } from './ingest-harness.js';
import { apiEvent, FINANCE_CALLER, runAll, startRunsAws } from './runs-harness.js';
import type { RunSettings } from '../../lib/core/reconcile/settings-config.js';
import type { RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import { SETTINGS_CONFIG_KEY } from '../../lib/declarations/runs.js';
import { BUCKET } from '../../lib/declarations/tables.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as listPartitions } from '../../functions/runs/list-partitions.js';
import { handler as reconcilePartition } from '../../functions/runs/reconcile-partition.js';
import { handler as summarizeRun } from '../../functions/runs/summarize-run.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { handler as failRun } from '../../functions/runs/fail-run.js';

// The runs' settings (config/settings.yaml) through the real handlers on the embedded DynamoDB and
// S3: the bundled default until a document is uploaded, an upload in force for the next run without
// a deployment, one version for a whole run even when the document changes mid-run, each run's
// record naming the settings it used, and a wrong document refusing the run with its path and field.

const AS_OF = '2026-11-02T00:00:00.000Z';

// Three receipts the books lack (MISSING_IN_FINANCE, past the lag window): money at stake is
// quantity x unit cost. One matched pair so both ledgers have a record.
const WMS = [
  'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost',
  'E1,WH-上海-02,SKU-1,RECEIPT,300,EA,PO-SH,2026-10-05T08:00:00Z,100',
  'E2,WH-10,SKU-2,RECEIPT,600,EA,PO-10,2026-10-05T08:00:00Z,100',
  'E3,WH-01,SKU-3,RECEIPT,300,EA,PO-01,2026-10-05T08:00:00Z,100',
  'E4,WH-01,SKU-4,RECEIPT,1,EA,PO-OK,2026-10-05T08:00:00Z,10',
].join('\n');
const FINANCE = [
  'entryId,warehouseId,sku,type,quantity,uom,amount,documentRef,postedAt',
  'F4,WH-01,SKU-4,RECEIPT,1,EA,10,PO-OK,2026-10-06',
].join('\n');

/** An upload: the contract's defaults, Shanghai's RED from 30,000, and WH-10's from 100,000. */
const UPLOADED = `version: 1
lagHours: 24
amountTolerance: 0.01
amountToleranceRate: 0.001
severity:
  red: 50000
  yellow: 5000
  yellowRate: 0.05
warehouses:
  WH-上海-02:
    red: 30000
  WH-10:
    red: 100000
`;

let aws: Aws;

const upload = async (text: string): Promise<string> => {
  const put = await aws.s3.send(
    new PutObjectCommand({ Bucket: BUCKET.localName, Key: SETTINGS_CONFIG_KEY, Body: text }),
  );
  return (put.ETag ?? '').replace(/"/g, '');
};

async function getRun(runId: string): Promise<RunRecord> {
  const answer = answerOf(
    await runsApi(apiEvent('GET', `/v1/runs/${runId}`, { caller: FINANCE_CALLER }), lambdaContext()),
  );
  expect(answer.statusCode).toBe(200);
  return answer.body as unknown as RunRecord;
}

/** The run's discrepancies as GET /v1/runs/{runId}/discrepancies shows them: warehouse, money, severity. */
async function severities(runId: string): Promise<string[][]> {
  const answer = answerOf(
    await runsApi(
      apiEvent('GET', `/v1/runs/${runId}/discrepancies`, { query: { limit: '100' }, caller: FINANCE_CALLER }),
      lambdaContext(),
    ),
  );
  expect(answer.statusCode).toBe(200);
  return (answer.body.items as RunDiscrepancy[])
    .map((d) => [d.warehouseId, d.moneyAtStake, d.severity])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

beforeAll(async () => {
  aws = await startRunsAws();
  await s3Drop(await drop(aws, 'incoming/wms/wms.csv', WMS), lambdaContext());
  await s3Drop(await drop(aws, 'incoming/finance/finance.csv', FINANCE), lambdaContext());
});
afterAll(async () => aws?.stop());
beforeEach(async () => {
  await aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET.localName, Key: SETTINGS_CONFIG_KEY }));
});

describe('the settings of a run', () => {
  it('are the bundled default until a document is uploaded: Shanghai RED from 30,000, the rest at 50,000', async () => {
    const { run } = await runAll({ runId: 'close-bundled', mode: 'close', asOf: AS_OF });
    expect(run.status).toBe('SUCCEEDED');
    expect(await severities(run.runId)).toEqual([
      ['WH-01', '30000.00', 'YELLOW'],
      ['WH-10', '60000.00', 'RED'],
      ['WH-上海-02', '30000.00', 'RED'],
    ]);
    const shown = await getRun(run.runId);
    expect(shown.settings).toEqual({
      source: 'bundled config/settings.yaml',
      version: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      timezone: 'UTC',
      lagHours: 48,
      amountTolerance: '0.01',
      amountToleranceRate: '0.001',
      red: '50000',
      yellow: '5000',
      yellowRate: '0.05',
      warehouses: { 'WH-上海-02': { red: '30000' } },
    } satisfies RunSettings);
    expect(shown.summary?.lagHours).toBe(48);
  });

  it('follow an upload to the bucket with no deployment, and the run records the version it used', async () => {
    const etag = await upload(UPLOADED);
    const { run } = await runAll({ runId: 'close-uploaded', mode: 'close', asOf: AS_OF });
    // WH-10's 60,000 is lowered to YELLOW by its own RED threshold of 100,000.
    expect(await severities(run.runId)).toEqual([
      ['WH-01', '30000.00', 'YELLOW'],
      ['WH-10', '60000.00', 'YELLOW'],
      ['WH-上海-02', '30000.00', 'RED'],
    ]);
    const shown = await getRun(run.runId);
    expect(shown.settings).toMatchObject({
      source: `s3://${BUCKET.localName}/${SETTINGS_CONFIG_KEY}`,
      version: etag,
      lagHours: 24,
      warehouses: { 'WH-上海-02': { red: '30000' }, 'WH-10': { red: '100000' } },
    });
    // The summary states the lag window the run used.
    expect(shown.summary?.lagHours).toBe(24);
  });

  it('are one version for the whole run: a document changed after the listing changes the next run only', async () => {
    const etag = await upload(UPLOADED);
    const runId = 'close-mid-run';
    const listed = await listPartitions({ runId, mode: 'close', asOf: AS_OF }, lambdaContext());
    // Mid-run, finance raises every RED threshold to 1,000,000.
    await upload(UPLOADED.replace(/red: \d+/g, 'red: 1000000'));
    const results = [];
    for (const task of listed.partitions) results.push(await reconcilePartition(task, lambdaContext()));
    const run = await summarizeRun({ runId, results, failures: [] }, lambdaContext());
    expect(run.settings?.version).toBe(etag);
    expect(await severities(runId)).toEqual([
      ['WH-01', '30000.00', 'YELLOW'],
      ['WH-10', '60000.00', 'YELLOW'],
      ['WH-上海-02', '30000.00', 'RED'],
    ]);
    const { run: next } = await runAll({ runId: 'close-after-change', mode: 'close', asOf: AS_OF });
    expect(next.settings?.red).toBe('1000000');
    expect(await severities(next.runId)).toEqual([
      ['WH-01', '30000.00', 'YELLOW'],
      ['WH-10', '60000.00', 'YELLOW'],
      ['WH-上海-02', '30000.00', 'YELLOW'],
    ]);
  });

  it('refuse a wrong document: the run fails at ListPartitions naming the document, the path and the field', async () => {
    const etag = await upload(UPLOADED.replace('red: 100000', 'red: 10万'));
    const input = { runId: 'close-refused', mode: 'close' as const, asOf: AS_OF };
    const reason = `${SETTINGS_CONFIG_KEY}@${etag} in s3://${BUCKET.localName}: warehouses.WH-10.red: must be a non-negative decimal, got '10万'`;
    const refused = await listPartitions(input, lambdaContext()).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(refused?.message).toBe(reason);
    // The state machine's Catch hands Lambda's error payload to MarkRunFailed, which closes the run
    // FAILED; GET /v1/runs/{runId} shows the reason whole.
    await failRun(
      {
        ...input,
        step: 'ListPartitions',
        error: refused?.name ?? 'Error',
        cause: JSON.stringify({ errorType: refused?.name, errorMessage: refused?.message, trace: [] }),
      },
      lambdaContext(),
    );
    const shown = await getRun(input.runId);
    expect(shown.status).toBe('FAILED');
    expect(JSON.parse(shown.failure?.cause ?? '{}')).toMatchObject({ errorMessage: reason });
    expect(shown.settings).toBeUndefined();
  });
});
