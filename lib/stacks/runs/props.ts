import type { ReconcileRules } from '../rules.js';
import type { IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Api } from '../api.js';
import type { DeclaredTable } from '../data.js';
import { StocktallyFunction } from '../function.js';
import { type Stage } from '../stage.js';

/** What the runs construct is given, and the functions it makes (lib/stacks/runs.ts). */
export interface RunsProps {
  readonly stage: Stage;
  readonly projectRoot: string;
  readonly records: DeclaredTable;
  readonly runs: DeclaredTable;
  readonly bucket: IBucket;
  readonly api: Api;
  /**
   * The JWT authorizer of the people who call the runs routes (the dashboard): Identity's.
   * @default IAM authorization (SigV4-signed callers)
   */
  readonly authorizer?: IHttpRouteAuthorizer;
  /** The case tables: a partition's task opens the cases of what it finds (issue 8). @default none */
  readonly cases?: RunCaseAccess;
  readonly partitions: number;
  /** IANA time zone of periods and of the scheduled closes. */
  readonly timeZone: string;
  /** The reconciliation rules the partition task applies (lib/stacks/rules.ts). @default none set */
  readonly rules?: ReconcileRules;
  /** Partitions reconciled at once by the inline Map. @default 8 */
  readonly maxConcurrency?: number;
  /** Child workflows at once in the Distributed Map. @default 100 */
  readonly distributedMaxConcurrency?: number;
  /** Above this many partitions a run takes the Distributed Map. @default DISTRIBUTED_MAP_THRESHOLD */
  readonly distributedAbove?: number;
  /** Whether the scheduled runs start runs. @default true */
  readonly schedulesEnabled?: boolean;
  /**
   * The alerts' notify function (lib/stacks/notify.ts), run after SummarizeRun as the Notify state.
   * @default none: the run ends at SummarizeRun
   */
  readonly notifyRun?: StocktallyFunction;
}

export interface RunFunctions {
  readonly listPartitions: StocktallyFunction;
  readonly reconcilePartition: StocktallyFunction;
  readonly summarizeRun: StocktallyFunction;
  readonly runsApi: StocktallyFunction;
  readonly failRun: StocktallyFunction;
}

/**
 * How the run functions get the case tables, least privilege (lib/stacks/cases.ts bindCaseTables):
 * the partition task opens and updates cases, the summary's report reads their heads.
 */
export interface RunCaseAccess {
  readonly partitions: { bind(fn: StocktallyFunction): void };
  readonly report: { bind(fn: StocktallyFunction): void };
}
