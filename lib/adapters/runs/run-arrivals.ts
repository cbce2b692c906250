import { gzipSync, gunzipSync } from 'node:zlib';
import {
  emptyClearingModel,
  mergeClearingModels,
  type ClearingModel,
} from '../../core/diagnosis/clearing-probability.js';
import type { DynamoBatch, Item } from '../aws/dynamo-batch.js';
import { partitionLabel } from '../ingest/record-store.js';
import { s, ARRIVALS, ARRIVALS_PENDING } from './run-items.js';

/** Each partition's arrival history (CONTRACT §11): pending per run, committed by its summary. */
export class RunArrivals {
  constructor(private readonly batch: DynamoBatch) {}

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
}
