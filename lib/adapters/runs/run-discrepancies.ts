import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { toRunDiscrepancy, type Transition } from '../../core/runs/lifecycle.js';
import type { DiscrepancyPage, RunDiscrepancy } from '../../core/runs/run-events.js';
import type { DiscrepancyFilter, DiscrepancySort, GroupHistoryEntry } from '../../core/runs/ports.js';
import type { DynamoBatch, Item } from '../aws/dynamo-batch.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { partitionLabel } from '../ingest/record-store.js';
import {
  s,
  json,
  PART,
  DISCREPANCY,
  runKey,
  discrepancyPrefix,
  BY_GROUP,
  STAKE,
  WAREHOUSE,
  warehouseKey,
  stakeKey,
} from './run-items.js';
import { encodeCursor, decodeCursor, keyOf } from './run-cursors.js';

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

/** A run's discrepancy items, by partition: written, dropped, paged and followed across runs. */
export class RunDiscrepancies {
  constructor(
    private readonly batch: DynamoBatch,
    private readonly concurrency: number,
  ) {}

  private get table(): string {
    return this.batch.table;
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

  /** A group across runs, newest first: its stable identity made visible (index by-group). */
  async groupHistory(groupKey: string): Promise<GroupHistoryEntry[]> {
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
