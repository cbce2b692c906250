/**
 * Reconcile runs (issue 5): the run state machine, its four functions, the runs routes and the
 * scheduled runs.
 *
 * The state machine, defined once here; `stocktally start` runs this very definition (extracted from
 * the synthesized template into dist/run-state-machine.asl.json by scripts/synth-asl.mjs):
 *
 *   ListPartitions (Lambda)        in:  ListPartitionsInput { runId, mode, asOf, period?, scope? }
 *                                  out: ListPartitionsOutput { runId, asOf, partitions, partitionCount,
 *                                       partitionListKey? }
 *   InlineOrDistributed (Choice)   partitionCount > distributedAbove (DISTRIBUTED_MAP_THRESHOLD)?
 *   ReconcilePartitions (Map, inline, over $.partitions) | ReconcilePartitionsAtScale (Distributed
 *                                  Map reading the JSON array at $.partitionListKey in the bucket)
 *     ReconcilePartition (Lambda)  in: { runId, partition, asOf }; retried on Lambda's service errors and
 *                                  throttling, then on States.Timeout and States.TaskFailed; whatever
 *                                  still fails is caught by
 *     RecordPartitionFailure (Pass) out: { failed: true, partition, error, cause }
 *   SummarizeRun (Lambda)          receives ONE of (SummarizeRun must accept both):
 *     after the inline Map:        { runId, results: [...] }, the Map's output array in partition
 *                                  order: each item is either a ReconcilePartitionOutput or a
 *                                  { failed: true, partition, error, cause }. SummarizeRun splits
 *                                  them (an item with `failed: true` is a failure). No JSONPath filter
 *                                  does the split here: filters that match nothing or one item read
 *                                  differently in the cloud and in the local runner.
 *     after the Distributed Map:   { runId, resultWriterDetails: { Bucket, Key } }, Key being the Map
 *                                  run's manifest.json under DISTRIBUTED_RESULTS_PREFIX; the result
 *                                  files it lists hold the same items (as each child's Output string).
 *                                  out: the RunRecord, which stays the execution's output
 *   Notify (Lambda, issue 7)       in: { runId }; its answer is discarded (ResultPath null). Retried
 *                                  like a partition (publishing is idempotent per message); whatever
 *                                  still fails is caught by
 *     NotifyFailed (Pass)          the run stands as summarized, with $.notifyFailure { Error, Cause }:
 *                                  alerts never fail a run
 *   ListPartitionsFailed | SummarizeRunFailed (Pass), the Catch of those two steps after their
 *                                  retries: { runId, mode, asOf (from the execution input), step,
 *                                  error, cause } to
 *     MarkRunFailed (Lambda)       closes the run FAILED with `failure` { step, error, cause }, then
 *     RunFailed (Fail)             ends the execution failed
 *
 * `cause` is the Catch's Cause: locally the handler's error message; in the cloud, for a function
 * error, Lambda's JSON string { errorType, errorMessage, trace }.
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { rulesEnvironment, type ReconcileRules } from './rules.js';
import type { HttpRoute, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  ProcessorMode,
  ResultWriterV2,
  type RetryProps,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  TaskInput,
  type TaskStateBase,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FONT_PACKAGE } from '../report/fonts.js';
import { WORKFLOW_CONFIG_KEY, WORKFLOW_DEFAULT } from '../declarations/cases.js';
import {
  BUCKET,
  DISTRIBUTED_MAP_THRESHOLD,
  ENV,
  HANDLERS,
  RECORDS_TABLE,
  RUN_STATES,
  RUNS_TABLE,
} from '../declarations/tables.js';
import {
  DISTRIBUTED_RESULTS_PREFIX,
  RUN_FUNCTIONS,
  RUN_ROUTES,
  RUN_STATE_MACHINE_ARN_ENV,
  SCHEDULED_RUNS,
  type ScheduledRunName,
  TASK_TIMEOUT_MARGIN_SECONDS,
} from '../declarations/runs.js';
import type { Api } from './api.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction } from './function.js';
import { wildcardResourceFinding } from './nag-finding.js';
import { dataRemovalPolicy, logRetention, type Stage } from './stage.js';

/** The Lambda errors worth another attempt: throttling and the service's own transient failures. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
] as const;

/** The states of the Distributed Map's child workflow: state names are unique in a state machine. */
export const AT_SCALE_STATES = {
  choice: 'InlineOrDistributed',
  reconcilePartitions: `${RUN_STATES.reconcilePartitions}AtScale`,
  reconcilePartition: `${RUN_STATES.reconcilePartition}AtScale`,
  recordFailure: `${RUN_STATES.recordFailure}AtScale`,
} as const;

