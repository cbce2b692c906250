import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  PutItemCommand,
  ProvisionedThroughputExceededException,
  type BatchGetItemCommandInput,
  type BatchWriteItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerOf,
  byKind,
  drop,
  lambdaContext,
  movement,
  movementCsvRow,
  readReport,
  resetRecords,
  scanAll,
  startAws,
  TABLE,
  webhookEvent,
  WMS_CSV_HEADER,
  injectDynamoFaults,
  type Aws,
  type Fault,
} from './ingest-harness.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';

// Faults the stand-ins cannot produce, injected with aws-sdk-client-mock in front of the real embedded
// DynamoDB: every command a fault does not answer still reaches dynalite.
let restore: (() => void) | undefined;

function inject(fault: Fault): void {
  restore = injectDynamoFaults(fault);
}

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

let aws: Aws;

beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetRecords(aws));
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('ingest under DynamoDB faults', () => {
  it('retries throttled batch writes until every record is stored', async () => {
    let refusals = 0;
    inject(async (command, real) => {
      if (command instanceof BatchWriteItemCommand && refusals < 3) {
        refusals++;
        throw throttled();
      }
      return real(command);
    });
    const batch = Array.from({ length: 30 }, (_, i) => movement(i + 1));

    const answer = answerOf(await webhook(webhookEvent(JSON.stringify(batch)), lambdaContext()));

    expect(refusals).toBe(3);
    expect(answer.body).toMatchObject({ accepted: 30, duplicates: 0 });
    const stored = byKind(await scanAll(aws));
    expect(stored.versions).toHaveLength(30);
    expect(stored.heads).toHaveLength(30);
  });

  it('retries UnprocessedItems and UnprocessedKeys until every record is stored once', async () => {
    let partialWrites = 0;
    let partialReads = 0;
    inject(async (command, real) => {
      if (command instanceof BatchWriteItemCommand && partialWrites < 12) {
        // DynamoDB took only the first half of the batch and hands back the rest.
        partialWrites++;
        const requests = command.input.RequestItems?.[TABLE] ?? [];
        const half = Math.ceil(requests.length / 2);
        if (requests.length > 1) {
          const taken: BatchWriteItemCommandInput = { RequestItems: { [TABLE]: requests.slice(0, half) } };
          await real(new BatchWriteItemCommand(taken));
          return { UnprocessedItems: { [TABLE]: requests.slice(half) }, $metadata: {} };
        }
      }
      if (command instanceof BatchGetItemCommand && partialReads < 2) {
        partialReads++;
        const request = command.input.RequestItems?.[TABLE];
        const keys = request?.Keys ?? [];
        const taken: BatchGetItemCommandInput = {
          RequestItems: { [TABLE]: { ...request, Keys: keys.slice(0, 1) } },
        };
        const answer = (await real(new BatchGetItemCommand(taken))) as object;
        return { ...answer, UnprocessedKeys: { [TABLE]: { ...request, Keys: keys.slice(1) } } };
      }
      return real(command);
    });
    const batch = Array.from({ length: 120 }, (_, i) => movement(i + 1));

    const first = answerOf(await webhook(webhookEvent(JSON.stringify(batch)), lambdaContext()));
    const again = answerOf(await webhook(webhookEvent(JSON.stringify(batch)), lambdaContext()));

    expect(partialWrites).toBe(12);
    expect(partialReads).toBe(2);
    expect(first.body).toMatchObject({ accepted: 120, duplicates: 0, conflicts: [] });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 120, conflicts: [] });
    const stored = byKind(await scanAll(aws));
    expect(stored.versions).toHaveLength(120);
    expect(stored.heads).toHaveLength(120);
  });

  it('stores every good row of a drop exactly once when the function dies mid-file and is retried', async () => {
    const key = 'incoming/wms/killed.csv';
    const good = Array.from({ length: 2_500 }, (_, i) => movementCsvRow(i + 1));
    const rows = [
      ...good.slice(0, 1_700),
      'E-BAD,WH-01,SKU-1,RECEIPT,x,EA,PO,2026-10-01T00:00:00Z,',
      ...good.slice(1_700),
    ];
    const event = await drop(aws, key, [WMS_CSV_HEADER, ...rows].join('\n'));
    let claims = 0;
    inject(async (command, real) => {
      if (command instanceof PutItemCommand && command.input.Item?.sk?.S === 'head' && ++claims === 1_500) {
        // Half of the second wave's heads are stored, then the invocation is gone (a timeout, an OOM).
        await real(command);
        throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'LambdaTimeout' });
      }
      return real(command);
    });

    await expect(s3Drop(event, lambdaContext())).rejects.toThrow('Task timed out');
    restore?.();
    const killed = byKind(await scanAll(aws));
    expect(killed.checkpoints[0]?.line?.N).toBe('1001');
    // Some heads of the interrupted wave are stored: the retry must count them as its own, not as duplicates.
    expect(killed.heads.length).toBeGreaterThan(1_000);

    await s3Drop(event, lambdaContext());

    const report = await readReport(aws, key);
    expect(report).toMatchObject({ accepted: 2_500, duplicates: 0, conflicts: [], rows: 2_501 });
    expect(report.rejected).toEqual([
      { file: key, line: 1_702, field: 'quantity', reason: expect.any(String) },
    ]);
    const stored = byKind(await scanAll(aws));
    expect(stored.versions).toHaveLength(2_500);
    expect(stored.heads).toHaveLength(2_500);
    expect(new Set(stored.versions.map((v) => v.pk?.S)).size).toBe(2_500);
  });
});
