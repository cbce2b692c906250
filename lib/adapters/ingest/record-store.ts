import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ingestChain, type Anchor } from '../../core/ingest/audit-digest.js';
import { canonicalText, contentHash, differingFields } from '../../core/records/content-hash.js';
import { RECORDS_PER_LINK, type JournaledRecord } from '../../core/ingest/ingest-journal.js';
import { partitionOf } from '../../core/records/partition.js';
import { isRejection, parseEntry, parseMovement } from '../../core/records/record-parser.js';
import type {
  PartitionRecords,
  ArrivalRecorder,
  RecordSink,
  RecordSource,
  WriteConflict,
  WriteOutcome,
} from '../../core/records/record-sink.js';
import type { LedgerRecord } from '../../core/records/records.js';
import { ZoneClock } from '../../core/shared/zone-clock.js';
import { RECORDS_TABLE } from '../../declarations/tables.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../aws/backoff.js';
import type { DigestLog } from './digest-log.js';
import { DynamoBatch } from '../aws/dynamo-batch.js';
import type { IngestJournalStore } from './ingest-journal-store.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { currentTime } from '../aws/clock.js';

/**
 * Idempotent ledger writes on DynamoDB without transactions (dynalite has none). Key layout:
 * lib/declarations/tables.ts.
 *
 *   1. BatchGetItem (consistent) the `head` item of each id in a batch. Same hash as a head: a
 *      duplicate, nothing written (unless the head names this very delivery and line: then it is
 *      our own write from an interrupted attempt, counted accepted). Other hash: a conflict, written
 *      as `conflict#<hash>`; the head and the record stay as they are.
 *   2. No head: a new record. Its version item `v#<hash>` (in the by-partition index) is written
 *      first, then its head by a conditional PutItem (`attribute_not_exists`): of writers racing on
 *      one new id exactly one stores the head, and the first stored version is never replaced. A
 *      writer whose claim fails reads the head that won: same content is a duplicate; other content
 *      is a conflict reported to that sender, kept as `conflict#<hash>`, and its own version item is
 *      deleted again, so the runs read only the stored record. A crash between the version and the
 *      head leaves a version without a head, which a retry completes.
 *   3. Before any head is claimed, the new records are named in the ingest journal (their ids and
 *      content hashes, chained per source; ingest-journal.ts) and each link is anchored in the
 *      digest log: every stored record is in the journal, and the journal cannot be rewritten.
 *   4. Each partition a batch stored into is marked dirty once (UpdateItem `dirty` / `p#NNNN`).
 */
const HEAD = 'head';
const GET_LIMIT = 100;
/** Conditional head puts in flight per batch: one request per new id (BatchWriteItem takes no conditions). */
const CLAIMS_IN_FLIGHT = 16;

export interface RecordStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  partitions: number;
  /** The ingest journal (issue 16); without it nothing is journaled (tests of other concerns). */
  journal?: IngestJournalStore;
  /** Where the journal's links are anchored. */
  digests?: DigestLog;
  /** Batches of up to 100 ids in flight at once. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Items per Query page when reading a partition (DynamoDB's 1 MB page when unset). */
  pageSize?: number;
  now?: () => Date;
  /** Told of the records each write stored: the periods they are dated in, late arrivals (CONTRACT §7). */
  arrivals?: ArrivalRecorder;
}

/** `p#0007`: the partition as it appears in index keys and dirty marks. */
export function partitionLabel(partition: number): string {
  return `p#${String(partition).padStart(4, '0')}`;
}

export function recordKey(source: string, id: string): string {
  return `${source}#${id}`;
}

interface Pending {
  record: LedgerRecord;
  pk: string;
  text: string;
  hash: string;
  origin: string;
}

interface Head {
  hash: string;
  origin: string;
  text: string;
}

type Item = Record<string, AttributeValue>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const idName = (r: LedgerRecord): string => (r.source === 'wms' ? 'eventId' : 'entryId');