const TRANSIENT_RETRY: RetryProps = {
  errors: [...LAMBDA_TRANSIENT_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
};

/**
 * A partition's reconcile is idempotent (re-running a run id overwrites its own results), so a
 * failure of its own (DynamoDB throttled past the SDK's retries, a timeout) gets two more tries too.
 */
const PARTITION_RETRY: RetryProps = {
  errors: ['States.Timeout', 'States.TaskFailed'],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 2,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
};

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
 * Everything a reconcile run needs: the three task functions and the runs API function (each with
 * least privilege), the state machine, the runs routes and the schedules.
 */
/** The two weights the PDF report uses, from the font package lib/report/fonts.ts resolves. */
const REPORT_FONT_FILES = ['Regular', 'Bold'].map(
  (weight) => `node_modules/${FONT_PACKAGE}/fonts/NotoSansHans-${weight}.otf`,
);

export class Runs extends Construct {
  readonly functions: RunFunctions;
  readonly stateMachine: StateMachine;
  readonly stateMachineLogs: LogGroup;
  readonly routes: readonly HttpRoute[];
  readonly schedules: Readonly<Record<ScheduledRunName, Schedule>>;
  readonly scheduleDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: RunsProps) {
    super(scope, id);
    this.functions = this.createFunctions(props);
    const workflow = new RunWorkflow(this, 'Workflow', {
      stage: props.stage,
      functions: this.functions,
      bucket: props.bucket,
      maxConcurrency: props.maxConcurrency ?? 8,
      distributedMaxConcurrency: props.distributedMaxConcurrency ?? 100,
      distributedAbove: props.distributedAbove ?? DISTRIBUTED_MAP_THRESHOLD,
      notifyRun: props.notifyRun,
    });
    this.stateMachine = workflow.stateMachine;
    this.stateMachineLogs = workflow.logs;

    // The runs API starts executions of this one state machine, and nothing else in Step Functions.
    this.functions.runsApi.withEnvironment({
      [RUN_STATE_MACHINE_ARN_ENV]: this.stateMachine.stateMachineArn,
    });
    this.stateMachine.grantStartExecution(this.functions.runsApi.role);

    this.routes =
      props.authorizer === undefined
        ? props.api.addIamRoutes('RunsIntegration', RUN_ROUTES, this.functions.runsApi.fn)
        : props.api.addJwtRoutes('RunsIntegration', RUN_ROUTES, this.functions.runsApi.fn, props.authorizer);

    const schedules = new RunSchedules(this, 'Schedules', {
      stage: props.stage,
      stateMachine: this.stateMachine,
      timeZone: props.timeZone,
      enabled: props.schedulesEnabled ?? true,
    });
    this.schedules = schedules.schedules;
    this.scheduleDeadLetters = schedules.deadLetters;
  }

  private createFunctions(props: RunsProps): RunFunctions {
    const common = { [ENV.partitions]: String(props.partitions), [ENV.timeZone]: props.timeZone };
    const base = {
      stage: props.stage,
      projectRoot: props.projectRoot,
      environment: common,
      invokedBy: 'stateMachine' as const,
    };
    const runsIndex = (name: string): string => {
      const found = RUNS_TABLE.indexes.find((i) => i.name === name);
      if (found === undefined) throw new Error(`the runs table declares no index ${name}`);
      return found.name;
    };

    const listPartitions = new StocktallyFunction(this, 'ListPartitions', {
      ...base,
      entry: HANDLERS.listPartitions,
      description:
        'Run step 1: the partitions to reconcile (dirty ones, or all for a close), listed in S3 at scale',
      timeout: Duration.seconds(RUN_FUNCTIONS.listPartitions.timeoutSeconds),
    })
      // The dirty markers, never a ledger record; the new run record.
      .bindTable(props.records, { items: [{ actions: ['Query'], leadingKeys: [DIRTY_MARKERS_KEY] }] })
      .bindTable(props.runs, { items: [{ actions: ['PutItem'], leadingKeys: [RUN_ITEMS] }] })
      .bindBucket(props.bucket, { write: [RUN_OBJECTS_PREFIX] });

    const reconcilePartition = new StocktallyFunction(this, 'ReconcilePartition', {
      ...base,
      entry: HANDLERS.reconcilePartition,
      description:
        "Run step 2, once per partition: reconciles the partition's records, writes its discrepancies",
      timeout: Duration.seconds(RUN_FUNCTIONS.reconcilePartition.timeoutSeconds),
      memorySize: 2048,
      // The cases it opens take their owners from the workflow configuration (its default bundled).
      ...(props.cases === undefined
        ? {}
        : {
            environment: {
              ...common,
              ...rulesEnvironment(props.rules),
              [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled,
            },
            bundledFiles: [WORKFLOW_DEFAULT.path],
          }),
    })
      // The partition's records through the by-partition index, and nothing else of the ledger.
      .bindTable(props.records, { indexes: [BY_PARTITION] })
      // The run record and its items (read, replaced for this partition); the groups' lifecycle read.
      .bindTable(props.runs, {
        items: [
          { actions: ['GetItem', 'Query', 'BatchWriteItem'], leadingKeys: [RUN_ITEMS] },
          { actions: ['Query'], leadingKeys: [LIFECYCLE_ITEMS] },
          // The arrival histories diagnosis learns from (read), this partition's (written pending).
          { actions: ['Query', 'BatchWriteItem'], leadingKeys: [DIAGNOSIS_ITEMS] },
        ],
      })
      // The unit, cost and rate tables, and the workflow configuration: each absent on a fresh deployment.
      .bindBucket(props.bucket, {
        optional: [
          BUCKET.uomTableKey,
          BUCKET.costsTableKey,
          BUCKET.ratesTableKey,
          ...(props.cases === undefined ? [] : [WORKFLOW_CONFIG_KEY]),
        ],
      });
    props.cases?.partitions.bind(reconcilePartition);

    const summarizeRun = new StocktallyFunction(this, 'SummarizeRun', {
      ...base,
      entry: HANDLERS.summarizeRun,
      description: 'Run step 3: the run summary and status, the discrepancy lifecycle, clean dirty marks',
      timeout: Duration.seconds(RUN_FUNCTIONS.summarizeRun.timeoutSeconds),
      // The report it renders needs the PDF fonts (lib/report/fonts.ts) and the workflow
      // configuration's report section (company, signatories): both shipped beside the bundle.
      environment: {
        ...common,
        STOCKTALLY_FONT_DIR: '/var/task',
        [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled,
      },
      bundledFiles: [...REPORT_FONT_FILES, WORKFLOW_DEFAULT.path],
    })
      // Clears the dirty markers the run listed (a conditional delete each), no other ledger item.
      .bindTable(props.records, { items: [{ actions: ['DeleteItem'], leadingKeys: [DIRTY_MARKERS_KEY] }] })
      // The run, its partitions' reports and discrepancies, the lifecycle it commits, the heat map.
      .bindTable(props.runs, {
        items: [
          {
            actions: ['GetItem', 'PutItem', 'Query', 'BatchWriteItem'],
            leadingKeys: [RUN_ITEMS, LIFECYCLE_ITEMS],
          },
          // The run's pending arrival histories committed for the next run to learn from.
          { actions: ['Query', 'BatchWriteItem'], leadingKeys: [DIAGNOSIS_ITEMS] },
        ],
        // The report compares with the previous period's close, found in the runs list (by-group).
        indexes: [runsIndex('by-group')],
      })
      // A Distributed Map's results are read back from runs/map-results/; the report it renders
      // in-process (lib/adapters/runs/run-report.ts) is written under reports/, its data sources
      // and rows rejected at ingest read from ingest-reports/ (listed), its configuration from
      // config/workflow.yaml when one was uploaded.
      .bindBucket(props.bucket, {
        read: [RUN_OBJECTS_PREFIX, BUCKET.ingestReportPrefix],
        list: [BUCKET.ingestReportPrefix],
        write: [BUCKET.reportsPrefix],
        optional: [WORKFLOW_CONFIG_KEY],
      });
    // The report's cause / rectification / owner columns come from the cases.
    props.cases?.report.bind(summarizeRun);

    const runsApi = new StocktallyFunction(this, 'RunsApi', {
      ...base,
      invokedBy: 'api',
      entry: HANDLERS.runsApi,
      description: `Runs routes ${RUN_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      timeout: Duration.seconds(RUN_FUNCTIONS.runsApi.timeoutSeconds),
    })
      // A discrepancy's detail shows both sides' stored records by id (the dashboard, issue 9).
      .bindTable(props.records, {
        items: [{ actions: ['BatchGetItem'], leadingKeys: ['wms#*', 'finance#*'] }],
      })
      // Runs and their items; the runs list and a group's history (by-group), pages by money.
      .bindTable(props.runs, {
        items: [{ actions: ['GetItem', 'PutItem', 'Query'], leadingKeys: [RUN_ITEMS] }],
        indexes: ['by-group', 'by-run-stake', 'by-run-warehouse'].map(runsIndex),
      })
      // Presigned report links are signed with this role: it may read reports/ and nothing else.
      .bindBucket(props.bucket, { read: [BUCKET.reportsPrefix] });

    const failRun = new StocktallyFunction(this, 'FailRun', {
      ...base,
      entry: HANDLERS.failRun,
      description: 'Catch of run steps 1 and 3: closes the run FAILED with the step and its cause',
      timeout: Duration.seconds(RUN_FUNCTIONS.failRun.timeoutSeconds),
    }).bindTable(props.runs, { items: [{ actions: ['GetItem', 'PutItem'], leadingKeys: [RUN_ITEMS] }] });

    return { listPartitions, reconcilePartition, summarizeRun, runsApi, failRun };
  }
}

/**
 * How the run functions get the case tables, least privilege (lib/stacks/cases.ts bindCaseTables):
 * the partition task opens and updates cases, the summary's report reads their heads.
 */
export interface RunCaseAccess {
  readonly partitions: { bind(fn: StocktallyFunction): void };
  readonly report: { bind(fn: StocktallyFunction): void };
}

/** Where the state machine's log group lives (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). */
export const STATE_MACHINE_LOG_PREFIX = '/aws/vendedlogs/states/';

/** Objects of runs: runs/<runId>/partitions.json and the Distributed Map's results. */
export const RUN_OBJECTS_PREFIX = 'runs/';

/** The records table's items under pk `dirty`: the partitions changed since a run (lib/declarations/tables.ts). */
export const DIRTY_MARKERS_KEY = 'dirty';

/** The runs table's items of runs (`run#<runId>`) and of groups' lifecycles (`life#p#NNNN`). */
const RUN_ITEMS = 'run#*';
const LIFECYCLE_ITEMS = 'life#*';
/** The arrival histories of CONTRACT §11 (lib/adapters/runs/run-store.ts): pending, then committed. */
const DIAGNOSIS_ITEMS = 'diagnosis#*';

const BY_PARTITION = RECORDS_TABLE.indexes[0]?.name ?? 'by-partition';

interface RunWorkflowProps {
  readonly stage: Stage;
  readonly functions: RunFunctions;
  readonly bucket: IBucket;
  readonly maxConcurrency: number;
  readonly distributedMaxConcurrency: number;
  readonly distributedAbove: number;
  readonly notifyRun: StocktallyFunction | undefined;
}

/** The run state machine (see the top of this file), with its logs and X-Ray tracing. */
class RunWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: RunWorkflowProps) {
    super(scope, id);
    const { functions } = props;

    const listPartitions = lambdaTask(this, RUN_STATES.listPartitions, functions.listPartitions);
    const summarizeRun = lambdaTask(this, RUN_STATES.summarizeRun, functions.summarizeRun);

    // Each iteration gets exactly { runId, partition, asOf } whatever else an item carries.
    const itemSelector = {
      runId: JsonPath.stringAt('$$.Map.Item.Value.runId'),
      partition: JsonPath.numberAt('$$.Map.Item.Value.partition'),
      asOf: JsonPath.stringAt('$$.Map.Item.Value.asOf'),
    };

    const inline = new MapState(this, RUN_STATES.reconcilePartitions, {
      comment: 'Reconciles each listed partition; a failed partition is recorded, and the Map still finishes',
      itemsPath: '$.partitions',
      itemSelector,
      maxConcurrency: props.maxConcurrency,
      resultSelector: {
        runId: JsonPath.stringAt('$$.Execution.Input.runId'),
        results: JsonPath.entirePayload,
      },
    });
    inline.itemProcessor(
      partitionProcessor(this, RUN_STATES.reconcilePartition, RUN_STATES.recordFailure, functions),
      { mode: ProcessorMode.INLINE },
    );

    const atScale = new DistributedMap(this, AT_SCALE_STATES.reconcilePartitions, {
      comment: 'The same per partition, over the partition list in S3, for runs past one payload',
      itemReader: new PartitionListReader({
        bucket: props.bucket,
        key: JsonPath.stringAt('$.partitionListKey'),
      }),
      itemSelector,
      maxConcurrency: props.distributedMaxConcurrency,
      mapExecutionType: StateMachineType.STANDARD,
      resultWriterV2: new MapResultWriter({ bucket: props.bucket, prefix: DISTRIBUTED_RESULTS_PREFIX }),
      resultSelector: {
        runId: JsonPath.stringAt('$$.Execution.Input.runId'),
        resultWriterDetails: JsonPath.objectAt('$.ResultWriterDetails'),
      },
      label: 'Partitions',
    });
    // Mode DISTRIBUTED and the child execution type (mapExecutionType) come from the DistributedMap itself.
    atScale.itemProcessor(
      partitionProcessor(this, AT_SCALE_STATES.reconcilePartition, AT_SCALE_STATES.recordFailure, functions),
    );

    const definition = listPartitions.next(
      new Choice(this, AT_SCALE_STATES.choice)
        .when(
          Condition.numberGreaterThan('$.partitionCount', props.distributedAbove),
          atScale.next(summarizeRun),
        )
        .otherwise(inline.next(summarizeRun)),
    );
    if (props.notifyRun !== undefined) summarizeRun.next(notifyTask(this, props.notifyRun));
    closeFailedRuns(this, [listPartitions, summarizeRun], functions.failRun);

    // Step Functions delivers logs as vended logs: under /aws/vendedlogs/ CloudWatch Logs needs no
    // resource policy per log group, whose account-wide size limit other names run into.
    this.logs = new LogGroup(this, 'Logs', {
      logGroupName: `${STATE_MACHINE_LOG_PREFIX}${Stack.of(this).stackName}/runs`,
      retention: logRetention(props.stage),
      removalPolicy: dataRemovalPolicy(props.stage),
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Stocktally reconcile run: list partitions -> reconcile each -> summarize',
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: this.logs, level: LogLevel.ALL, includeExecutionData: true },
    });
    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: RunWorkflowProps): void {
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs (logs:CreateLogDelivery and the other vended-log delivery actions) and X-Ray ' +
        'tracing support no resource-level permissions (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).',
    });
    for (const fn of [
      props.functions.listPartitions,
      props.functions.reconcilePartition,
      props.functions.summarizeRun,
      props.functions.failRun,
      ...(props.notifyRun === undefined ? [] : [props.notifyRun]),
    ]) {
      Validations.of(role).acknowledge({
        id: wildcardResourceFinding(this, `${fn.fn.functionArn}:*`),
        reason:
          'lambda:InvokeFunction on the versions and aliases of this one task function (ARN:qualifier), as the ' +
          'LambdaInvoke task grants it; no other function.',
      });
    }
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(this, props.bucket.arnForObjects(`${RUN_OBJECTS_PREFIX}*`)),
      reason:
        'The Distributed Map reads the partition list runs/<runId>/partitions.json; run ids are made per run, so ' +
        'the key is known only when the run starts.',
    });
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(this, props.bucket.arnForObjects(`${DISTRIBUTED_RESULTS_PREFIX}*`)),
      reason:
        'The Distributed Map writes its results under runs/map-results/<map run id>/; the map run id is made by ' +
        'Step Functions when the Map starts.',
    });
    // CDK's grants to the Distributed Map on its own child executions (describe, stop, redrive).
    const distributedMapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (!(distributedMapPolicy instanceof Policy)) {
      throw new Error('the Distributed Map policy moved: review its cdk-nag findings');
    }
    const statements = (
      distributedMapPolicy.document.toJSON() as { Statement: { Resource: string | string[] }[] }
    ).Statement;
    for (const resource of statements.flatMap((st) => [st.Resource].flat())) {
      if (!resource.endsWith('*')) continue;
      Validations.of(distributedMapPolicy).acknowledge({
        id: wildcardResourceFinding(this, resource),
        reason:
          "The Distributed Map describes, stops and redrives its own child executions (this state machine's " +
          'executions, named by Step Functions when they start); no other state machine.',
      });
    }
  }
}

