import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  BUCKET,
  DISTRIBUTED_MAP_THRESHOLD,
  ENV,
  HANDLERS,
  RECORDS_TABLE,
  RUN_STATES,
  RUNS_TABLE,
} from '../../lib/declarations/tables.js';
import {
  allStates,
  localFunctionArn,
  runDefinitionOf,
  type AslDefinition,
  type AslState,
  type CfnTemplate,
} from '../../lib/local/standins/state-machine.js';
import {
  DISTRIBUTED_RESULTS_PREFIX,
  RUN_FUNCTIONS,
  RUN_ROUTES,
  RUN_STATE_MACHINE_ARN_ENV,
  SCHEDULED_RUNS,
  SETTINGS_CONFIG_KEY,
} from '../../lib/declarations/runs.js';
import { Api } from '../../lib/stacks/api.js';
import { Data } from '../../lib/stacks/data.js';
import { Identity } from '../../lib/stacks/identity.js';
import { AT_SCALE_STATES, LAMBDA_TRANSIENT_ERRORS, Runs, type RunsProps } from '../../lib/stacks/runs.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { Storage } from '../../lib/stacks/storage.js';
import { PROJECT_ROOT, testStack } from './cdk-context.js';
import {
  actionsOf,
  arnJoin,
  logicalIdOf,
  resourcesOf,
  statementsFor,
  statementsOf,
  type Statement,
} from './iam-statements.js';

function synth(extra: Partial<RunsProps> = {}) {
  const stack = testStack();
  const stage = stageOf('dev');
  const data = new Data(stack, 'Data', { stage });
  const storage = new Storage(stack, 'Storage', { stage });
  const api = new Api(stack, 'Api', { stage });
  const runs = new Runs(stack, 'Runs', {
    stage,
    projectRoot: PROJECT_ROOT,
    records: data.table(RECORDS_TABLE),
    runs: data.table(RUNS_TABLE),
    bucket: storage.bucket,
    api,
    partitions: 64,
    timeZone: 'Asia/Shanghai',
    ...extra,
  });
  const template = Template.fromStack(stack);
  const ids = {
    records: logicalIdOf(data.table(RECORDS_TABLE).table, stack),
    runsTable: logicalIdOf(data.table(RUNS_TABLE).table, stack),
    bucket: logicalIdOf(storage.bucket, stack),
    stateMachine: logicalIdOf(runs.stateMachine, stack),
    list: logicalIdOf(runs.functions.listPartitions.fn, stack),
    reconcile: logicalIdOf(runs.functions.reconcilePartition.fn, stack),
    summarize: logicalIdOf(runs.functions.summarizeRun.fn, stack),
    fail: logicalIdOf(runs.functions.failRun.fn, stack),
    runsApi: logicalIdOf(runs.functions.runsApi.fn, stack),
  };
  const json = template.toJSON() as CfnTemplate;
  return { stack, runs, template, json, ids, definition: runDefinitionOf(json).definition };
}

type Resource = { Properties: Record<string, unknown> };

function state(definition: AslDefinition, name: string): AslState {
  const found = allStates(definition).get(name);
  if (found === undefined) throw new Error(`no state ${name}`);
  return found;
}

