import {
  BatchWriteItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { backoffDelay, DEFAULT_RETRY, isRetryable, sleep, type RetryPolicy } from './backoff.js';
import { StoreBusyError } from '../../errors/common.js';
import { mapInFlight } from '../../core/shared/in-flight.js';

export type Item = Record<string, AttributeValue>;

/**
 * DynamoDB calls the record and run stores make in bulk, one discipline for both: batches
 * of 25, UnprocessedItems sent again with backoff, throttling retried, and a clear StoreBusyError
 * once the attempts are spent. No transactions (dynalite has none).
 */
const WRITE_LIMIT = 25;

export class DynamoBatch {
  constructor(
    readonly client: DynamoDBClient,
    readonly table: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly concurrency = 4,
  ) {}

  async putAll(items: readonly Item[]): Promise<void> {
    await this.writeAll(items.map((Item) => ({ PutRequest: { Item } })));
  }

  async deleteAll(keys: readonly Item[]): Promise<void> {
    await this.writeAll(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  async writeAll(requests: readonly WriteRequest[]): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += WRITE_LIMIT) batches.push(requests.slice(i, i + WRITE_LIMIT));
    await mapInFlight(batches, this.concurrency, (batch) => this.writeBatch(batch));
  }

  /** Every item a query matches, page after page. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.send('Query', () =>
        this.client.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start })),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /** One call, retried on throttling and server errors. */
  async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isRetryable(error)) throw error;
        const name = error instanceof Error ? error.name : String(error);
        await this.pause(attempt + 1, operation, `still refused (${name})`);
      }
    }
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0)
        await this.pause(attempt, 'BatchWriteItem', `${pending.length} items left unprocessed`);
      const answer = await this.send('BatchWriteItem', () =>
        this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } })),
      );
      pending = answer.UnprocessedItems?.[this.table] ?? [];
    }
  }

  /** Waits before attempt `attempt`, or gives up with a clear error once the attempts are spent. */
  async pause(attempt: number, operation: string, why: string): Promise<void> {
    if (attempt >= this.retry.attempts) {
      throw new StoreBusyError(
        `DynamoDB ${operation}: ${why} after ${this.retry.attempts} attempts; send the same request again later`,
      );
    }
    await sleep(backoffDelay(this.retry, attempt));
  }
}