/** The partition list of a run, read from runs/ only (CDK's reader would grant the whole bucket). */
class PartitionListReader extends S3JsonItemReader {
  override providePolicyStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${RUN_OBJECTS_PREFIX}*`)],
      }),
    ];
  }
}

/** The Distributed Map's results, written under DISTRIBUTED_RESULTS_PREFIX only. */
class MapResultWriter extends ResultWriterV2 {
  override providePolicyStatements(): PolicyStatement[] {
    if (this.bucket === undefined) return [];
    return [
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${DISTRIBUTED_RESULTS_PREFIX}*`)],
      }),
    ];
  }
}

/**
 * A run whose listing or summary fails after its retries would stay RUNNING: each of those steps is
 * caught by a Pass naming it, MarkRunFailed closes the run FAILED with the step and cause, and the
 * execution ends failed. The run's facts come from the execution input, which a scheduled run has
 * even when its listing failed before recording it.
 */
function closeFailedRuns(scope: Construct, steps: readonly TaskStateBase[], fn: StocktallyFunction): void {
  const markFailed = new LambdaInvoke(scope, RUN_STATES.markRunFailed, {
    lambdaFunction: fn.fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    taskTimeout: taskTimeoutOf(fn),
    resultPath: JsonPath.DISCARD,
  })
    .addRetry({ ...TRANSIENT_RETRY, errors: [...LAMBDA_TRANSIENT_ERRORS, 'States.TaskFailed'] })
    .next(
      new Fail(scope, RUN_STATES.runFailed, {
        error: 'RunFailed',
        cause: 'A run step failed; see the run record',
      }),
    );
  const names: Record<string, string> = {
    [RUN_STATES.listPartitions]: RUN_STATES.listPartitionsFailed,
    [RUN_STATES.summarizeRun]: RUN_STATES.summarizeRunFailed,
  };
  for (const step of steps) {
    const name = names[step.id];
    if (name === undefined) throw new Error(`no failure state for ${step.id}`);
    const caught = new Pass(scope, name, {
      comment: `${step.id} failed after its retries`,
      parameters: {
        runId: JsonPath.stringAt('$$.Execution.Input.runId'),
        mode: JsonPath.stringAt('$$.Execution.Input.mode'),
        asOf: JsonPath.stringAt('$$.Execution.Input.asOf'),
        step: step.id,
        error: JsonPath.stringAt('$.runFailure.Error'),
        cause: JsonPath.stringAt('$.runFailure.Cause'),
      },
    }).next(markFailed);
    step.addCatch(caught, { errors: ['States.ALL'], resultPath: '$.runFailure' });
  }
}

