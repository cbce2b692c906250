import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Pass,
  ResultWriterV2,
  type RetryProps,
  S3JsonItemReader,
  TaskInput,
  type TaskStateBase,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RUN_STATES } from '../../declarations/tables.js';
import { DISTRIBUTED_RESULTS_PREFIX, TASK_TIMEOUT_MARGIN_SECONDS } from '../../declarations/runs.js';
import { StocktallyFunction } from '../function.js';
import type { RunFunctions } from './props.js';
import { RUN_OBJECTS_PREFIX } from './functions.js';

/**
 * The run state machine's parts (lib/stacks/runs/workflow.ts assembles them): the retries, the
 * Lambda tasks with their Catches, the Distributed Map's reader and writer of runs/ objects.
 */
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

export const TRANSIENT_RETRY: RetryProps = {
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
export const PARTITION_RETRY: RetryProps = {
  errors: ['States.Timeout', 'States.TaskFailed'],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 2,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
};

/** The partition list of a run, read from runs/ only (CDK's reader would grant the whole bucket). */
export class PartitionListReader extends S3JsonItemReader {
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
export class MapResultWriter extends ResultWriterV2 {
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
export function closeFailedRuns(
  scope: Construct,
  steps: readonly TaskStateBase[],
  fn: StocktallyFunction,
): void {
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
export function lambdaTask(scope: Construct, name: string, fn: StocktallyFunction): TaskStateBase {
  return new LambdaInvoke(scope, name, {
    lambdaFunction: fn.fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    taskTimeout: taskTimeoutOf(fn),
  }).addRetry(TRANSIENT_RETRY);
}

/** Beyond the function's own timeout, so a slow function fails as a function error first. */
export function taskTimeoutOf(fn: StocktallyFunction): Timeout {
  const seconds = fn.fn.timeout?.toSeconds() ?? 3;
  return Timeout.duration(Duration.seconds(seconds + TASK_TIMEOUT_MARGIN_SECONDS));
}

/**
 * Notify after SummarizeRun: its input is the run's id, its answer discarded so the run record stays
 * the execution's output. Publishing is idempotent per message (a retry skips what an earlier attempt
 * published), so it is retried like a partition; then caught, so alerts never fail a run.
 */
export function notifyTask(scope: Construct, fn: StocktallyFunction): IChainable {
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
export function partitionProcessor(
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