/** The handler module of a function, as its role's description names it (`Runs functions/...`). */
function entryOf(json: CfnTemplate, functionId: string): string {
  const role = (json.Resources[functionId]?.Properties?.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return String(json.Resources[role]?.Properties?.Description).replace(/^Runs /, '');
}

describe('Runs: the state machine', () => {
  it('is a standard state machine with X-Ray tracing and every event logged to a log group with a retention', () => {
    const { template, stack, runs } = synth();

    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(runs.stateMachineLogs, stack), 'Arn'] },
            },
          },
        ],
      },
    });
    const logs = template.toJSON().Resources[logicalIdOf(runs.stateMachineLogs, stack)] as Resource;
    expect(logs.Properties.RetentionInDays).toBe(30);
    // Vended logs: no CloudWatch Logs resource policy per log group (an account-wide size limit).
    expect(logs.Properties.LogGroupName).toBe(`/aws/vendedlogs/states/${stack.stackName}/runs`);
  });

  it('lists partitions, reconciles them in an inline Map, then summarizes, each task on its own handler', () => {
    const { definition, json, ids } = synth();

    expect(definition.StartAt).toBe(RUN_STATES.listPartitions);
    expect(state(definition, RUN_STATES.listPartitions).Next).toBe(AT_SCALE_STATES.choice);
    expect(state(definition, AT_SCALE_STATES.choice).Default).toBe(RUN_STATES.reconcilePartitions);
    expect(state(definition, RUN_STATES.reconcilePartitions)).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.partitions',
      MaxConcurrency: 8,
      ItemSelector: {
        'runId.$': '$$.Map.Item.Value.runId',
        'partition.$': '$$.Map.Item.Value.partition',
        'asOf.$': '$$.Map.Item.Value.asOf',
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: RUN_STATES.reconcilePartition },
      Next: RUN_STATES.summarizeRun,
    });
    expect(state(definition, RUN_STATES.summarizeRun).End).toBe(true);
    for (const [name, fn, entry] of [
      [RUN_STATES.listPartitions, ids.list, HANDLERS.listPartitions],
      [RUN_STATES.reconcilePartition, ids.reconcile, HANDLERS.reconcilePartition],
      [RUN_STATES.summarizeRun, ids.summarize, HANDLERS.summarizeRun],
    ] as const) {
      // The function's own ARN: its answer is the state's result, with no { StatusCode, Payload } around it.
      expect(state(definition, name)).toMatchObject({ Type: 'Task', Resource: localFunctionArn(fn) });
      expect(state(definition, name)).not.toHaveProperty('Parameters');
      expect(entryOf(json, fn)).toBe(entry);
    }
  });

  it('hands SummarizeRun the run id and the Map output array, failures included', () => {
    const { definition } = synth();

    expect(state(definition, RUN_STATES.reconcilePartitions).ResultSelector).toEqual({
      'runId.$': '$$.Execution.Input.runId',
      'results.$': '$',
    });
    expect(state(definition, RUN_STATES.summarizeRun)).not.toHaveProperty('InputPath');
  });

  it('retries a partition on throttling and Lambda service errors with jittered backoff, then on timeouts and task failures', () => {
    const { definition } = synth();

    expect(state(definition, RUN_STATES.reconcilePartition).Retry).toEqual([
      {
        ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      },
      {
        ErrorEquals: ['States.Timeout', 'States.TaskFailed'],
        IntervalSeconds: 5,
        MaxAttempts: 2,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      },
    ]);
    for (const name of [RUN_STATES.listPartitions, RUN_STATES.summarizeRun]) {
      expect(state(definition, name).Retry).toEqual([
        expect.objectContaining({ ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS], JitterStrategy: 'FULL' }),
      ]);
    }
  });

  it('catches a partition that failed every retry and records it as a value, so the Map still finishes', () => {
    const { definition } = synth();

    expect(state(definition, RUN_STATES.reconcilePartition).Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: RUN_STATES.recordFailure },
    ]);
    expect(state(definition, RUN_STATES.recordFailure)).toMatchObject({
      Type: 'Pass',
      Parameters: {
        failed: true,
        'partition.$': '$.partition',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
      },
      End: true,
    });
  });

  it('closes the run FAILED when listing or summarizing fails after its retries, then fails the execution', () => {
    const { definition, ids } = synth();

    for (const [step, caught] of [
      [RUN_STATES.listPartitions, RUN_STATES.listPartitionsFailed],
      [RUN_STATES.summarizeRun, RUN_STATES.summarizeRunFailed],
    ] as const) {
      expect(state(definition, step).Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.runFailure', Next: caught },
      ]);
      expect(state(definition, caught)).toMatchObject({
        Type: 'Pass',
        Parameters: {
          'runId.$': '$$.Execution.Input.runId',
          'mode.$': '$$.Execution.Input.mode',
          'asOf.$': '$$.Execution.Input.asOf',
          step,
          'error.$': '$.runFailure.Error',
          'cause.$': '$.runFailure.Cause',
        },
        Next: RUN_STATES.markRunFailed,
      });
    }
    expect(state(definition, RUN_STATES.markRunFailed)).toMatchObject({
      Type: 'Task',
      Resource: expect.stringContaining(`:function:${ids.fail}`),
      Next: RUN_STATES.runFailed,
    });
    expect(state(definition, RUN_STATES.runFailed)).toMatchObject({ Type: 'Fail', Error: 'RunFailed' });
    // A failed partition is not a failed run: the Map's Catch keeps it a value.
    expect(state(definition, RUN_STATES.reconcilePartition).Catch?.[0]?.Next).toBe(RUN_STATES.recordFailure);
  });

  it('gives each task state more time than its function, so a slow function fails as a function error first', () => {
    const { definition, json, ids } = synth();

    for (const [name, fn] of [
      [RUN_STATES.listPartitions, ids.list],
      [RUN_STATES.reconcilePartition, ids.reconcile],
      [RUN_STATES.summarizeRun, ids.summarize],
    ] as const) {
      const functionTimeout = json.Resources[fn]?.Properties?.Timeout as number;
      expect(state(definition, name).TimeoutSeconds).toBeGreaterThan(functionTimeout);
    }
    expect(json.Resources[ids.reconcile]?.Properties?.Timeout).toBe(
      RUN_FUNCTIONS.reconcilePartition.timeoutSeconds,
    );
  });

  it('bounds the inline Map by the configured concurrency', () => {
    const { definition } = synth({ maxConcurrency: 3 });

    expect(state(definition, RUN_STATES.reconcilePartitions).MaxConcurrency).toBe(3);
  });
});