/** A Lambda task whose result is the function's own answer (no { StatusCode, Payload } wrapper). */
function lambdaTask(scope: Construct, name: string, fn: StocktallyFunction): TaskStateBase {
  return new LambdaInvoke(scope, name, {
    lambdaFunction: fn.fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    taskTimeout: taskTimeoutOf(fn),
  }).addRetry(TRANSIENT_RETRY);
}

/** Beyond the function's own timeout, so a slow function fails as a function error first. */
function taskTimeoutOf(fn: StocktallyFunction): Timeout {
  const seconds = fn.fn.timeout?.toSeconds() ?? 3;
  return Timeout.duration(Duration.seconds(seconds + TASK_TIMEOUT_MARGIN_SECONDS));
}

/**
 * Notify after SummarizeRun: its input is the run's id, its answer discarded so the run record stays
 * the execution's output. Publishing is idempotent per message (a retry skips what an earlier attempt
 * published), so it is retried like a partition; then caught, so alerts never fail a run.
 */
function notifyTask(scope: Construct, fn: StocktallyFunction): IChainable {
  const notify = new LambdaInvoke(scope, RUN_STATES.notify, {
    comment: 'Alerts by severity: RED at once, YELLOW digest, GREEN daily digest, all-clears (issue 7)',
    lambdaFunction: fn.fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: TaskInput.fromObject({ runId: JsonPath.stringAt('$.runId') }),
    resultPath: JsonPath.DISCARD,
    taskTimeout: taskTimeoutOf(fn),
  })
    .addRetry(TRANSIENT_RETRY)
    .addRetry(PARTITION_RETRY);
  notify.addCatch(
    new Pass(scope, RUN_STATES.notifyFailed, {
      comment: 'Alerts failed after their retries: the run stands as summarized (see the notify logs)',
    }),
    { errors: ['States.ALL'], resultPath: '$.notifyFailure' },
  );
  return notify;
}

