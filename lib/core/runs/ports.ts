import type { Kind, Severity } from '../reconcile/discrepancy.js';
import type { ReconcileContext } from '../reconcile/reconcile.js';
import type { Settings } from '../reconcile/settings.js';
import type { ClearingModel } from '../diagnosis/clearing-probability.js';
import type { PartitionRecords } from '../records/record-sink.js';
import type { RunTables } from '../records/run-tables.js';
import type { WorkflowConfig } from '../cases/workflow-config.js';
import type { CaseRepository } from '../cases/ports.js';
import type { GroupLink } from '../diagnosis/group-links.js';
import type { CauseExample } from '../diagnosis/predict-cause.js';
import type { Telemetry } from '../shared/ports.js';
import type { PeriodRepository } from '../periods/ports.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { GroupStatus, Transition } from './lifecycle.js';
import type { RunHeatMap } from './run-heat-map.js';
import type {
  AgeBucket,
  DiscrepancyPage,
  LifecycleState,
  ReconcilePartitionOutput,
  RunDiscrepancy,
  RunRecord,
  RunStarter,
} from './run-events.js';
import type { PartitionReport } from './run-summary.js';

/**
 * What the run use cases (lib/app/runs) need from the world, as ports: lib/adapters/runs/ implements
 * them on DynamoDB, S3 and Step Functions, and lib/adapters/runs/containers.ts hands them over.
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

/** A discrepancy as one run found it, with that run's id (a group's history across runs). */
export type GroupHistoryEntry = RunDiscrepancy & { runId: string };

/** The run records, their discrepancies, the groups' lifecycle, the partitions' results and arrivals. */
export interface RunRepository {
  putRun(stored: StoredRun): Promise<void>;
  getRun(runId: string): Promise<StoredRun | undefined>;
  readLifecycle(partition: number, runId: string): Promise<Map<string, GroupStatus>>;
  writePartition(
    runId: string,
    partition: number,
    asOf: string,
    transitions: readonly Transition[],
  ): Promise<void>;
  dropPartitions(runId: string, partitions: readonly number[]): Promise<number>;
  putPartitionResult(output: ReconcilePartitionOutput, report: PartitionReport): Promise<void>;
  readPartitionReports(runId: string, partitions: readonly number[]): Promise<PartitionReport[]>;
  commitLifecycle(runId: string, asOf: string, partitions: readonly number[]): Promise<number>;
  listDiscrepancies(
    runId: string,
    filter: DiscrepancyFilter,
    options: { cursor?: string | undefined; limit: number; sort?: DiscrepancySort },
  ): Promise<DiscrepancyPage>;
  putHeatMap(heatMap: RunHeatMap): Promise<void>;
  getHeatMap(runId: string): Promise<RunHeatMap | undefined>;
  putArrivals(runId: string, partition: number, arrivals: ClearingModel): Promise<void>;
  commitArrivals(runId: string, partitions: readonly number[]): Promise<number>;
  readArrivals(): Promise<ClearingModel>;
  groupHistory(groupKey: string): Promise<GroupHistoryEntry[]>;
}

/** The partitions written since the last run, each with the version of its mark. */
export interface DirtyMarkRepository {
  list(partitions: number): Promise<Map<number, number>>;
  mark(partitions: Iterable<number>, at: Date): Promise<void>;
  /** Clears the marks still at these versions; answers the partitions cleared. */
  clear(versions: ReadonlyMap<number, number>): Promise<number[]>;
}

/** Where the live view stands: the asOf of the latest run that moved it (CONTRACT §7). */
export interface LiveViewRepository {
  asOf(): Promise<string | undefined>;
  /** Moves the live view to `asOf`; false when a run as of a later instant moved it already. */
  advance(asOf: string, runId: string): Promise<boolean>;
}

/** The stored records a run reads: a partition whole, or some records by id as they were stored. */
export interface RunRecordSource {
  readPartition(partition: number): Promise<PartitionRecords>;
  readStored(
    source: 'wms' | 'finance',
    ids: readonly string[],
  ): Promise<{ id: string; record: Record<string, unknown> }[]>;
}

/** What the cases keep that a run learns from (CONTRACT §11) and writes its discrepancies to. */
export interface RunCases extends CaseRepository {
  links(): Promise<GroupLink[]>;
  causeExamples(): Promise<CauseExample[]>;
}

/** The pipeline's rules a run adds to the partition function (lib/adapters/runs/reconcile-rules.ts). */
export type RunRules = Pick<ReconcileContext, 'currency' | 'accounts' | 'varianceCompensates'>;

/**
 * Everything the run use cases are given; each member is made on first use, so a route that needs
 * only the run store does not need the bucket's configuration.
 */
export interface RunWork {
  readonly runs: RunRepository;
  readonly dirty: DirtyMarkRepository;
  readonly records: RunRecordSource;
  readonly cases: RunCases;
  readonly starter: RunStarter;
  readonly live: LiveViewRepository;
  /** The periods: their locks, late arrivals and latest closes (CONTRACT §7). */
  readonly periods: PeriodRepository;
  readonly telemetry: Telemetry;
  /** Writes a JSON object to the data bucket (a partition list too long for a state's payload). */
  putJson(key: string, value: unknown): Promise<void>;
  partitions(): number;
  zone(): ZoneClock;
  settings(asOf: string): Settings;
  now(): Date;
  tables(runId: string): Promise<RunTables>;
  workflow(): Promise<{ config: WorkflowConfig }>;
  rules(tables: RunTables, workflow: WorkflowConfig): RunRules;
}