describe('Runs: the Distributed Map above the configured partition count', () => {
  it('takes the Distributed Map only when the listed partitions exceed DISTRIBUTED_MAP_THRESHOLD', () => {
    const { definition } = synth();

    expect(state(definition, AT_SCALE_STATES.choice)).toEqual({
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.partitionCount',
          NumericGreaterThan: DISTRIBUTED_MAP_THRESHOLD,
          Next: AT_SCALE_STATES.reconcilePartitions,
        },
      ],
      Default: RUN_STATES.reconcilePartitions,
    });
  });

  it('honours another threshold when configured', () => {
    const { definition } = synth({ distributedAbove: 10 });

    expect(state(definition, AT_SCALE_STATES.choice).Choices).toEqual([
      expect.objectContaining({ NumericGreaterThan: 10 }),
    ]);
  });

  it('reads the partition list from S3, runs each partition as a standard child workflow and writes results to S3', () => {
    const { definition, ids } = synth();

    expect(state(definition, AT_SCALE_STATES.reconcilePartitions)).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: ids.bucket, 'Key.$': '$.partitionListKey' },
      },
      ItemSelector: state(definition, RUN_STATES.reconcilePartitions).ItemSelector,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: AT_SCALE_STATES.reconcilePartition,
      },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: ids.bucket, Prefix: DISTRIBUTED_RESULTS_PREFIX },
      },
      ResultSelector: {
        'runId.$': '$$.Execution.Input.runId',
        'resultWriterDetails.$': '$.ResultWriterDetails',
      },
      Next: RUN_STATES.summarizeRun,
    });
    expect(state(definition, AT_SCALE_STATES.reconcilePartitions)).not.toHaveProperty('ItemsPath');
  });

  it('processes each partition at scale exactly as inline: same function, retries and failure record', () => {
    const { definition } = synth();

    const inline = state(definition, RUN_STATES.reconcilePartition);
    const atScale = state(definition, AT_SCALE_STATES.reconcilePartition);
    expect({ ...atScale, Catch: undefined }).toEqual({ ...inline, Catch: undefined });
    expect(atScale.Catch).toEqual([{ ...inline.Catch?.[0], Next: AT_SCALE_STATES.recordFailure }]);
    expect(state(definition, AT_SCALE_STATES.recordFailure)).toEqual(
      state(definition, RUN_STATES.recordFailure),
    );
  });

  it('lets the state machine read only runs/ and write only the map results in the bucket', () => {
    const { ids, runs, template } = synth();

    const s3 = statementsFor(statementsOf(template, runs.stateMachine.role as never), 's3');
    expect(s3).toHaveLength(2);
    expect(s3).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(ids.bucket, '/runs/*') },
        {
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
          Resource: arnJoin(ids.bucket, `/${DISTRIBUTED_RESULTS_PREFIX}*`),
        },
      ]),
    );
  });
});

