import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LagDeadlineRepository } from '../../core/runs/ports.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch } from '../aws/dynamo-batch.js';
import { partitionLabel } from '../ingest/record-store.js';

/**
 * Beside the dirty marks in the records table (pk `due`, sk `p#NNNN`, `at` epoch ms): when each
 * partition's one-sided TIMING_LAG items next turn MISSING by time alone (lib/core/runs/lag-deadline.ts).
 */
const PK = 'due';

export class LagDeadlines implements LagDeadlineRepository {
  private readonly batch: DynamoBatch;

  constructor(client: DynamoDBClient, tableName: string, retry: RetryPolicy = DEFAULT_RETRY) {
    this.batch = new DynamoBatch(client, tableName, retry);
  }

  async list(partitions: number): Promise<Map<number, number>> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: PK } },
      ConsistentRead: true,
    });
    const due = new Map<number, number>();
    for (const item of items) {
      const partition = Number(item.sk?.S?.slice(2));
      const at = Number(item.at?.N);
      if (Number.isSafeInteger(partition) && partition < partitions && Number.isFinite(at))
        due.set(partition, at);
    }
    return due;
  }

  async set(partition: number, at: number | undefined): Promise<void> {
    const Key = { pk: { S: PK }, sk: { S: partitionLabel(partition) } };
    const table = this.batch.table;
    if (at === undefined) {
      await this.batch.send('DeleteItem', () =>
        this.batch.client.send(new DeleteItemCommand({ TableName: table, Key })),
      );
      return;
    }
    await this.batch.send('PutItem', () =>
      this.batch.client.send(
        new PutItemCommand({ TableName: table, Item: { ...Key, at: { N: String(at) } } }),
      ),
    );
  }
}
