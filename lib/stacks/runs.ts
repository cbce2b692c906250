/**
 * Reconcile runs (issue 5): the run state machine (lib/stacks/runs/workflow.ts, which describes it
 * state by state), its functions (runs/functions.ts), the runs routes and the scheduled runs
 * (runs/schedules.ts).
 */
import type { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule } from 'aws-cdk-lib/aws-scheduler';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DISTRIBUTED_MAP_THRESHOLD } from '../declarations/tables.js';
import { RUN_ROUTES, RUN_STATE_MACHINE_ARN_ENV, type ScheduledRunName } from '../declarations/runs.js';
import { createRunFunctions } from './runs/functions.js';
import type { RunFunctions, RunsProps } from './runs/props.js';
import { RunSchedules } from './runs/schedules.js';
import { RunWorkflow } from './runs/workflow.js';

export { DIRTY_MARKERS_KEY, RUN_OBJECTS_PREFIX } from './runs/functions.js';
export type { RunCaseAccess, RunFunctions, RunsProps } from './runs/props.js';
export { AT_SCALE_STATES, LAMBDA_TRANSIENT_ERRORS, STATE_MACHINE_LOG_PREFIX } from './runs/workflow.js';

/**
 * Everything a reconcile run needs: the three task functions and the runs API function (each with
 * least privilege), the state machine, the runs routes and the schedules.
 */
export class Runs extends Construct {
  readonly functions: RunFunctions;
  readonly stateMachine: StateMachine;
  readonly stateMachineLogs: LogGroup;
  readonly routes: readonly HttpRoute[];
  readonly schedules: Readonly<Record<ScheduledRunName, Schedule>>;
  readonly scheduleDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: RunsProps) {
    super(scope, id);
    this.functions = createRunFunctions(this, props);
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
}
