import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { JournalEntry } from '../../core/cases/journal/journal-entry.js';
import type { ApprovedEntry } from '../../core/cases/ports.js';
import type { DynamoBatch } from '../aws/dynamo-batch.js';
import { json, s } from './case-items.js';

/**
 * The journal of approved adjusting entries (pk `journal#<YYYY-MM>`, sk `<entryId>`): what a period
 * exports to the ERP. Written as the effect of a complete approval; a put of the same entry again
 * leaves what the first put left.
 */
const journalKey = (period: string): string => `journal#${period}`;

export class CaseJournal {
  constructor(private readonly cases: DynamoBatch) {}

  async add(approved: ApprovedEntry): Promise<void> {
    const { entry } = approved;
    await this.cases.send('PutItem', () =>
      this.cases.client.send(
        new PutItemCommand({
          TableName: this.cases.table,
          Item: {
            pk: s(journalKey(entry.period)),
            sk: s(entry.entryId),
            groupKey: s(entry.groupKey),
            entry: s(JSON.stringify(entry)),
            approvedAt: s(approved.approvedAt),
            approvedBy: s(JSON.stringify(approved.approvedBy)),
            proposedBy: s(approved.proposedBy),
          },
        }),
      ),
    );
  }

  /** The approved entries of a period, in entry id order. */
  async ofPeriod(period: string): Promise<ApprovedEntry[]> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(journalKey(period)) },
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const entry = json<JournalEntry>(item, 'entry');
      if (entry === undefined) return [];
      return [
        {
          entry,
          approvedAt: item.approvedAt?.S ?? '',
          approvedBy: json<string[]>(item, 'approvedBy') ?? [],
          proposedBy: item.proposedBy?.S ?? '',
        },
      ];
    });
  }
}
