import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CASE_ROUTES, WORKFLOW_CONFIG_KEY, WORKFLOW_DEFAULT } from '../../lib/declarations/cases.js';
import {
  CASE_EVENTS_TABLE,
  CASES_TABLE,
  RECORDS_TABLE,
  WEBHOOK_ROUTES,
} from '../../lib/declarations/tables.js';
import { RUN_ROUTES } from '../../lib/declarations/runs.js';
import { createApp } from '../../lib/stacks/app.js';
import type { StocktallyFunction } from '../../lib/stacks/function.js';
import { testContext } from './cdk-context.js';
import {
  actionsOf,
  arnJoin,
  logicalIdOf,
  statementsFor,
  statementsOf,
  type Statement,
} from './iam-statements.js';

// The exception workflow in the whole stack: its function, routes, grants, and the run's.
function synth() {
  const { stack } = createApp({
    context: testContext({ stage: 'dev' }),
    builtinCloudFormationValidation: false,
  });
  const template = Template.fromStack(stack);
  const ids = {
    cases: logicalIdOf(stack.data.table(CASES_TABLE).table, stack),
    events: logicalIdOf(stack.data.table(CASE_EVENTS_TABLE).table, stack),
    bucket: logicalIdOf(stack.storage.bucket, stack),
  };
  const on = (fn: StocktallyFunction, id: string): (Statement & { Condition?: unknown })[] =>
    statementsFor(statementsOf(template, fn.role), 'dynamodb').filter((st) =>
      JSON.stringify(st.Resource).includes(id),
    );
  const env = (fn: StocktallyFunction) =>
    (
      template.toJSON().Resources[logicalIdOf(fn.fn, stack)].Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
  return { stack, template, ids, on, env };
}

const allow = (st: Statement) => st.Effect === 'Allow';
const deny = (st: Statement) => st.Effect === 'Deny';
const REWRITES = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('Cases: routes', () => {
  it('puts the cases and runs routes behind the user pool’s JWT authorizer, and keeps the webhooks on their HMAC', () => {
    const { template } = synth();

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties,
    );
    const byKey = Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType]));
    for (const r of [...CASE_ROUTES, ...RUN_ROUTES]) expect(byKey[`${r.method} ${r.path}`]).toBe('JWT');
    for (const r of WEBHOOK_ROUTES) expect(byKey[`${r.method} ${r.path}`]).toBe('NONE');
  });
});

describe('Cases: an append-only trail', () => {
  it('lets the cases API add and read events, and denies every change or removal of one', () => {
    const { stack, ids, on } = synth();

    const events = on(stack.cases.casesApi, ids.events);
    expect(actionsOf(events.filter(allow))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(actionsOf(events.filter(deny))).toEqual(expect.arrayContaining(REWRITES));
    expect(events.filter(deny).map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [ids.events, 'Arn'] }]);
  });

  it('lets the partition task of a run open cases with the same grants, and the report only read the heads', () => {
    const { stack, ids, on } = synth();
    const indexes = (fn: StocktallyFunction) =>
      on(fn, ids.cases).filter((st) => JSON.stringify(st.Resource).includes('/index/'));

    const reconcile = stack.runs.functions.reconcilePartition;
    expect(actionsOf(on(reconcile, ids.events).filter(allow))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(actionsOf(on(reconcile, ids.events).filter(deny))).toEqual(expect.arrayContaining(REWRITES));
    // A run reads cases by key: no list, no index (only the cases API lists them).
    expect(indexes(reconcile)).toEqual([]);
    expect(indexes(stack.cases.casesApi)).not.toEqual([]);
    const summarize = stack.runs.functions.summarizeRun;
    expect(on(summarize, ids.events)).toEqual([]);
    expect(actionsOf(on(summarize, ids.cases))).toEqual(['dynamodb:BatchGetItem']);
    expect(on(stack.runs.functions.runsApi, ids.cases)).toEqual([]);
  });

  it('lets the notify function read case heads by key and query the awaiting-books entries, nothing more', () => {
    const { stack, ids, on, env } = synth();
    const notify = stack.notify.notifyRun;

    expect(on(notify, ids.events)).toEqual([]);
    expect(on(notify, ids.cases)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:BatchGetItem', Resource: { 'Fn::GetAtt': [ids.cases, 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [ids.cases, 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['awaiting'] } },
      },
    ]);
    expect(Object.keys(env(notify))).toEqual(
      expect.arrayContaining([CASES_TABLE.env, CASE_EVENTS_TABLE.env]),
    );
  });

  it('deletes in the cases table only the account freezes and the awaiting-books entries', () => {
    const { stack, ids, on } = synth();

    const deletes = on(stack.cases.casesApi, ids.cases).filter(
      (st) => allow(st) && actionsOf([st]).includes('dynamodb:DeleteItem'),
    );
    expect(deletes).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: { 'Fn::GetAtt': [ids.cases, 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['freeze', 'awaiting'] } },
      },
    ]);
  });
});

