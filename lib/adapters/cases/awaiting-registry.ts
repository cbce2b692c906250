import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AWAITING_CASE_ITEMS } from '../../declarations/cases.js';
import type { AwaitingEntry } from '../../core/cases/ports.js';
import type { DynamoBatch } from '../aws/dynamo-batch.js';
import { s } from './case-items.js';

/**
 * The cases waiting for the books (pk `awaiting`, sk `<groupKey>`, with `since` and `dueBy`): one
 * query finds those past their due date without reading every case. An entry is put by the effect
 * of a complete approval and deleted by the effect of the close; a stray entry (a writer stopped
 * before its delete) is harmless, as readers check the case itself.
 */
const AWAITING = AWAITING_CASE_ITEMS;

export class AwaitingRegistry {
  constructor(private readonly cases: DynamoBatch) {}

  async add(entry: AwaitingEntry): Promise<void> {
    await this.cases.send('PutItem', () =>
      this.cases.client.send(
        new PutItemCommand({
          TableName: this.cases.table,
          Item: { pk: s(AWAITING), sk: s(entry.groupKey), since: s(entry.since), dueBy: s(entry.dueBy) },
        }),
      ),
    );
  }

  async remove(groupKey: string): Promise<void> {
    await this.cases.send('DeleteItem', () =>
      this.cases.client.send(
        new DeleteItemCommand({ TableName: this.cases.table, Key: { pk: s(AWAITING), sk: s(groupKey) } }),
      ),
    );
  }

  /** The entries due before `instant` (ISO 8601), or all of them. */
  async due(instant?: string): Promise<AwaitingEntry[]> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ...(instant === undefined ? {} : { FilterExpression: 'dueBy < :at' }),
      ExpressionAttributeValues: {
        ':pk': s(AWAITING),
        ...(instant === undefined ? {} : { ':at': s(instant) }),
      },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      groupKey: item.sk?.S ?? '',
      since: item.since?.S ?? '',
      dueBy: item.dueBy?.S ?? '',
    }));
  }
}
