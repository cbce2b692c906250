import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SCHEDULED_RUNS, type ScheduledRunName } from '../../declarations/runs.js';
import { dataRemovalPolicy, type Stage } from '../stage.js';

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
export class RunSchedules extends Construct {
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