describe('Runs: least privilege', () => {
  const only = (...keys: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });
  const items = (table: string, actions: string[], ...keys: string[]) => ({
    Effect: 'Allow',
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: { 'Fn::GetAtt': [table, 'Arn'] },
    ...(keys.length === 0 ? {} : { Condition: only(...keys) }),
  });

  function statements(fn: 'listPartitions' | 'reconcilePartition' | 'summarizeRun' | 'runsApi') {
    const { runs, template, ids } = synth();
    return { ids, all: statementsOf(template, runs.functions[fn].role) };
  }

  const records = (all: Statement[], id: string) =>
    statementsFor(all, 'dynamodb').filter((s) => JSON.stringify(s.Resource).includes(id)) as (Statement & {
      Condition?: unknown;
    })[];

  it('lets ListPartitions read only the dirty markers of the records table, write the runs table and runs/ in S3, and read config/settings.yaml', () => {
    const { ids, all } = statements('listPartitions');

    expect(records(all, ids.records)).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [ids.records, 'Arn'] },
        Condition: only('dirty', 'due'),
      },
      // The period's lock: a close of a locked period is refused (CONTRACT §7).
      items(ids.records, ['dynamodb:GetItem'], 'period'),
    ]);
    expect(records(all, ids.runsTable)).toEqual([
      items(ids.runsTable, ['dynamodb:PutItem'], 'run#*'),
      // Where the live view stands: a run as of an earlier instant is a snapshot.
      items(ids.runsTable, ['dynamodb:GetItem', 'dynamodb:PutItem'], 'live'),
    ]);
    expect(statementsFor(all, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: arnJoin(ids.bucket, '/runs/*'),
      },
      // The run's settings: absent until one is uploaded, so read it and list exactly its key.
      { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(ids.bucket, `/${SETTINGS_CONFIG_KEY}`) },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: { StringEquals: { 's3:prefix': [SETTINGS_CONFIG_KEY] } },
      },
    ]);
  });

  it('lets ReconcilePartition read the records table and the three tables in S3, and write the runs table', () => {
    const { ids, all } = statements('reconcilePartition');

    // The ledger through the by-partition index only: no item of it read by key, none written; the
    // locked periods and their late arrivals (CONTRACT §7).
    expect(records(all, ids.records)).toEqual([
      items(ids.records, ['dynamodb:Query'], 'period', 'late#*'),
      items(ids.records, ['dynamodb:UpdateItem'], 'period'),
      items(ids.records, ['dynamodb:DeleteItem', 'dynamodb:PutItem'], 'due'),
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: arnJoin(ids.records, `/index/${RECORDS_TABLE.indexes[0]?.name}`),
      },
    ]);
    // Its run's items read and replaced in batches, the lifecycle read; no delete, no other index.
    expect(records(all, ids.runsTable)).toEqual([
      items(ids.runsTable, ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query'], 'run#*'),
      items(ids.runsTable, ['dynamodb:Query'], 'life#*'),
      // The arrival histories diagnosis learns from, and its own partition's written pending.
      items(ids.runsTable, ['dynamodb:BatchWriteItem', 'dynamodb:Query'], 'diagnosis#*'),
    ]);
    // Each table is absent until its first drop: read it, and list exactly its key to tell absent from refused.
    expect(statementsFor(all, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          arnJoin(ids.bucket, `/${BUCKET.costsTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.ratesTableKey}`),
          arnJoin(ids.bucket, `/${BUCKET.uomTableKey}`),
        ],
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: {
          StringEquals: { 's3:prefix': [BUCKET.uomTableKey, BUCKET.costsTableKey, BUCKET.ratesTableKey] },
        },
      },
    ]);
  });

  it('lets SummarizeRun use the runs table, change only the dirty markers, read the map results, the ingest reports and the workflow configuration, and write reports/', () => {
    const { ids, all } = statements('summarizeRun');

    expect(records(all, ids.records)).toEqual([
      items(ids.records, ['dynamodb:DeleteItem'], 'dirty'),
      // A close recorded as its period's latest (CONTRACT §7).
      items(ids.records, ['dynamodb:UpdateItem'], 'period'),
    ]);
    expect(records(all, ids.runsTable)).toEqual([
      items(
        ids.runsTable,
        ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        'run#*',
        'life#*',
      ),
      // The run's pending arrival histories committed for the next run (CONTRACT §11).
      items(ids.runsTable, ['dynamodb:BatchWriteItem', 'dynamodb:Query'], 'diagnosis#*'),
      // The report finds the previous period's close in the runs list (issue 19).
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnJoin(ids.runsTable, '/index/by-group') },
    ]);
    // The report reads the ingest reports (listed under their prefix only) and the workflow
    // configuration (its report section), and writes reports/.
    expect(statementsFor(all, 's3')).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          arnJoin(ids.bucket, '/config/workflow.yaml'),
          arnJoin(ids.bucket, `/${BUCKET.ingestReportPrefix}*`),
          arnJoin(ids.bucket, '/runs/*'),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: arnJoin(ids.bucket, `/${BUCKET.reportsPrefix}*`),
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': [`${BUCKET.ingestReportPrefix}*`] } },
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        Condition: { StringEquals: { 's3:prefix': ['config/workflow.yaml'] } },
      },
    ]);
  });

  it('lets the runs API use the runs table, start this state machine, read reports/ only in S3, and get records by id', () => {
    const { ids, all } = statements('runsApi');

    // The dashboard's detail reads both sides' records by id: item reads of record keys, nothing else.
    expect(records(all, ids.records)).toEqual([
      items(ids.records, ['dynamodb:BatchGetItem'], 'wms#*', 'finance#*'),
      // A close asked of a locked period is refused.
      items(ids.records, ['dynamodb:GetItem'], 'period'),
    ]);
    // Runs read and started, never changed in batches or deleted; the indexes of its lists.
    expect(records(all, ids.runsTable)).toEqual([
      items(ids.runsTable, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], 'run#*'),
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: ['by-group', 'by-run-stake', 'by-run-warehouse'].map((i) =>
          arnJoin(ids.runsTable, `/index/${i}`),
        ),
      },
    ]);
    expect(statementsFor(all, 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(ids.bucket, `/${BUCKET.reportsPrefix}*`) },
    ]);
    expect(statementsFor(all, 'states')).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: ids.stateMachine } },
    ]);
  });

  it('passes the state machine ARN to the runs API, and partitions and time zone to every run function', () => {
    const { json, ids } = synth();
    const env = (id: string) =>
      (json.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(env(ids.runsApi)[RUN_STATE_MACHINE_ARN_ENV]).toEqual({ Ref: ids.stateMachine });
    for (const id of [ids.list, ids.reconcile, ids.summarize, ids.runsApi]) {
      expect(env(id)).toMatchObject({ [ENV.partitions]: '64', [ENV.timeZone]: 'Asia/Shanghai' });
      expect(env(id)[RUNS_TABLE.env]).toEqual({ Ref: ids.runsTable });
    }
    for (const id of [ids.list, ids.reconcile, ids.summarize])
      expect(env(id)).not.toHaveProperty(RUN_STATE_MACHINE_ARN_ENV);
  });

  it('lets the state machine invoke its three task functions and the one that closes a failed run only', () => {
    const { runs, template, ids } = synth();

    const lambda = statementsFor(statementsOf(template, runs.stateMachine.role as never), 'lambda');
    expect(actionsOf(lambda)).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOf(lambda)).toEqual([
      { 'Fn::GetAtt': [ids.fail, 'Arn'] },
      { 'Fn::GetAtt': [ids.list, 'Arn'] },
      { 'Fn::GetAtt': [ids.reconcile, 'Arn'] },
      { 'Fn::GetAtt': [ids.summarize, 'Arn'] },
      arnJoin(ids.fail, ':*'),
      arnJoin(ids.list, ':*'),
      arnJoin(ids.reconcile, ':*'),
      arnJoin(ids.summarize, ':*'),
    ]);
  });
});

