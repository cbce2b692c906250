import { toGroupStatus, type GroupStatus } from '../../core/runs/lifecycle.js';
import type { RunDiscrepancy } from '../../core/runs/run-events.js';
import type { DynamoBatch, Item } from '../aws/dynamo-batch.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { s, n, json, runKey, lifecycleKey, discrepancyPrefix } from './run-items.js';

/** A resolved group's lifecycle item is kept this long (DynamoDB TTL on `expiresAt`), then only its history remains. */
export const RESOLVED_KEPT_DAYS = 35;
const expiry = (resolvedAt: string): number =>
  Math.floor(Date.parse(resolvedAt) / 1000) + RESOLVED_KEPT_DAYS * 86_400;

/** Each group's lifecycle item per partition: what the next run starts from, committed by the summary. */
export class GroupLifecycle {
  constructor(
    private readonly batch: DynamoBatch,
    private readonly concurrency: number,
  ) {}

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
}
