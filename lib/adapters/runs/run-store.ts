import type { RunBrief, RunPage } from '../../api/runs.js';

export type { RunBrief, RunPage } from '../../api/runs.js';
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Kind, Severity } from '../../core/reconcile/discrepancy.js';
import {
  toGroupStatus,
  toRunDiscrepancy,
  type GroupStatus,
  type Transition,
} from '../../core/runs/lifecycle.js';
import type { RunHeatMap } from '../../core/runs/run-heat-map.js';
import {
  emptyClearingModel,
  mergeClearingModels,
  type ClearingModel,
} from '../../core/diagnosis/clearing-probability.js';
import type {
  AgeBucket,
  DiscrepancyPage,
  LifecycleState,
  ReconcilePartitionOutput,
  RunDiscrepancy,
  RunRecord,
} from '../../core/runs/run-events.js';
import type { PartitionReport } from '../../core/runs/run-summary.js';
import { RUNS_TABLE, type IndexDeclaration } from '../../declarations/tables.js';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { partitionLabel } from '../ingest/record-store.js';

/**
 * Runs, their discrepancies and each group's lifecycle in the runs table (layout: RUNS_TABLE in
 * lib/declarations/tables.ts). Every write is a plain put or delete keyed so that doing it again lands on
 * the same item: re-running a run id, a partition or a summary overwrites its own results.
 */
export interface StoredRun {
  run: RunRecord;
  /** Dirty-mark versions the run listed, by partition: summarize clears only those. */
  dirtyVersions: Record<number, number>;
}

export interface DiscrepancyFilter {
  kinds?: readonly Kind[];
  severities?: readonly Severity[];
  states?: readonly LifecycleState[];
  warehouseId?: string;
  ageBuckets?: readonly AgeBucket[];
}

/**
 * The orders a page can come in: `document` is the store's own (partition, then group), stable and
 * cheapest; `stake-desc` / `stake-asc` by money at stake through the by-run-stake index (ties by group).
 */
export const DISCREPANCY_SORTS = ['document', 'stake-desc', 'stake-asc'] as const;
export type DiscrepancySort = (typeof DISCREPANCY_SORTS)[number];

export function briefOf(run: RunRecord): RunBrief {
  const { summary } = run;
  return {
    runId: run.runId,
    status: run.status,
    mode: run.mode,
    asOf: run.asOf,
    ...(run.period === undefined ? {} : { period: run.period }),
    ...(run.scope === undefined ? {} : { scope: run.scope }),
    startedAt: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    partitions: run.partitions.length,
    failures: run.failures.length,
    summary:
      summary === null
        ? null
        : { ...summary, rejected: summary.rejected.length, conflicts: summary.conflicts.length },
  };
}

/**
 * Sort key of money at stake: the amount's integer part zero-padded to 20 digits, its six fraction
 * digits, then the group, so string order is numeric order and equal amounts keep a stable order.
 */
export function stakeKey(moneyAtStake: string, groupKey: string): string {
  const [whole = '0', fraction = ''] = moneyAtStake.replace(/^-/, '').split('.');
  return `${whole.padStart(20, '0')}.${fraction.padEnd(6, '0').slice(0, 6)}#${groupKey}`;
}

export interface RunStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retry?: RetryPolicy;
  concurrency?: number;
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const RUN = 'run';
const HEAT_MAP = 'heatmap';
/** gpk of every run item: the runs listed by start time through the by-group index. */
const RUNS_LIST = 'runs';
/** A resolved group's lifecycle item is kept this long (DynamoDB TTL on `expiresAt`), then only its history remains. */
export const RESOLVED_KEPT_DAYS = 35;
const expiry = (resolvedAt: string): number =>
  Math.floor(Date.parse(resolvedAt) / 1000) + RESOLVED_KEPT_DAYS * 86_400;
const PART = 'part#';
/** Each partition's arrival history (CONTRACT §11), rewritten whenever a run reconciles it. */
const ARRIVALS = 'diagnosis#arrivals';
const ARRIVALS_PENDING = 'diagnosis#arrivals#pending';
const DISCREPANCY = 'd#';

