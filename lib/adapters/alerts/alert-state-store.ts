import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AlertMark, MarkChange } from '../../core/alerts/alert-plan.js';
import type { AlertStateRepository } from '../../core/alerts/ports.js';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { partitionLabel } from '../ingest/record-store.js';
import { currentTime } from '../aws/clock.js';

/**
 * What the alerts said, in the runs table (layout: RUNS_TABLE in lib/declarations/tables.ts):
 *   alert#p#NNNN / <groupKey>        the group's AlertMark, for de-duplication across runs
 *   alert#digest / YYYY-MM-DD        the run that sends that day's daily digest
 *   alert#run#<runId> / <messageId>  a message published for the run (a retry skips it)
 *   alert#overdue / <groupKey>#<dueBy>  the run that alerts a case overdue for the books (once per wait)
 * Marks are partitioned like the lifecycle items, by the partition of the group's sku.
 */
export interface AlertStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retry?: RetryPolicy;
  concurrency?: number;
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

export const markKey = (partition: number): string => `alert#${partitionLabel(partition)}`;
export const DIGEST_KEY = 'alert#digest';
export const sentKey = (runId: string): string => `alert#run#${runId}`;
/** Sent-message records are kept this long: enough for any retry or re-run of the run. */
export const SENT_KEPT_DAYS = 35;
export const OVERDUE_KEY = 'alert#overdue';
/** An overdue alert is claimed for this long: a case still waiting then is alerted again, a reminder. */
export const OVERDUE_KEPT_DAYS = 90;

export class AlertStateStore implements AlertStateRepository {
  private readonly batch: DynamoBatch;
  private readonly concurrency: number;

  constructor(options: AlertStateStoreOptions) {
    this.batch = new DynamoBatch(options.client, options.tableName, options.retry, options.concurrency);
    this.concurrency = options.concurrency ?? 4;
  }

  /** The marks of these partitions, by group key. */
  async readMarks(partitions: readonly number[]): Promise<Map<string, AlertMark>> {
    const pages = await mapInFlight([...new Set(partitions)], this.concurrency, (partition) =>
      this.batch.queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(markKey(partition)) },
        ConsistentRead: true,
      }),
    );
    const marks = new Map<string, AlertMark>();
    for (const item of pages.flat()) {
      const groupKey = item.sk?.S;
      const text = item.mark?.S;
      if (groupKey !== undefined && text !== undefined) marks.set(groupKey, JSON.parse(text) as AlertMark);
    }
    return marks;
  }

  /** Puts the new marks and deletes those of resolved groups; `partitionOf` maps a sku to its partition. */
  async writeMarks(
    changes: readonly MarkChange[],
    partitionOf: (sku: string) => number,
    runId: string,
  ): Promise<void> {
    const puts: Item[] = [];
    const deletes: Item[] = [];
    for (const change of changes) {
      const key = { pk: s(markKey(partitionOf(change.sku))), sk: s(change.groupKey) };
      if (change.mark === undefined) deletes.push(key);
      else puts.push({ ...key, mark: s(JSON.stringify(change.mark)), runId: s(runId) });
    }
    await this.batch.putAll(puts);
    await this.batch.deleteAll(deletes);
  }

  /**
   * Claims the day's daily digest for `runId`: true when this run sends it (it claimed the day now,
   * or had claimed it in an earlier attempt), false when another run already did.
   */
  async claimDigest(day: string, runId: string, asOf: string): Promise<boolean> {
    try {
      await this.batch.send('PutItem', () =>
        this.batch.client.send(
          new PutItemCommand({
            TableName: this.batch.table,
            Item: { pk: s(DIGEST_KEY), sk: s(day), runId: s(runId), asOf: s(asOf) },
            ConditionExpression: 'attribute_not_exists(pk) OR runId = :run',
            ExpressionAttributeValues: { ':run': s(runId) },
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /**
   * Claims the overdue alert of each case for `runId` (once per wait for the books: the due date is
   * in the key): those this run alerts, claimed now or by an earlier attempt of the same run.
   */
  async claimOverdue<T extends { groupKey: string; dueBy: string }>(
    cases: readonly T[],
    runId: string,
    now = currentTime().getTime(),
  ): Promise<T[]> {
    const claimed = await mapInFlight(cases, this.concurrency, async (c) => {
      try {
        await this.batch.send('PutItem', () =>
          this.batch.client.send(
            new PutItemCommand({
              TableName: this.batch.table,
              Item: {
                pk: s(OVERDUE_KEY),
                sk: s(`${c.groupKey}#${c.dueBy}`),
                runId: s(runId),
                expiresAt: n(Math.floor(now / 1000) + OVERDUE_KEPT_DAYS * 86_400),
              },
              ConditionExpression: 'attribute_not_exists(pk) OR runId = :run',
              ExpressionAttributeValues: { ':run': s(runId) },
            }),
          ),
        );
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    });
    return cases.filter((_, i) => claimed[i] === true);
  }

  /** The ids of the messages already published for the run. */
  async sentMessages(runId: string): Promise<Set<string>> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(sentKey(runId)) },
      ProjectionExpression: 'sk',
      ConsistentRead: true,
    });
    return new Set(items.map((i) => i.sk?.S).filter((id): id is string => id !== undefined));
  }

  async markSent(
    runId: string,
    messageId: string,
    detail: { channel: string; kind: string },
    now = currentTime().getTime(),
  ) {
    await this.batch.send('PutItem', () =>
      this.batch.client.send(
        new PutItemCommand({
          TableName: this.batch.table,
          Item: {
            pk: s(sentKey(runId)),
            sk: s(messageId),
            channel: s(detail.channel),
            kind: s(detail.kind),
            sentAt: s(new Date(now).toISOString()),
            expiresAt: n(Math.floor(now / 1000) + SENT_KEPT_DAYS * 86_400),
          },
        }),
      ),
    );
  }
}
