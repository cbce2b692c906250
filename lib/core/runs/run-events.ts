import { z } from 'zod';
import { KINDS, SEVERITIES, type Discrepancy, type Kind, type Severity } from '../reconcile/discrepancy.js';
import type { SummaryFigures } from '../reconcile/summary.js';

/**
 * The shapes a reconcile run passes between its parts: the POST /v1/runs body, the input and output
 * of each state machine task (ListPartitions -> ReconcilePartition per partition -> SummarizeRun),
 * and the run record the API answers with. camelCase JSON; decimals as strings.
 */
export const RUN_MODES = ['continuous', 'close'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const RunScopeSchema = z.strictObject({
  warehouses: z.array(z.string().min(1)).min(1).optional(),
  skus: z.array(z.string().min(1)).min(1).optional(),
});
export type RunScope = z.infer<typeof RunScopeSchema>;

/** POST /v1/runs (CONTRACT §4). */
export const RunRequestSchema = z.strictObject({
  asOf: isoDateTime.optional(),
  mode: z.enum(RUN_MODES),
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
    .optional(),
  scope: RunScopeSchema.optional(),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;

/** ListPartitions task input: the state machine's execution input. */
export interface ListPartitionsInput {
  runId: string;
  mode: RunMode;
  /** ISO 8601. */
  asOf: string;
  period?: string;
  scope?: RunScope;
}

/**
 * The port POST /v1/runs starts a run through: a Step Functions StartExecution in the cloud
 * (lib/adapters/runs/run-starter.ts, execution name = runId), the local state machine runner locally.
 */
export interface RunStarter {
  start(input: ListPartitionsInput): Promise<void>;
}

/** One item of the Map: the ReconcilePartition task's input. */
export interface PartitionTask {
  runId: string;
  partition: number;
  asOf: string;
}

export interface ListPartitionsOutput {
  runId: string;
  asOf: string;
  partitions: PartitionTask[];
  partitionCount: number;
  /**
   * Set when partitionCount > DISTRIBUTED_MAP_THRESHOLD: the key (in the data bucket) of
   * runs/<runId>/partitions.json, a JSON array of PartitionTask that a Distributed Map reads.
   */
  partitionListKey?: string;
}

export type ReconcilePartitionInput = PartitionTask;

/** A Tally (lib/core/reconcile/summary.ts) as JSON: money as decimal strings. */
export interface TallyJson {
  groupsSeen: number;
  groupsMatched: number;
  byKind: Record<Kind, number>;
  bySeverity: Record<Severity, number>;
  moneyBySeverity: Record<Severity, string>;
  moneyByKind: Record<Kind, string>;
}

export interface ReconcilePartitionOutput {
  runId: string;
  partition: number;
  groupsSeen: number;
  groupsMatched: number;
  discrepancies: number;
  tally: TallyJson;
  rejected: number;
  durationMs: number;
  /** Records read and groups assessed by this partition's task. */
  work?: { recordsRead: number; groupsEvaluated: number };
}

/** A partition whose task failed after its retries (the Map's Catch records it). */
export interface PartitionFailure {
  partition: number;
  error: string;
  cause?: string;
}

/** SummarizeRun's input, as the task works with it. */
export interface SummarizeRunInput {
  runId: string;
  results: ReconcilePartitionOutput[];
  failures: PartitionFailure[];
}

/** A Map item whose partition failed every retry, as the Catch's Pass state records it. */
export type FailedPartitionItem = PartitionFailure & { failed: true };

/**
 * What SummarizeRun accepts (all made into a SummarizeRunInput):
 * - `{ runId, results, failures }`;
 * - after the inline Map, `{ runId, results }` where each item is a ReconcilePartitionOutput or a
 *   FailedPartitionItem;
 * - after the Distributed Map, `{ runId, resultWriterDetails: { Bucket, Key } }`, Key being the Map
 *   run's manifest.json, whose result files hold the same items as each child's Output.
 */
export type SummarizeRunEvent =
  | {
      runId: string;
      results: (ReconcilePartitionOutput | FailedPartitionItem)[];
      failures?: PartitionFailure[];
    }
  | { runId: string; resultWriterDetails: { Bucket: string; Key: string } };

export interface RunRejection {
  file: string;
  line: number;
  field: string | null;
  reason: string;
  source: string;
}

/** summary.json's figures (CONTRACT §3) for a run. */
export interface RunSummary extends SummaryFigures {
  asOf: string;
  timezone: string;
  lagHours: number;
  /** Rows found unusable during the run (stored records, unit and cost tables). */
  rejected: RunRejection[];
  /** Records stored twice under one id with different content (writers that raced). */
  conflicts: { file: string; line: number; id: string; reason: string }[];
  /** Discrepancies of earlier runs that this run found resolved. */
  resolved: number;
}

/** Where a run's time went, in ms. The partition figures are sums over its partitions' tasks. */
export interface RunTimings {
  /** From startedAt to finishedAt. */
  totalMs?: number;
  listMs?: number;
  /** Sum of the reconcile tasks' durationMs, and its split: reading records, reconciling, writing. */
  partitionsMs?: number;
  readMs?: number;
  reconcileMs?: number;
  writeMs?: number;
  summarizeMs?: number;
}

/** GET /v1/runs/{runId}. */
export interface RunRecord {
  runId: string;
  status: RunStatus;
  mode: RunMode;
  asOf: string;
  period?: string;
  scope?: RunScope;
  summary: RunSummary | null;
  failures: PartitionFailure[];
  /** The partitions the run covered. */
  partitions: number[];
  startedAt: string;
  finishedAt?: string;
  timings: RunTimings;
  /** Set when the run itself failed (listing or summarizing). */
  failure?: RunFailure;
  /**
   * A run as of an earlier instant than the live view (an earlier close run again): it recorded its
   * own discrepancies and touched no live case, alert or lifecycle (CONTRACT §7).
   */
  snapshot?: true;
  /** What the run cost: records read and groups assessed over its partitions (CONTRACT §7). */
  work?: { recordsRead: number; groupsEvaluated: number };
}

/** The step of a run that failed after its retries, with the Catch's Error and Cause. */
export interface RunFailure {
  step: string;
  error: string;
  cause: string;
}

export const LIFECYCLE_STATES = ['NEW', 'PERSISTING', 'RESOLVED'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export const AGE_BUCKETS = ['0-1', '2-7', '8-30', '>30'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** An item of GET /v1/runs/{runId}/discrepancies: a discrepancies.json object and its lifecycle. */
export type RunDiscrepancy = Discrepancy & {
  state: LifecycleState;
  firstSeen: string;
  lastSeen: string;
  ageBucket: AgeBucket;
  /** Set when state is RESOLVED: the asOf of the run that found the group agreeing. */
  resolvedAt?: string;
};

export interface DiscrepancyPage {
  items: RunDiscrepancy[];
  cursor: string | null;
}

/**
 * The task inputs as the state machine hands them over, checked at each task's edge (extra fields
 * that Step Functions adds are ignored). A run id is a Step Functions execution name.
 */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 letters, digits, - or _ (an execution name)');

export const ListPartitionsInputSchema = z.object({
  runId: RunIdSchema,
  mode: z.enum(RUN_MODES),
  asOf: isoDateTime,
  period: z.string().optional(),
  scope: RunScopeSchema.optional(),
});

export const PartitionTaskSchema = z.object({
  runId: RunIdSchema,
  partition: z.int().min(0),
  asOf: isoDateTime,
});

const counts = <K extends string>(keys: readonly [K, ...K[]]) => z.record(z.enum(keys), z.number());
const money = <K extends string>(keys: readonly [K, ...K[]]) => z.record(z.enum(keys), z.string());

export const TallyJsonSchema = z.object({
  groupsSeen: z.int().min(0),
  groupsMatched: z.int().min(0),
  byKind: counts(KINDS),
  bySeverity: counts(SEVERITIES),
  moneyBySeverity: money(SEVERITIES),
  moneyByKind: money(KINDS),
});

export const ReconcilePartitionOutputSchema = z.object({
  runId: RunIdSchema,
  partition: z.int().min(0),
  groupsSeen: z.int().min(0),
  groupsMatched: z.int().min(0),
  discrepancies: z.int().min(0),
  tally: TallyJsonSchema,
  rejected: z.int().min(0),
  durationMs: z.number().min(0),
  work: z.object({ recordsRead: z.int().min(0), groupsEvaluated: z.int().min(0) }).optional(),
});

const PartitionFailureSchema = z.object({
  partition: z.int().min(0),
  error: z.string(),
  cause: z.string().optional(),
});

export const FailedPartitionItemSchema = PartitionFailureSchema.extend({ failed: z.literal(true) });

/** One item of a Map's results: a partition's answer or its recorded failure. */
export const PartitionResultItemSchema = z.union([FailedPartitionItemSchema, ReconcilePartitionOutputSchema]);

export const SummarizeRunEventSchema = z.union([
  z.object({
    runId: RunIdSchema,
    results: z.array(PartitionResultItemSchema),
    failures: z.array(PartitionFailureSchema).optional(),
  }),
  z.object({
    runId: RunIdSchema,
    resultWriterDetails: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }),
  }),
]);

/** The Map's items split into answers and failures (an item with `failed: true` is a failure). */
export function splitResults(
  items: readonly (ReconcilePartitionOutput | FailedPartitionItem)[],
  failures: readonly PartitionFailure[] = [],
): { results: ReconcilePartitionOutput[]; failures: PartitionFailure[] } {
  const results: ReconcilePartitionOutput[] = [];
  const failed: PartitionFailure[] = [...failures];
  for (const item of items) {
    if ('failed' in item) {
      const { partition, error, cause } = item;
      failed.push({ partition, error, ...(cause === undefined ? {} : { cause }) });
    } else results.push(item);
  }
  return { results, failures: failed };
}