describe('Runs: the routes', () => {
  it('routes POST /v1/runs and both GETs to the runs API, each behind IAM authorization', () => {
    const { template, ids } = synth();

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as Resource).Properties,
    );
    expect(Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType]))).toEqual(
      Object.fromEntries(RUN_ROUTES.map((r) => [`${r.method} ${r.path}`, 'AWS_IAM'])),
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [ids.runsApi, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });
});

describe('Runs: the routes people call', () => {
  it('puts the runs routes behind the JWT authorizer when given one (the dashboard calls them)', () => {
    const stack = testStack();
    const stage = stageOf('dev');
    const data = new Data(stack, 'Data', { stage });
    const api = new Api(stack, 'Api', { stage });
    const identity = new Identity(stack, 'Identity', { stage, domainPrefix: 'stocktally-runs-test' });
    new Runs(stack, 'Runs', {
      stage,
      projectRoot: PROJECT_ROOT,
      records: data.table(RECORDS_TABLE),
      runs: data.table(RUNS_TABLE),
      bucket: new Storage(stack, 'Storage', { stage }).bucket,
      api,
      authorizer: identity.authorizer,
      partitions: 64,
      timeZone: 'Asia/Shanghai',
    });

    const routes = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as Resource).Properties,
    );
    expect(Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType]))).toEqual(
      Object.fromEntries(RUN_ROUTES.map((r) => [`${r.method} ${r.path}`, 'JWT'])),
    );
  });
});

