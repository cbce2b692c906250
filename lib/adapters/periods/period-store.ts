import {
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { PeriodClose, PeriodLock, PeriodRecord } from '../../core/periods/period-record.js';
import type { LateArrival, PeriodRepository } from '../../core/periods/ports.js';
import { isPeriod } from '../../core/shared/period.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';

/**
 * The periods in the records table (lib/declarations/tables.ts): pk `period`, sk `YYYY-MM` (that
 * records are dated in it, its latest close as JSON, its lock as JSON), and pk `late#YYYY-MM`, sk
 * `<source>#<id>` (one item per late arrival, so a retried delivery stores the same item again
 * and counts nothing twice). The lock is a conditional write: of two reviewers locking at once,
 * one wins and the other is told the period is locked.
 */
const PERIODS = 'period';
const s = (S: string) => ({ S });

export class PeriodStore implements PeriodRepository {
  private readonly batch: DynamoBatch;

  constructor(client: DynamoDBClient, tableName: string, retry: RetryPolicy = DEFAULT_RETRY) {
    this.batch = new DynamoBatch(client, tableName, retry);
  }

  async list(): Promise<PeriodRecord[]> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(PERIODS) },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map(toRecord).filter((r): r is PeriodRecord => r !== undefined);
  }

  async get(period: string): Promise<PeriodRecord | undefined> {
    const answer = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({ TableName: this.batch.table, Key: key(period), ConsistentRead: true }),
      ),
    );
    return answer.Item === undefined ? undefined : toRecord(answer.Item);
  }

  async note(periods: Iterable<string>): Promise<void> {
    await mapInFlight([...new Set(periods)], 8, (period) =>
      this.update(period, 'SET noted = if_not_exists(noted, :yes)', { ':yes': { BOOL: true } }),
    );
  }

  async recordClose(period: string, close: PeriodClose): Promise<void> {
    try {
      await this.update(
        period,
        'SET noted = if_not_exists(noted, :yes), closeAt = :at, lastClose = :close',
        {
          ':yes': { BOOL: true },
          ':at': s(close.finishedAt),
          ':close': s(JSON.stringify(close)),
        },
        'attribute_not_exists(lockJson) AND (attribute_not_exists(closeAt) OR closeAt <= :at)',
      );
    } catch (error) {
      // A later close is recorded already, or the period was locked meanwhile: this one is a snapshot.
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async lock(period: string, lock: PeriodLock): Promise<boolean> {
    try {
      await this.update(
        period,
        'SET lockJson = :lock',
        { ':lock': s(JSON.stringify(lock)) },
        'attribute_not_exists(lockJson)',
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async addLateArrivals(arrivals: readonly LateArrival[]): Promise<void> {
    await this.batch.putAll(
      arrivals.map((a) => ({
        pk: s(`late#${a.period}`),
        sk: s(`${a.source}#${a.id}`),
        groupKey: s(a.groupKey),
        receivedAt: s(a.receivedAt),
      })),
    );
  }

  async lateArrivalCounts(periods: readonly string[]): Promise<Map<string, number>> {
    const counts = await mapInFlight([...periods], 8, async (period) => {
      let count = 0;
      let start: Item | undefined;
      do {
        const page = await this.batch.send('Query', () =>
          this.batch.client.send(
            new QueryCommand({
              TableName: this.batch.table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': s(`late#${period}`) },
              Select: 'COUNT',
              ExclusiveStartKey: start,
            }),
          ),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return [period, count] as const;
    });
    return new Map(counts);
  }

  async lateGroups(periods: readonly string[]): Promise<Set<string>> {
    const groups = new Set<string>();
    await mapInFlight([...periods], 8, async (period) => {
      const items = await this.batch.queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(`late#${period}`) },
        ProjectionExpression: 'groupKey',
      });
      for (const item of items) if (item.groupKey?.S !== undefined) groups.add(item.groupKey.S);
    });
    return groups;
  }

  private async update(period: string, expression: string, values: Item, condition?: string): Promise<void> {
    await this.batch.send('UpdateItem', () =>
      this.batch.client.send(
        new UpdateItemCommand({
          TableName: this.batch.table,
          Key: key(period),
          UpdateExpression: expression,
          ExpressionAttributeValues: values,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
        }),
      ),
    );
  }
}

function key(period: string): Item {
  return { pk: s(PERIODS), sk: s(period) };
}

function toRecord(item: Item): PeriodRecord | undefined {
  const period = item.sk?.S;
  if (period === undefined || !isPeriod(period)) return undefined;
  const close = item.lastClose?.S;
  const lock = item.lockJson?.S;
  return {
    period,
    lastClose: close === undefined ? null : (JSON.parse(close) as PeriodClose),
    lock: lock === undefined ? null : (JSON.parse(lock) as PeriodLock),
  };
}
