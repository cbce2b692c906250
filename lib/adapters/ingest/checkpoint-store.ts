import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ReportConflict } from '../../core/ingest/drop.js';
import type { Checkpoint, CheckpointRepository, ObjectVersion } from '../../core/ingest/ports.js';

export type { Checkpoint } from '../../core/ingest/ports.js';
import { currentTime } from '../aws/clock.js';

/** Conflicts kept in the item: a DynamoDB item holds at most 400 KB. */
export const MAX_CHECKPOINT_CONFLICTS = 1_000;

/** Checkpoints under pk `checkpoint#<bucket>/<key>`, sk `<etag>` (lib/declarations/tables.ts). */
export class CheckpointStore implements CheckpointRepository {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(object: ObjectVersion) {
    return { pk: { S: `checkpoint#${object.bucket}/${object.key}` }, sk: { S: object.etag } };
  }

  async get(object: ObjectVersion): Promise<Checkpoint | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: this.key(object), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      line: Number(Item.line?.N ?? 0),
      accepted: Number(Item.accepted?.N ?? 0),
      duplicates: Number(Item.duplicates?.N ?? 0),
      lateArrivals: Number(Item.lateArrivals?.N ?? 0),
      conflicts: JSON.parse(Item.conflicts?.S ?? '[]') as ReportConflict[],
      startedAt: Item.startedAt?.S ?? currentTime().toISOString(),
      invocations: Number(Item.invocations?.N ?? 0),
      done: Item.done?.BOOL ?? false,
    };
  }

  async save(object: ObjectVersion, checkpoint: Checkpoint): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...this.key(object),
          line: { N: String(checkpoint.line) },
          accepted: { N: String(checkpoint.accepted) },
          duplicates: { N: String(checkpoint.duplicates) },
          lateArrivals: { N: String(checkpoint.lateArrivals ?? 0) },
          conflicts: { S: JSON.stringify(checkpoint.conflicts.slice(0, MAX_CHECKPOINT_CONFLICTS)) },
          startedAt: { S: checkpoint.startedAt },
          invocations: { N: String(checkpoint.invocations) },
          done: { BOOL: checkpoint.done },
          updatedAt: { S: currentTime().toISOString() },
        },
      }),
    );
  }
}