describe('Cases: configuration', () => {
  it('reads config/workflow.yaml in S3, absent until uploaded, and carries the default workflow document in its bundle', () => {
    const { stack, ids, template, env } = synth();

    for (const fn of [stack.cases.casesApi, stack.runs.functions.reconcilePartition]) {
      const s3 = statementsFor(statementsOf(template, fn.role), 's3');
      const read = s3.find((st) => st.Action === 's3:GetObject');
      expect([read?.Resource].flat()).toContainEqual(arnJoin(ids.bucket, `/${WORKFLOW_CONFIG_KEY}`));
      expect(s3).toContainEqual(
        expect.objectContaining({
          Action: 's3:ListBucket',
          Condition: {
            StringEquals: { 's3:prefix': expect.arrayContaining([WORKFLOW_CONFIG_KEY]) as unknown },
          },
        }),
      );
      expect(JSON.stringify(s3)).not.toContain('config/*');
    }
    // The digests of the events it appends (issue 16): write only, its own prefix only.
    expect(statementsFor(statementsOf(template, stack.cases.casesApi.role), 's3')).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
      Resource: arnJoin(logicalIdOf(stack.audit.bucket, stack), '/audit/digests/*'),
    });
    for (const fn of [stack.cases.casesApi, stack.runs.functions.reconcilePartition]) {
      expect(env(fn)).toMatchObject({
        [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled,
        [CASES_TABLE.env]: { Ref: ids.cases },
        [CASE_EVENTS_TABLE.env]: { Ref: ids.events },
      });
    }
  });
});

describe('Cases: the open-cases summary', () => {
  it('declares the sparse index of open case heads with only the keys and warehouseId, and lets the cases API query it', () => {
    const { stack, template, ids, on } = synth();

    const table = template.toJSON().Resources[ids.cases].Properties as {
      GlobalSecondaryIndexes: { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    };
    expect(table.GlobalSecondaryIndexes.find((i) => i.IndexName === 'open-by-severity')).toEqual({
      IndexName: 'open-by-severity',
      KeySchema: [
        { AttributeName: 'openSeverity', KeyType: 'HASH' },
        { AttributeName: 'firstSeen', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['warehouseId'] },
    });
    // The other indexes keep every attribute (the list and the close check read whole heads).
    expect(
      table.GlobalSecondaryIndexes.filter((i) => i.IndexName !== 'open-by-severity').map((i) => i.Projection),
    ).toEqual([{ ProjectionType: 'ALL' }, { ProjectionType: 'ALL' }]);

    const queries = on(stack.cases.casesApi, ids.cases).filter(
      (st) => allow(st) && JSON.stringify(st.Resource).includes('/index/open-by-severity'),
    );
    expect(actionsOf(queries)).toEqual(['dynamodb:Query']);
  });
});

describe('Cases: links (CONTRACT §11)', () => {
  it('lets the cases API raise dirty marks on the records table, and touch no record', () => {
    const { stack, on } = synth();
    const records = logicalIdOf(stack.data.table(RECORDS_TABLE).table, stack);

    expect(on(stack.cases.casesApi, records)).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [records, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['dirty'] } },
      },
    ]);
  });
});