export const runKey = (runId: string): string => `run#${runId}`;
export const lifecycleKey = (partition: number): string => `life#${partitionLabel(partition)}`;
const discrepancyPrefix = (partition: number): string => `${DISCREPANCY}${partitionLabel(partition)}#`;

function json<T>(item: Item | undefined, name: string): T | undefined {
  const text = item?.[name]?.S;
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function index(name: string): IndexDeclaration {
  const found = RUNS_TABLE.indexes.find((i) => i.name === name);
  if (found === undefined) throw new Error(`${RUNS_TABLE.id} declares no index ${name}`);
  return found;
}
const BY_GROUP = index('by-group');
/** Discrepancy items only (sparse): the run's pk, sorted by money at stake. */
const STAKE = index('by-run-stake');
/** Discrepancy items only (sparse): one warehouse of a run, sorted by money at stake. */
const WAREHOUSE = index('by-run-warehouse');
const warehouseKey = (runId: string, warehouseId: string): string => `${runKey(runId)}#${warehouseId}`;

/** An opaque page cursor: the key to resume after (with the index's keys when sorted by one), base64url JSON. */
export function encodeCursor(key: Item): string {
  const index = key[STAKE.sortKey]?.S;
  return Buffer.from(
    JSON.stringify({ pk: key.pk?.S, sk: key.sk?.S, ...(index === undefined ? {} : { ix: index }) }),
    'utf8',
  ).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  runId: string,
  sort: DiscrepancySort = 'document',
  warehouseId?: string,
): Item {
  let key: { pk?: unknown; sk?: unknown; ix?: unknown } | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof key;
  } catch {
    key = undefined;
  }
  const { pk, sk, ix } = key ?? {};
  const sorted = sort !== 'document';
  if (
    pk !== runKey(runId) ||
    typeof sk !== 'string' ||
    !sk.startsWith(DISCREPANCY) ||
    (sorted ? typeof ix !== 'string' : ix !== undefined)
  ) {
    throw new InvalidRequestError(
      'cursor is not a cursor of this run and sort; pass the cursor of the previous page',
    );
  }
  return {
    pk: s(pk),
    sk: s(sk),
    ...(sorted ? { [STAKE.sortKey]: s(ix as string) } : {}),
    ...(sorted && warehouseId !== undefined
      ? { [WAREHOUSE.partitionKey]: s(warehouseKey(runId, warehouseId)) }
      : {}),
  };
}

/** The key to resume after `item`, with the index's sort key when the page came from the index. */
function keyOf(item: Item, sort: DiscrepancySort, byWarehouse: boolean): Item {
  const key: Item = { pk: item.pk, sk: item.sk } as Item;
  const indexKey = item[STAKE.sortKey];
  if (sort !== 'document' && indexKey !== undefined) key[STAKE.sortKey] = indexKey;
  const warehouse = item[WAREHOUSE.partitionKey];
  if (byWarehouse && warehouse !== undefined) key[WAREHOUSE.partitionKey] = warehouse;
  return key;
}

function encodeRunsCursor(key: Item): string {
  return Buffer.from(JSON.stringify({ pk: key.pk?.S, sk: key.sk?.S, gsk: key.gsk?.S }), 'utf8').toString(
    'base64url',
  );
}

function decodeRunsCursor(cursor: string): Item {
  let key: { pk?: unknown; sk?: unknown; gsk?: unknown } | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof key;
  } catch {
    key = undefined;
  }
  const { pk, sk, gsk } = key ?? {};
  if (typeof pk !== 'string' || !pk.startsWith('run#') || sk !== RUN || typeof gsk !== 'string') {
    throw new InvalidRequestError(
      'cursor is not a cursor of the run list; pass the cursor of the previous page',
    );
  }
  return { pk: s(pk), sk: s(sk), gpk: s(RUNS_LIST), gsk: s(gsk) };
}