export class RecordStore implements RecordSink, RecordSource {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly partitions: number;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly pageSize: number | undefined;
  private readonly now: () => Date;
  private readonly batch: DynamoBatch;
  private readonly journal: IngestJournalStore | undefined;
  private readonly digests: DigestLog | undefined;
  private readonly arrivals: ArrivalRecorder | undefined;

  constructor(options: RecordStoreOptions) {
    this.journal = options.journal;
    this.digests = options.digests;
    this.client = options.client;
    this.table = options.tableName;
    this.partitions = options.partitions;
    this.concurrency = options.concurrency ?? 4;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.pageSize = options.pageSize;
    this.now = options.now ?? currentTime;
    this.arrivals = options.arrivals;
    this.batch = new DynamoBatch(this.client, this.table, this.retry, this.concurrency);
  }

  async write(records: readonly LedgerRecord[], delivery: string): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { accepted: 0, duplicates: 0, conflicts: [] };
    // One id per batch, each id in one batch: repeats inside this write are settled against the
    // first occurrence afterwards, so concurrent batches never race on an id of their own.
    const firsts = new Map<string, Pending>();
    const repeats: Pending[] = [];
    for (const record of records) {
      const text = canonicalText(record);
      const pk = recordKey(record.source, record.id);
      const pending = { record, pk, text, hash: contentHash(text), origin: `${delivery}#${record.line}` };
      if (firsts.has(pk)) repeats.push(pending);
      else firsts.set(pk, pending);
    }
    const receivedAt = this.now().toISOString();
    const heads = new Map<string, Head>();
    const touched = new Set<number>();
    const conflicts: Item[] = [];
    const stored: LedgerRecord[] = [];
    const settle = (p: Pending, head: Head): void => {
      heads.set(p.pk, head);
      if (head.hash !== p.hash) {
        conflicts.push(this.conflictItem(p, head, receivedAt));
        outcome.conflicts.push(this.conflict(p, head));
      } else if (head.origin === p.origin) {
        touched.add(partitionOf(p.record.sku, this.partitions));
        stored.push(p.record);
        outcome.accepted++;
      } else outcome.duplicates++;
    };
    // 1. What is stored already: duplicates and conflicts are settled now, the rest is new.
    const fresh: Pending[] = [];
    await mapInFlight(chunks([...firsts.values()], GET_LIMIT), this.concurrency, async (batch) => {
      const stored = await this.getHeads(batch.map((p) => p.pk));
      for (const p of batch) {
        const head = stored.get(p.pk);
        if (head === undefined) fresh.push(p);
        else settle(p, head);
      }
    });
    // 2. The journal names the new records before any is claimed: every stored record is in it.
    await this.journalFresh(fresh, delivery);
    // 3. Versions before heads (a head never points at a version that was not stored), each head
    // claimed by a conditional put.
    const lost: Item[] = [];
    await mapInFlight(chunks(fresh, GET_LIMIT), this.concurrency, async (batch) => {
      await this.putAll(batch.map((p) => this.versionItem(p, receivedAt)));
      await mapInFlight(batch, CLAIMS_IN_FLIGHT, async (p) => {
        if (await this.claimHead(p)) {
          heads.set(p.pk, { hash: p.hash, origin: p.origin, text: p.text });
          touched.add(partitionOf(p.record.sku, this.partitions));
          stored.push(p.record);
          outcome.accepted++;
          return;
        }
        // Another writer stored this id between our read and our claim: its record is the one kept.
        const head = await this.getHead(p.pk);
        settle(p, head);
        if (head.hash !== p.hash) lost.push({ pk: s(p.pk), sk: s(`v#${p.hash}`) });
      });
    });
    await this.batch.deleteAll(lost);
    await this.putAll(conflicts);
    const repeatedConflicts = new Map<string, Item>();
    for (const p of repeats) {
      const head = heads.get(p.pk);
      if (head === undefined || head.hash === p.hash) {
        outcome.duplicates++;
        continue;
      }
      repeatedConflicts.set(`${p.pk}\u0000${p.hash}`, this.conflictItem(p, head, receivedAt));
      outcome.conflicts.push(this.conflict(p, head));
    }
    await this.putAll([...repeatedConflicts.values()]);
    // Late arrivals are noted before the partitions are marked: a run the mark starts sees them.
    if (this.arrivals !== undefined) outcome.lateArrivals = await this.arrivals.arrived(stored, receivedAt);
    await this.markDirty(touched);
    outcome.conflicts.sort((a, b) => a.line - b.line);
    return outcome;
  }

  /**
   * Journal links for the new records of a write (one per RECORDS_PER_LINK of a source), each
   * anchored in the digest log as soon as it is appended.
   */
  private async journalFresh(fresh: readonly Pending[], delivery: string): Promise<void> {
    if (this.journal === undefined || fresh.length === 0) return;
    const at = this.now();
    const anchors: Anchor[] = [];
    for (const source of ['wms', 'finance'] as const) {
      const named = fresh.filter((p) => p.record.source === source);
      for (const part of chunks(named, RECORDS_PER_LINK)) {
        const link = await this.journal.append({
          source,
          at: at.toISOString(),
          delivery,
          records: part.map((p): JournaledRecord => [p.record.id, p.hash]),
        });
        anchors.push({ chain: ingestChain(source), seq: link.seq, hash: link.hash });
      }
    }
    await this.digests?.append(anchors, at);
  }

  /**
   * The records stored under these ids, as first stored (the `head` of each id; a conflicting later
   * version is not shown), in the order asked; ids never stored are left out.
   */
  async readStored(
    source: LedgerRecord['source'],
    ids: readonly string[],
  ): Promise<{ id: string; record: Record<string, unknown> }[]> {
    const pks = [...new Set(ids)].map((id) => recordKey(source, id));
    const heads = new Map<string, Head>();
    for (let i = 0; i < pks.length; i += GET_LIMIT) {
      for (const [pk, head] of await this.getHeads(pks.slice(i, i + GET_LIMIT))) heads.set(pk, head);
    }
    return [...new Set(ids)].flatMap((id) => {
      const head = heads.get(recordKey(source, id));
      if (head === undefined) return [];
      try {
        return [{ id, record: JSON.parse(head.text) as Record<string, unknown> }];
      } catch {
        return [];
      }
    });
  }

  /** Every stored version in one partition, validated again by the same parser as at the edge. */
  async readPartition(partition: number): Promise<PartitionRecords> {
    const out: PartitionRecords = { movements: [], entries: [], rejected: [] };
    const index = RECORDS_TABLE.indexes[0]?.name ?? 'by-partition';
    const utc = new ZoneClock('UTC');
    let start: Item | undefined;
    do {
      const page = await this.withRetry('Query', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index,
            KeyConditionExpression: 'gpk = :p',
            ExpressionAttributeValues: { ':p': s(partitionLabel(partition)) },
            ExclusiveStartKey: start,
            Limit: this.pageSize,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const origin = { file: item.file?.S ?? '', line: Number(item.line?.N ?? 0) };
        let raw: unknown;
        try {
          raw = JSON.parse(item.record?.S ?? '');
        } catch {
          raw = undefined;
        }
        if (item.source?.S === 'wms') {
          const m = parseMovement(raw, origin, utc);
          if (isRejection(m)) out.rejected.push(m);
          else out.movements.push(m);
        } else {
          const e = parseEntry(raw, origin, utc);
          if (isRejection(e)) out.rejected.push(e);
          else out.entries.push(e);
        }
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  private versionItem(p: Pending, receivedAt: string): Item {
    const { record } = p;
    return {
      pk: s(p.pk),
      sk: s(`v#${p.hash}`),
      gpk: s(partitionLabel(partitionOf(record.sku, this.partitions))),
      gsk: s(`${record.source}#${record.id}#${p.hash}`),
      source: s(record.source),
      id: s(record.id),
      record: s(p.text),
      file: s(record.file),
      line: n(record.line),
      origin: s(p.origin),
      receivedAt: s(receivedAt),
    };
  }

  private conflictItem(p: Pending, head: Head, receivedAt: string): Item {
    return {
      pk: s(p.pk),
      sk: s(`conflict#${p.hash}`),
      source: s(p.record.source),
      id: s(p.record.id),
      record: s(p.text),
      file: s(p.record.file),
      line: n(p.record.line),
      origin: s(p.origin),
      headHash: s(head.hash),
      receivedAt: s(receivedAt),
    };
  }

  private conflict(p: Pending, head: Head): WriteConflict {
    let fields: string[] = [];
    try {
      fields = differingFields(JSON.parse(head.text) as object, JSON.parse(p.text) as object);
    } catch {
      fields = [];
    }
    const which = fields.length > 0 ? ` (${fields.join(', ')} differ)` : '';
    return {
      id: p.record.id,
      line: p.record.line,
      reason: `${idName(p.record)} ${p.record.id} was stored earlier with other content${which}; the stored record is kept and this one is held for review`,
    };
  }

  /** Stores the head of a new id unless one exists: true when this writer's record is the one kept. */
  private async claimHead(p: Pending): Promise<boolean> {
    try {
      await this.withRetry('PutItem', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { pk: s(p.pk), sk: s(HEAD), hash: s(p.hash), origin: s(p.origin), record: s(p.text) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** The head of an id known to have one (a consistent read right after a failed claim). */
  private async getHead(pk: string): Promise<Head> {
    const { Item } = await this.withRetry('GetItem', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { pk: s(pk), sk: s(HEAD) }, ConsistentRead: true }),
      ),
    );
    return { hash: Item?.hash?.S ?? '', origin: Item?.origin?.S ?? '', text: Item?.record?.S ?? '' };
  }

  private async getHeads(pks: readonly string[]): Promise<Map<string, Head>> {
    const heads = new Map<string, Head>();
    let keys: Item[] = pks.map((pk) => ({ pk: s(pk), sk: s(HEAD) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await this.pause(attempt, 'BatchGetItem', `${keys.length} keys left unprocessed`);
      const answer = await this.withRetry('BatchGetItem', () =>
        this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.table]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: 'pk, #hash, #origin, #record',
                ExpressionAttributeNames: { '#hash': 'hash', '#origin': 'origin', '#record': 'record' },
              },
            },
          }),
        ),
      );
      for (const item of answer.Responses?.[this.table] ?? []) {
        const pk = item.pk?.S;
        if (pk !== undefined) {
          heads.set(pk, {
            hash: item.hash?.S ?? '',
            origin: item.origin?.S ?? '',
            text: item.record?.S ?? '',
          });
        }
      }
      keys = answer.UnprocessedKeys?.[this.table]?.Keys ?? [];
    }
    return heads;
  }

  private async putAll(items: readonly Item[]): Promise<void> {
    await this.batch.putAll(items);
  }

  private async markDirty(partitions: ReadonlySet<number>): Promise<void> {
    const updatedAt = this.now().toISOString();
    await mapInFlight([...partitions], 16, (partition) =>
      this.withRetry('UpdateItem', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { pk: s('dirty'), sk: s(partitionLabel(partition)) },
            UpdateExpression: 'SET updatedAt = :now ADD version :one',
            ExpressionAttributeValues: { ':now': s(updatedAt), ':one': n(1) },
          }),
        ),
      ),
    );
  }

  private pause(attempt: number, operation: string, why: string): Promise<void> {
    return this.batch.pause(attempt, operation, why);
  }

  private withRetry<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.batch.send(operation, call);
  }
}