/** ReconcilePartition with its retries and the Catch that records a failed partition. */
function partitionProcessor(
  scope: Construct,
  taskName: string,
  failureName: string,
  functions: RunFunctions,
): IChainable {
  const reconcile = new LambdaInvoke(scope, taskName, {
    lambdaFunction: functions.reconcilePartition.fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    taskTimeout: taskTimeoutOf(functions.reconcilePartition),
  })
    .addRetry(TRANSIENT_RETRY)
    .addRetry(PARTITION_RETRY);
  const recordFailure = new Pass(scope, failureName, {
    comment: 'A partition that failed every retry: named in the run, which ends PARTIAL',
    parameters: {
      failed: true,
      partition: JsonPath.numberAt('$.partition'),
      error: JsonPath.stringAt('$.failure.Error'),
      cause: JsonPath.stringAt('$.failure.Cause'),
    },
  });
  reconcile.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
  return reconcile;
}

interface RunSchedulesProps {
  readonly stage: Stage;
  readonly stateMachine: StateMachine;
  readonly timeZone: string;
  readonly enabled: boolean;
}

/**
 * EventBridge Scheduler schedules that start runs: continuous every 15 minutes, and the daily, weekly
 * and monthly closes at midnight in the configured time zone (Scheduler evaluates the cron there, so
 * daylight saving needs nothing of ours). Each run's id is its schedule's prefix and Scheduler's
 * execution id; asOf is the scheduled time.
 */
