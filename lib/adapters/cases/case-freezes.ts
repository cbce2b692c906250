import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Freeze } from '../../core/cases/ports.js';
import type { DynamoBatch } from '../aws/dynamo-batch.js';
import { isConditionFailure, s } from './case-items.js';

/**
 * The frozen accounts (pk `freeze`, sk `<warehouseId>|<account code>`): who froze each and why, and
 * the cases whose automatic close it holds. Written as the effects of case events, so every write
 * is idempotent (a writer that stopped half-way does it again on the next read of the case).
 */
const FREEZE = 'freeze';

export class CaseFreezes {
  constructor(private readonly cases: DynamoBatch) {}

  /** Freezes an account unless it is frozen already (the first freeze's reason stands). */
  async freeze(freeze: Omit<Freeze, 'held'>): Promise<void> {
    try {
      await this.cases.send('PutItem', () =>
        this.cases.client.send(
          new PutItemCommand({
            TableName: this.cases.table,
            Item: {
              pk: s(FREEZE),
              sk: s(freeze.account),
              groupKey: s(freeze.groupKey),
              by: s(freeze.by),
              at: s(freeze.at),
              reason: s(freeze.reason),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async unfreeze(account: string): Promise<void> {
    await this.cases.send('DeleteItem', () =>
      this.cases.client.send(
        new DeleteItemCommand({ TableName: this.cases.table, Key: { pk: s(FREEZE), sk: s(account) } }),
      ),
    );
  }

  /** Adds a case to those a frozen account holds; nothing when the account is not frozen (any more). */
  async hold(account: string, groupKey: string): Promise<void> {
    try {
      await this.cases.send('UpdateItem', () =>
        this.cases.client.send(
          new UpdateItemCommand({
            TableName: this.cases.table,
            Key: { pk: s(FREEZE), sk: s(account) },
            UpdateExpression: 'ADD held :g',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':g': { SS: [groupKey] } },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Frozen accounts, with the cases each one holds. */
  async all(): Promise<Map<string, Freeze>> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(FREEZE) },
      ConsistentRead: true,
    });
    return new Map(
      items.map((item) => {
        const account = item.sk?.S ?? '';
        return [
          account,
          {
            account,
            groupKey: item.groupKey?.S ?? '',
            by: item.by?.S ?? '',
            at: item.at?.S ?? '',
            reason: item.reason?.S ?? '',
            held: item.held?.SS ?? [],
          },
        ];
      }),
    );
  }
}
