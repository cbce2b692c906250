import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byKind,
  injectDynamoFaults,
  movement,
  resetRecords,
  scanAll,
  startAws,
  TABLE,
  type Aws,
} from '../functions/ingest-harness.js';
import { StoreBusyError } from '../../lib/errors/common.js';
import { partitionLabel, RecordStore } from '../../lib/adapters/ingest/record-store.js';
import { isRejection, parseMovement } from '../../lib/core/records/record-parser.js';
import type { Movement } from '../../lib/core/records/records.js';
import { ZoneClock } from '../../lib/core/shared/zone-clock.js';

let aws: Aws;
let restore: (() => void) | undefined;

beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetRecords(aws));
afterEach(() => {
  restore?.();
  restore = undefined;
});

const store = (options: Partial<ConstructorParameters<typeof RecordStore>[0]> = {}) =>
  new RecordStore({ client: aws.dynamo, tableName: TABLE, partitions: 1, ...options });

function movements(count: number, overrides: Record<string, unknown> = {}): Movement[] {
  return Array.from({ length: count }, (_, i) => {
    const r = parseMovement(
      movement(i + 1, overrides),
      { file: 'incoming/wms/a.csv', line: i + 2 },
      new ZoneClock('UTC'),
    );
    if (isRejection(r)) throw new Error(r.reason);
    return r;
  });
}

describe('the record store', () => {
  it('reads a partition back, page by page, as the records that were written', async () => {
    const written = movements(10);
    await store().write(written, 'test-delivery');

    const read = await store({ pageSize: 3 }).readPartition(0);

    expect(read.rejected).toEqual([]);
    expect(read.entries).toEqual([]);
    expect(read.movements.sort((a, b) => a.line - b.line)).toEqual(written);
  });

  it('recognises its own delivery on a retry, and counts another delivery of the same records as duplicates', async () => {
    const records = movements(5);
    await store().write(records, 's3://b/k@etag1');

    const retried = await store().write(records, 's3://b/k@etag1');
    const other = await store().write(records, 'webhook/req-9');

    expect(retried).toEqual({ accepted: 5, duplicates: 0, conflicts: [] });
    expect(other).toEqual({ accepted: 0, duplicates: 5, conflicts: [] });
    expect(byKind(await scanAll(aws)).versions).toHaveLength(5);
  });

  it('marks the partition dirty once per write that stored something', async () => {
    await store().write(movements(30), 'a');
    await store().write(movements(30), 'b');
    await store().write(movements(3, { quantity: '1' }), 'c');

    const { dirty } = byKind(await scanAll(aws));
    expect(dirty).toEqual([
      {
        pk: { S: 'dirty' },
        sk: { S: partitionLabel(0) },
        version: { N: '1' },
        updatedAt: { S: expect.any(String) },
      },
    ]);
  });

  it('keeps the first stored version when two writers race on a new id with different content, and reports the conflict', async () => {
    // Both writers read before either wrote: neither sees a head.
    restore = injectDynamoFaults(async (command, real) =>
      command instanceof BatchGetItemCommand ? { Responses: { [TABLE]: [] }, $metadata: {} } : real(command),
    );
    const [first] = movements(1);
    const [second] = movements(1, { quantity: '999' });

    const outcomes = await Promise.all([
      store().write([first!], 'writer-1'),
      store().write([second!], 'writer-2'),
    ]);
    restore?.();

    expect(outcomes.map((o) => o.accepted).sort()).toEqual([0, 1]);
    const loser = outcomes.find((o) => o.accepted === 0);
    expect(loser?.conflicts).toEqual([expect.objectContaining({ id: 'E000001' })]);
    const kept = outcomes[0]?.accepted === 1 ? '11000000' : '999000000';
    const read = await store().readPartition(0);
    expect(read.movements.map((m) => String(m.quantity))).toEqual([kept]);
    const { heads, versions, conflicts } = byKind(await scanAll(aws));
    expect(heads).toHaveLength(1);
    expect(versions.map((v) => v.sk?.S)).toEqual([`v#${heads[0]?.hash?.S ?? ''}`]);
    expect(conflicts).toHaveLength(1);
  });

  it('gives up with a clear error when DynamoDB keeps throttling', async () => {
    const stub = mockClient(DynamoDBClient);
    restore = () => stub.restore();
    stub.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    stub.on(BatchWriteItemCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
      UnprocessedItems: input.RequestItems,
    }));

    const write = store({ retry: { attempts: 4, baseMs: 1, capMs: 2 } }).write(movements(3), 'x');

    await expect(write).rejects.toBeInstanceOf(StoreBusyError);
    await expect(write).rejects.toThrow(/BatchWriteItem: \d+ items left unprocessed after 4 attempts/);
    expect(stub.commandCalls(BatchWriteItemCommand)).toHaveLength(4);
  });
});
