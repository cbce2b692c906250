import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch } from '../aws/dynamo-batch.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { partitionLabel } from '../ingest/record-store.js';

/**
 * The dirty marks ingest leaves in the records table (pk `dirty`, sk `p#NNNN`, a `version` that
 * every write adds one to): a continuous run reconciles the marked partitions, and its summary
 * clears a mark only if its version is still the one the run listed. A write that landed after the
 * listing raised the version, so its partition stays dirty for the next run.
 */
export class DirtyMarks {
  private readonly batch: DynamoBatch;

  constructor(client: DynamoDBClient, tableName: string, retry?: RetryPolicy) {
    this.batch = new DynamoBatch(client, tableName, retry);
  }

  /** Marked partitions below `partitions`, with the version of their mark. */
  async list(partitions: number): Promise<Map<number, number>> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'dirty' } },
      ConsistentRead: true,
    });
    const marks = new Map<number, number>();
    for (const item of items) {
      const partition = Number(item.sk?.S?.slice(2));
      if (Number.isSafeInteger(partition) && partition >= 0 && partition < partitions) {
        marks.set(partition, Number(item.version?.N ?? 0));
      }
    }
    return marks;
  }

  /** Deletes each mark whose version is unchanged; returns the partitions cleared. */
  async clear(versions: ReadonlyMap<number, number>): Promise<number[]> {
    const cleared = await mapInFlight([...versions], 16, async ([partition, version]) => {
      try {
        await this.batch.send('DeleteItem', () =>
          this.batch.client.send(
            new DeleteItemCommand({
              TableName: this.batch.table,
              Key: { pk: { S: 'dirty' }, sk: { S: partitionLabel(partition) } },
              ConditionExpression: '#version = :v',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':v': { N: String(version) } },
            }),
          ),
        );
        return partition;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
    });
    return cleared.filter((p): p is number => p !== undefined);
  }
}
