import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RunPage } from '../../api/runs.js';
import type { ClearingModel } from '../../core/diagnosis/clearing-probability.js';
import type { GroupStatus, Transition } from '../../core/runs/lifecycle.js';
import type {
  DiscrepancyFilter,
  DiscrepancySort,
  GroupHistoryEntry,
  RunRepository,
  StoredRun,
} from '../../core/runs/ports.js';
import type { DiscrepancyPage, ReconcilePartitionOutput } from '../../core/runs/run-events.js';
import type { RunHeatMap } from '../../core/runs/run-heat-map.js';
import type { PartitionReport } from '../../core/runs/run-summary.js';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch } from '../aws/dynamo-batch.js';
import { GroupLifecycle } from './group-lifecycle.js';
import { PartitionResults } from './partition-results.js';
import { RunArrivals } from './run-arrivals.js';
import { RunDiscrepancies } from './run-discrepancies.js';
import { RunRecords } from './run-records.js';

export type { RunBrief, RunPage } from '../../api/runs.js';
export { DISCREPANCY_SORTS } from '../../core/runs/ports.js';
export type { DiscrepancyFilter, DiscrepancySort, StoredRun } from '../../core/runs/ports.js';
export { encodeCursor, decodeCursor } from './run-cursors.js';
export { lifecycleKey, runKey, stakeKey } from './run-items.js';
export { briefOf } from './run-records.js';
export { RESOLVED_KEPT_DAYS } from './group-lifecycle.js';

export interface RunStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retry?: RetryPolicy;
  concurrency?: number;
}

/**
 * Runs, their discrepancies and each group's lifecycle in the runs table (layout: RUNS_TABLE in
 * lib/declarations/tables.ts; keys in run-items.ts), one part per job: the run records
 * (run-records.ts), the discrepancies (run-discrepancies.ts), the partitions' results
 * (partition-results.ts), the groups' lifecycle (group-lifecycle.ts) and the arrival histories
 * (run-arrivals.ts). Every write is a plain put or delete keyed so that doing it again lands on the
 * same item: re-running a run id, a partition or a summary overwrites its own results.
 */
export class RunStore implements RunRepository {
  private readonly records: RunRecords;
  private readonly discrepancies: RunDiscrepancies;
  private readonly results: PartitionResults;
  private readonly lifecycle: GroupLifecycle;
  private readonly arrivals: RunArrivals;

  constructor(options: RunStoreOptions) {
    const batch = new DynamoBatch(options.client, options.tableName, options.retry, options.concurrency);
    const concurrency = options.concurrency ?? 4;
    this.records = new RunRecords(batch);
    this.discrepancies = new RunDiscrepancies(batch, concurrency);
    this.results = new PartitionResults(batch);
    this.lifecycle = new GroupLifecycle(batch, concurrency);
    this.arrivals = new RunArrivals(batch);
  }

  putRun(stored: StoredRun): Promise<void> {
    return this.records.putRun(stored);
  }

  getRun(runId: string): Promise<StoredRun | undefined> {
    return this.records.getRun(runId);
  }

  listRuns(options: { cursor?: string | undefined; limit: number }): Promise<RunPage> {
    return this.records.listRuns(options);
  }

  putHeatMap(heatMap: RunHeatMap): Promise<void> {
    return this.records.putHeatMap(heatMap);
  }

  getHeatMap(runId: string): Promise<RunHeatMap | undefined> {
    return this.records.getHeatMap(runId);
  }

  writePartition(runId: string, partition: number, asOf: string, transitions: readonly Transition[]) {
    return this.discrepancies.writePartition(runId, partition, asOf, transitions);
  }

  dropPartitions(runId: string, partitions: readonly number[]): Promise<number> {
    return this.discrepancies.dropPartitions(runId, partitions);
  }

  listDiscrepancies(
    runId: string,
    filter: DiscrepancyFilter,
    options: { cursor?: string | undefined; limit: number; sort?: DiscrepancySort },
  ): Promise<DiscrepancyPage> {
    return this.discrepancies.listDiscrepancies(runId, filter, options);
  }

  groupHistory(groupKey: string): Promise<GroupHistoryEntry[]> {
    return this.discrepancies.groupHistory(groupKey);
  }

  putPartitionResult(output: ReconcilePartitionOutput, report: PartitionReport): Promise<void> {
    return this.results.putPartitionResult(output, report);
  }

  readPartitionReports(runId: string, partitions: readonly number[]): Promise<PartitionReport[]> {
    return this.results.readPartitionReports(runId, partitions);
  }

  readLifecycle(partition: number, runId: string): Promise<Map<string, GroupStatus>> {
    return this.lifecycle.readLifecycle(partition, runId);
  }

  commitLifecycle(runId: string, asOf: string, partitions: readonly number[]): Promise<number> {
    return this.lifecycle.commitLifecycle(runId, asOf, partitions);
  }

  putArrivals(runId: string, partition: number, arrivals: ClearingModel): Promise<void> {
    return this.arrivals.putArrivals(runId, partition, arrivals);
  }

  commitArrivals(runId: string, partitions: readonly number[]): Promise<number> {
    return this.arrivals.commitArrivals(runId, partitions);
  }

  readArrivals(): Promise<ClearingModel> {
    return this.arrivals.readArrivals();
  }
}
