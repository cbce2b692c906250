import {
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { nextJournalLink, type JournalLink } from '../../core/ingest/ingest-journal.js';
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';
import { StoreBusyError } from '../../errors/common.js';

/**
 * The ingest journal (lib/core/ingest/ingest-journal.ts) in the records table: pk `journal#<source>`,
 * sk `e#<seq, 12 digits>`, one item per link, each written by a conditional put (never replaced):
 * of two writers appending at once, one takes the next number and the other goes after it.
 */
const s = (value: string): AttributeValue => ({ S: value });
const journalKey = (source: string): string => `journal#${source}`;
const linkKey = (seq: number): string => `e#${String(seq).padStart(12, '0')}`;

function linkOf(item: Item): JournalLink {
  return {
    source: item.source?.S ?? '',
    seq: Number(item.seq?.N ?? 0),
    at: item.at?.S ?? '',
    delivery: item.delivery?.S ?? '',
    records: JSON.parse(item.records?.S ?? '[]') as JournalLink['records'],
    prevHash: item.prevHash?.S ?? '',
    hash: item.hash?.S ?? '',
  };
}

export class IngestJournalStore {
  private readonly batch: DynamoBatch;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.batch = new DynamoBatch(client, table, retry);
  }

  /** Appends one link after the source's last; taken numbers are retried after the new last. */
  async append(draft: Pick<JournalLink, 'source' | 'at' | 'delivery' | 'records'>): Promise<JournalLink> {
    const attempts = Math.max(this.retry.attempts, 20);
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(this.retry, Math.min(attempt, 6)));
      const link = nextJournalLink(await this.last(draft.source), draft);
      try {
        await this.batch.send('PutItem', () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.table,
              Item: {
                pk: s(journalKey(link.source)),
                sk: s(linkKey(link.seq)),
                source: s(link.source),
                seq: { N: String(link.seq) },
                at: s(link.at),
                delivery: s(link.delivery),
                records: s(JSON.stringify(link.records)),
                prevHash: s(link.prevHash),
                hash: s(link.hash),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        return link;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    throw new StoreBusyError(
      `the ingest journal of ${draft.source} was appended to by others ${attempts} times in a row; send the same request again`,
    );
  }

  /** The source's last link, if any. */
  async last(source: string): Promise<JournalLink | undefined> {
    const page = await this.batch.send('Query', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
          ExpressionAttributeValues: { ':pk': s(journalKey(source)), ':e': s('e#') },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const item = page.Items?.[0];
    return item === undefined ? undefined : linkOf(item);
  }

  /** Every link of a source, in order. */
  async links(source: string): Promise<JournalLink[]> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': s(journalKey(source)), ':e': s('e#') },
      ConsistentRead: true,
    });
    return items.map(linkOf);
  }
}