describe('Runs: the schedules', () => {
  function schedules(template: Template) {
    return Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (r) => (r as Resource).Properties,
    );
  }

  it('starts a continuous run every 15 minutes and the daily, weekly and monthly closes at midnight in the time zone', () => {
    const { template } = synth();

    const byExpression = Object.fromEntries(
      schedules(template).map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone]),
    );
    expect(byExpression).toEqual({
      'rate(15 minutes)': 'Asia/Shanghai',
      'cron(0 0 * * ? *)': 'Asia/Shanghai',
      'cron(0 0 ? * MON *)': 'Asia/Shanghai',
      'cron(0 0 1 * ? *)': 'Asia/Shanghai',
    });
  });

  it('gives each run its mode, a run id from Scheduler’s execution id, and the scheduled time as asOf', () => {
    const { template, ids } = synth();

    const inputs = schedules(template).map((s) => {
      const target = s.Target as { Arn: unknown; Input: string };
      expect(target.Arn).toEqual({ Ref: ids.stateMachine });
      return JSON.parse(target.Input) as Record<string, string>;
    });
    expect(inputs).toEqual(
      expect.arrayContaining(
        Object.values(SCHEDULED_RUNS).map((run) => ({
          runId: `${run.runIdPrefix}<aws.scheduler.execution-id>`,
          mode: run.mode,
          asOf: '<aws.scheduler.scheduled-time>',
        })),
      ),
    );
    expect(inputs).toHaveLength(4);
  });

  it('starts a close within 15 minutes after midnight and a continuous run on time', () => {
    const { template } = synth();

    for (const s of schedules(template)) {
      expect(s.FlexibleTimeWindow).toEqual(
        s.ScheduleExpression === 'rate(15 minutes)'
          ? { Mode: 'OFF' }
          : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      );
    }
  });

  it('retries a start for an hour, then keeps it in an encrypted dead-letter queue', () => {
    const { template, runs, stack } = synth();
    const queue = logicalIdOf(runs.scheduleDeadLetters, stack);

    for (const s of schedules(template)) {
      expect(s.Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('lets the schedules start this state machine only', () => {
    const { template, ids } = synth();

    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
          .Statement,
    );
    const starts = policies.filter((s) => actionsOf([s]).includes('states:StartExecution'));
    // The runs API, the schedules' role, and the Distributed Map starting its own children.
    expect(resourcesOf(starts)).toEqual([
      { Ref: ids.stateMachine },
      { Ref: ids.stateMachine },
      { Ref: ids.stateMachine },
    ]);
  });

  it('can be created disabled', () => {
    const { template } = synth({ schedulesEnabled: false });

    for (const s of schedules(template)) expect(s.State).toBe('DISABLED');
  });
});
