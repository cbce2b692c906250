import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LiveViewRepository } from '../../core/runs/ports.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch } from '../aws/dynamo-batch.js';

/**
 * Where the live view stands (runs table, pk `live`, sk `live`: the asOf and run id of the latest
 * run that moved the live cases and lifecycle). Moved forward only, by a conditional put: a run as
 * of an earlier instant is a snapshot (lib/core/runs/run-period.ts).
 */
const KEY = { pk: { S: 'live' }, sk: { S: 'live' } };

export class LiveView implements LiveViewRepository {
  private readonly batch: DynamoBatch;

  constructor(client: DynamoDBClient, tableName: string, retry: RetryPolicy = DEFAULT_RETRY) {
    this.batch = new DynamoBatch(client, tableName, retry);
  }

  async asOf(): Promise<string | undefined> {
    const answer = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({ TableName: this.batch.table, Key: KEY, ConsistentRead: true }),
      ),
    );
    return answer.Item?.asOf?.S;
  }

  async advance(asOf: string, runId: string): Promise<boolean> {
    try {
      await this.batch.send('PutItem', () =>
        this.batch.client.send(
          new PutItemCommand({
            TableName: this.batch.table,
            Item: { ...KEY, asOf: { S: asOf }, runId: { S: runId } },
            ConditionExpression: 'attribute_not_exists(asOf) OR asOf <= :asOf',
            ExpressionAttributeValues: { ':asOf': { S: asOf } },
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