function inList(
  name: string,
  values: readonly string[] | undefined,
  names: Record<string, string>,
  vals: Record<string, AttributeValue>,
): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  names[`#${name}`] = name;
  const refs = values.map((v, i) => {
    vals[`:${name}${i}`] = s(v);
    return `:${name}${i}`;
  });
  return `#${name} IN (${refs.join(', ')})`;
}

export class RunStore {
  private readonly batch: DynamoBatch;
  private readonly concurrency: number;

  constructor(options: RunStoreOptions) {
    this.batch = new DynamoBatch(options.client, options.tableName, options.retry, options.concurrency);
    this.concurrency = options.concurrency ?? 4;
  }

  private get table(): string {
    return this.batch.table;
  }

  async putRun(stored: StoredRun): Promise<void> {
    const { run } = stored;
    await this.batch.send('PutItem', () =>
      this.batch.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: s(runKey(run.runId)),
            sk: s(RUN),
            status: s(run.status),
            mode: s(run.mode),
            asOf: s(run.asOf),
            startedAt: s(run.startedAt),
            record: s(JSON.stringify(run)),
            dirtyVersions: s(JSON.stringify(stored.dirtyVersions)),
            // Listed newest first by GET /v1/runs through the by-group index, read as its brief.
            gpk: s(RUNS_LIST),
            gsk: s(`${run.startedAt}#${run.runId}`),
            brief: s(JSON.stringify(briefOf(run))),
          },
        }),
      ),
    );
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    const { Item } = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: s(runKey(runId)), sk: s(RUN) },
          ConsistentRead: true,
        }),
      ),
    );
    const run = json<RunRecord>(Item, 'record');
    if (run === undefined) return undefined;
    return { run, dirtyVersions: json<Record<number, number>>(Item, 'dirtyVersions') ?? {} };
  }

  /**
   * What earlier runs know of a partition's groups, as `runId` must see it: a group this very run
   * already committed is seen as it was before (its `prior`), so a re-run computes the same moves.
   */
  async readLifecycle(partition: number, runId: string): Promise<Map<string, GroupStatus>> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(lifecycleKey(partition)) },
      ConsistentRead: true,
    });
    const known = new Map<string, GroupStatus>();
    for (const item of items) {
      const status =
        item.runId?.S === runId ? json<GroupStatus>(item, 'prior') : json<GroupStatus>(item, 'current');
      const groupKey = item.sk?.S;
      if (status !== undefined && groupKey !== undefined) known.set(groupKey, status);
    }
    return known;
  }

  /**
   * Replaces the run's discrepancies of one partition with `transitions`: puts them, then deletes
   * what an earlier attempt of the same run wrote for groups no longer among them.
   */
  async writePartition(runId: string, partition: number, asOf: string, transitions: readonly Transition[]) {
    const prefix = discrepancyPrefix(partition);
    const earlier = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(runKey(runId)), ':prefix': s(prefix) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    const items = transitions.map((t): Item => {
      const shown = toRunDiscrepancy(t.next, asOf);
      return {
        pk: s(runKey(runId)),
        sk: s(`${prefix}${t.groupKey}`),
        gpk: s(`group#${t.groupKey}`),
        gsk: s(`${asOf}#${runId}`),
        kind: s(shown.kind),
        severity: s(shown.severity),
        warehouseId: s(shown.warehouseId),
        state: s(shown.state),
        ageBucket: s(shown.ageBucket),
        [STAKE.sortKey]: s(stakeKey(shown.moneyAtStake, t.groupKey)),
        [WAREHOUSE.partitionKey]: s(warehouseKey(runId, shown.warehouseId)),
        body: s(JSON.stringify(shown)),
        ...(t.prior === undefined ? {} : { prior: s(JSON.stringify(t.prior)) }),
      };
    });
    await this.batch.putAll(items);
    const kept = new Set(items.map((i) => i.sk?.S));
    await this.batch.deleteAll(
      earlier.filter((i) => !kept.has(i.sk?.S)).map((i) => ({ pk: i.pk, sk: i.sk }) as Item),
    );
  }

  /**
   * Removes what the run stored for partitions that did not succeed (a task that wrote its
   * discrepancies and then failed): the run's list and reports then hold exactly what its summary
   * counts.
   */
  async dropPartitions(runId: string, partitions: readonly number[]): Promise<number> {
    const dropped = await mapInFlight(partitions, this.concurrency, async (partition) => {
      const items = await this.batch.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(runKey(runId)), ':prefix': s(discrepancyPrefix(partition)) },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      });
      const result = { pk: s(runKey(runId)), sk: s(`${PART}${partitionLabel(partition)}`) };
      await this.batch.deleteAll([...items.map((i) => ({ pk: i.pk, sk: i.sk }) as Item), result]);
      return items.length;
    });
    return dropped.reduce((a, b) => a + b, 0);
  }

  async putPartitionResult(output: ReconcilePartitionOutput, report: PartitionReport): Promise<void> {
    await this.batch.putAll([
      {
        pk: s(runKey(output.runId)),
        sk: s(`${PART}${partitionLabel(output.partition)}`),
        output: s(JSON.stringify(output)),
        report: s(JSON.stringify(report)),
      },
    ]);
  }

  /** The reports the reconcile tasks left for these partitions. */
  async readPartitionReports(runId: string, partitions: readonly number[]): Promise<PartitionReport[]> {
    const wanted = new Set(partitions);
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(runKey(runId)), ':prefix': s(PART) },
      ProjectionExpression: '#report',
      ExpressionAttributeNames: { '#report': 'report' },
      ConsistentRead: true,
    });
    return items
      .map((item) => json<PartitionReport>(item, 'report'))
      .filter((r): r is PartitionReport => r !== undefined && wanted.has(r.partition));
  }

  /**
   * Makes the run's view of these partitions the groups' lifecycle: each group it found or resolved
   * gets its new status, keeping what was known before the run (`prior`) for a re-run to start from.
   */
  async commitLifecycle(runId: string, asOf: string, partitions: readonly number[]): Promise<number> {
    const counts = await mapInFlight(partitions, this.concurrency, async (partition) => {
      const prefix = discrepancyPrefix(partition);
      const found = await this.batch.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(runKey(runId)), ':prefix': s(prefix) },
        ProjectionExpression: 'sk, #body, #prior',
        ExpressionAttributeNames: { '#body': 'body', '#prior': 'prior' },
        ConsistentRead: true,
      });
      const items = found.flatMap((item): Item[] => {
        const shown = json<RunDiscrepancy>(item, 'body');
        if (shown === undefined) return [];
        return [
          {
            pk: s(lifecycleKey(partition)),
            sk: s(shown.groupKey),
            runId: s(runId),
            asOf: s(asOf),
            state: s(shown.state),
            current: s(JSON.stringify(toGroupStatus(shown))),
            ...(item.prior === undefined ? {} : { prior: item.prior }),
            ...(shown.resolvedAt === undefined ? {} : { expiresAt: n(expiry(shown.resolvedAt)) }),
          },
        ];
      });
      await this.batch.putAll(items);
      await this.undoEarlierAttempt(runId, partition, new Set(items.map((i) => i.sk?.S)));
      return items.length;
    });
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Groups an earlier attempt of this run committed but this attempt did not (the data changed in
   * between) go back to what was known before the run.
   */
  private async undoEarlierAttempt(runId: string, partition: number, kept: ReadonlySet<string | undefined>) {
    const committed = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'runId = :run',
      ExpressionAttributeValues: { ':pk': s(lifecycleKey(partition)), ':run': s(runId) },
      ProjectionExpression: 'pk, sk, #prior',
      ExpressionAttributeNames: { '#prior': 'prior' },
      ConsistentRead: true,
    });
    const stale = committed.filter((item) => !kept.has(item.sk?.S));
    const restored = stale.flatMap((item): Item[] => {
      const prior = json<GroupStatus>(item, 'prior');
      if (prior === undefined) return [];
      return [
        {
          pk: item.pk,
          sk: item.sk,
          state: s(prior.lifecycle.state),
          current: s(JSON.stringify(prior)),
        } as Item,
      ];
    });
    await this.batch.putAll(restored);
    await this.batch.deleteAll(
      stale.filter((item) => item.prior === undefined).map((i) => ({ pk: i.pk, sk: i.sk }) as Item),
    );
  }

  /**
   * One page of a run's discrepancies, filtered server side, in a stable order: the store's own
   * (partition, then group) or by money at stake (`sort`, through the by-run-stake index). Without a
   * state filter the page holds what the run found (NEW and PERSISTING); `states: ['RESOLVED']`
   * lists what it resolved. A sparse filter answers a short page (even an empty one) with a cursor to
   * go on: each request reads a bounded number of items.
   */
  async listDiscrepancies(
    runId: string,
    filter: DiscrepancyFilter,
    options: { cursor?: string | undefined; limit: number; sort?: DiscrepancySort },
  ): Promise<DiscrepancyPage> {
    const sort = options.sort ?? 'document';
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const states = filter.states ?? ['NEW', 'PERSISTING'];
    // Sorted by money: one warehouse's own index when the filter names one (a sparse warehouse
    // reads only its items), else the run's; the store's order reads the run's items in place.
    const byWarehouse = sort !== 'document' && filter.warehouseId !== undefined;
    const conditions = [
      inList('kind', filter.kinds, names, values),
      inList('severity', filter.severities, names, values),
      inList('state', states, names, values),
      inList(
        'warehouseId',
        filter.warehouseId === undefined || byWarehouse ? undefined : [filter.warehouseId],
        names,
        values,
      ),
      inList('ageBucket', filter.ageBuckets, names, values),
    ].filter((c): c is string => c !== undefined);
    let keyCondition = 'pk = :pk';
    if (byWarehouse) {
      keyCondition = '#wpk = :wpk';
      names['#wpk'] = WAREHOUSE.partitionKey;
      values[':wpk'] = s(warehouseKey(runId, filter.warehouseId ?? ''));
    } else values[':pk'] = s(runKey(runId));
    if (sort === 'document') {
      keyCondition = 'pk = :pk AND begins_with(sk, :prefix)';
      values[':prefix'] = s(DISCREPANCY);
    }
    const items: RunDiscrepancy[] = [];
    let start =
      options.cursor === undefined
        ? undefined
        : decodeCursor(options.cursor, runId, sort, byWarehouse ? filter.warehouseId : undefined);
    let evaluated = 0;
    // Bounded work per request: a sparse filter answers a short page with a cursor to go on.
    while (items.length < options.limit && evaluated < 20 * options.limit + 4000) {
      const page = await this.batch.send('Query', () =>
        this.batch.client.send(
          new QueryCommand({
            TableName: this.table,
            ...(sort === 'document'
              ? {}
              : {
                  IndexName: (byWarehouse ? WAREHOUSE : STAKE).name,
                  ScanIndexForward: sort === 'stake-asc',
                }),
            KeyConditionExpression: keyCondition,
            FilterExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ExclusiveStartKey: start,
            Limit: Math.max(200, options.limit),
          }),
        ),
      );
      evaluated += page.ScannedCount ?? 0;
      const matched = page.Items ?? [];
      const room = options.limit - items.length;
      for (const item of matched.slice(0, room)) {
        const shown = json<RunDiscrepancy>(item, 'body');
        if (shown !== undefined) items.push(shown);
      }
      // Cut inside a page: resume right after the last item taken.
      const last = matched[room - 1];
      start =
        matched.length > room && last !== undefined ? keyOf(last, sort, byWarehouse) : page.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return { items, cursor: start === undefined ? null : encodeCursor(start) };
  }

  /** The runs, most recently started first, as briefs (the by-group index under gpk `runs`). */
  async listRuns(options: { cursor?: string | undefined; limit: number }): Promise<RunPage> {
    const page = await this.batch.send('Query', () =>
      this.batch.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_GROUP.name,
          KeyConditionExpression: '#g = :g',
          ExpressionAttributeNames: { '#g': BY_GROUP.partitionKey, '#brief': 'brief' },
          ExpressionAttributeValues: { ':g': s(RUNS_LIST) },
          ProjectionExpression: '#brief',
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: options.cursor === undefined ? undefined : decodeRunsCursor(options.cursor),
        }),
      ),
    );
    const items = (page.Items ?? []).flatMap((item) => {
      const brief = json<RunBrief>(item, 'brief');
      return brief === undefined ? [] : [brief];
    });
    const next = page.LastEvaluatedKey;
    return { items, cursor: next === undefined ? null : encodeRunsCursor(next) };
  }

  /** Stores the run's dashboard aggregates (gzipped: a run over many warehouses stays one item). */
  async putHeatMap(heatMap: RunHeatMap): Promise<void> {
    await this.batch.putAll([
      {
        pk: s(runKey(heatMap.runId)),
        sk: s(HEAT_MAP),
        heat: { B: gzipSync(JSON.stringify(heatMap)) },
      },
    ]);
  }

  async getHeatMap(runId: string): Promise<RunHeatMap | undefined> {
    const { Item } = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: s(runKey(runId)), sk: s(HEAT_MAP) },
        }),
      ),
    );
    const bytes = Item?.heat?.B;
    return bytes === undefined ? undefined : (JSON.parse(gunzipSync(bytes).toString('utf8')) as RunHeatMap);
  }

  /**
   * A partition's arrival history as this run's reconcile found it (every record of the partition
   * is read each time, so it replaces the earlier one), held as pending until the run is
   * summarized: the partitions of one run all learn from the history before it, whatever order
   * they run in (gzipped: a curve per warehouse and type).
   */
  async putArrivals(runId: string, partition: number, arrivals: ClearingModel): Promise<void> {
    await this.batch.putAll([
      {
        pk: s(ARRIVALS_PENDING),
        sk: s(partitionLabel(partition)),
        runId: s(runId),
        arrivals: { B: gzipSync(JSON.stringify(arrivals)) },
      },
    ]);
  }

  /** The run's pending arrival histories of these partitions become the ones later runs learn from. */
  async commitArrivals(runId: string, partitions: readonly number[]): Promise<number> {
    const wanted = new Set(partitions.map(partitionLabel));
    const pending = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'runId = :run',
      ExpressionAttributeValues: { ':pk': s(ARRIVALS_PENDING), ':run': s(runId) },
      ConsistentRead: true,
    });
    const items = pending
      .filter((item) => wanted.has(item.sk?.S ?? ''))
      .map((item) => ({ ...item, pk: s(ARRIVALS) }) as Item);
    await this.batch.putAll(items);
    return items.length;
  }

  /** Every partition's committed arrival history added up: what clearing probabilities learn from. */
  async readArrivals(): Promise<ClearingModel> {
    const items = await this.batch.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(ARRIVALS) },
    });
    const model = emptyClearingModel();
    for (const item of items) {
      const bytes = item.arrivals?.B;
      if (bytes !== undefined) {
        mergeClearingModels(model, JSON.parse(gunzipSync(bytes).toString('utf8')) as ClearingModel);
      }
    }
    return model;
  }

  /** A group across runs, newest first: its stable identity made visible (index by-group). */
  async groupHistory(groupKey: string): Promise<(RunDiscrepancy & { runId: string })[]> {
    const items = await this.batch.queryAll({
      IndexName: BY_GROUP.name,
      KeyConditionExpression: 'gpk = :g',
      ExpressionAttributeValues: { ':g': s(`group#${groupKey}`) },
      ScanIndexForward: false,
    });
    return items.flatMap((item) => {
      const shown = json<RunDiscrepancy>(item, 'body');
      const runId = item.pk?.S?.slice('run#'.length);
      return shown === undefined || runId === undefined ? [] : [{ ...shown, runId }];
    });
  }
}
