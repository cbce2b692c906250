import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  JsonPath,
  LogLevel,
  Map as MapState,
  ProcessorMode,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUN_STATES } from '../../declarations/tables.js';
import { DISTRIBUTED_RESULTS_PREFIX } from '../../declarations/runs.js';
import { StocktallyFunction } from '../function.js';
import { wildcardResourceFinding } from '../nag-finding.js';
import { dataRemovalPolicy, logRetention, type Stage } from '../stage.js';
import type { RunFunctions } from './props.js';
import { RUN_OBJECTS_PREFIX } from './functions.js';
import {
  AT_SCALE_STATES,
  PartitionListReader,
  MapResultWriter,
  closeFailedRuns,
  lambdaTask,
  notifyTask,
  partitionProcessor,
} from './states.js';

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

/** Where the state machine's log group lives (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). */
export const STATE_MACHINE_LOG_PREFIX = '/aws/vendedlogs/states/';

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
export class RunWorkflow extends Construct {
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

export { AT_SCALE_STATES, LAMBDA_TRANSIENT_ERRORS } from './states.js';