class RunSchedules extends Construct {
  readonly schedules: Readonly<Record<ScheduledRunName, Schedule>>;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: RunSchedulesProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: dataRemovalPolicy(props.stage),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the run schedules: a run Scheduler could not start ' +
        'after its retries is kept 14 days to be started by hand. A queue behind it would only move them.',
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is a dead-letter queue, of EventBridge Scheduler targets (Target.DeadLetterConfig), which ' +
        'cdk-nag does not recognise as it does SQS redrive policies and Lambda dead-letter configs.',
    });
    // Our own role for the targets: Scheduler of this account only, allowed to start this state machine.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Starts scheduled reconcile runs',
    });
    const timeZone = TimeZone.of(props.timeZone);
    const entries = Object.entries(SCHEDULED_RUNS) as [
      ScheduledRunName,
      (typeof SCHEDULED_RUNS)[ScheduledRunName],
    ][];
    this.schedules = Object.fromEntries(
      entries.map(([name, run]) => [
        name,
        new Schedule(this, run.id, {
          description: run.description,
          schedule: ScheduleExpression.expression(run.expression, timeZone),
          enabled: props.enabled,
          timeWindow: run.mode === 'close' ? TimeWindow.flexible(Duration.minutes(15)) : TimeWindow.off(),
          target: new StepFunctionsStartExecution(props.stateMachine, {
            input: ScheduleTargetInput.fromObject({
              runId: `${run.runIdPrefix}${ContextAttribute.executionId}`,
              mode: run.mode,
              asOf: ContextAttribute.scheduledTime,
            }),
            role,
            deadLetterQueue: this.deadLetters,
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        }),
      ]),
    ) as Record<ScheduledRunName, Schedule>;
  }
}
