import type { ReconcilePartitionOutput } from '../../core/runs/run-events.js';
import type { PartitionReport } from '../../core/runs/run-summary.js';
import type { DynamoBatch } from '../aws/dynamo-batch.js';
import { partitionLabel } from '../ingest/record-store.js';
import { s, json, PART, runKey } from './run-items.js';

/** Each partition's result and report item, left by its reconcile task for the summary. */
export class PartitionResults {
  constructor(private readonly batch: DynamoBatch) {}

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
}
