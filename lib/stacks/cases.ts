import { Duration } from 'aws-cdk-lib';
import type { HttpRoute, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AWAITING_CASE_ITEMS,
  CASE_ROUTES,
  CASES_FUNCTION,
  WORKFLOW_CONFIG_KEY,
  WORKFLOW_DEFAULT,
} from '../declarations/cases.js';
import { ENV, HANDLERS } from '../declarations/tables.js';
import type { Api } from './api.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction, type TableAccess } from './function.js';
import type { RunCaseAccess } from './runs.js';
import type { Stage } from './stage.js';

/**
 * The items of the cases table a function may delete: the account freezes (`pk freeze`) and the
 * entries of the cases waiting for the books (`pk awaiting`), nothing else.
 */
export const DELETABLE_CASE_ITEMS = ['freeze', AWAITING_CASE_ITEMS] as const;

/** Writing to the audit trail is adding to it; these would change or remove what is there. */
export const EVENT_REWRITES = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:DeleteTable',
  'dynamodb:UpdateTable',
] as const;

export interface CaseTables {
  readonly cases: DeclaredTable;
  readonly events: DeclaredTable;
}

/**
 * Grants a function the case tables, least privilege:
 * - `work` (the cases API, a run's partition task): case heads read and written by conditional
 *   put and update, deletes only on freeze and awaiting items (dynamodb:LeadingKeys); events added (PutItem) and
 *   read (GetItem, Query), and an explicit Deny of every action that would change or remove one, so
 *   no later grant can open a rewrite path;
 * - `readHeads` (the report renderer): case heads read by key (BatchGetItem), nothing of the events;
 * - `alerts` (the notify function): case heads read by key and the awaiting-books entries queried
 *   (`pk awaiting`), nothing written, nothing of the events.
 * `indexes`: the case table's indexes the function lists cases through (the cases API's lists, the
 * summary and the close check); a run's partition task reads cases by key only.
 */
export function bindCaseTables(
  fn: StocktallyFunction,
  tables: CaseTables,
  access: 'work' | 'readHeads' | 'alerts',
  options: { indexes?: boolean } = {},
): void {
  const { cases, events } = tables;
  fn.withEnvironment({
    [cases.declaration.env]: cases.table.tableName,
    [events.declaration.env]: events.table.tableName,
  });
  if (options.indexes === true) {
    const indexes = cases.declaration.indexes.map((index) => `${cases.table.tableArn}/index/${index.name}`);
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes }));
  }
  if (access === 'readHeads' || access === 'alerts') {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [cases.table.tableArn] }),
    );
  }
  if (access === 'alerts') {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [cases.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [AWAITING_CASE_ITEMS] } },
      }),
    );
  }
  if (access !== 'work') return;
  const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: read, resources: [cases.table.tableArn] }));
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [cases.table.tableArn],
    }),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:DeleteItem'],
      resources: [cases.table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...DELETABLE_CASE_ITEMS] } },
    }),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      resources: [events.table.tableArn],
    }),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      actions: [...EVENT_REWRITES],
      resources: [events.table.tableArn],
    }),
  );
}

export interface CasesProps extends CaseTables {
  readonly stage: Stage;
  readonly projectRoot: string;
  readonly bucket: IBucket;
  readonly api: Api;
  /** The JWT authorizer of Identity: the handler reads the caller from its claims. */
  readonly authorizer: IHttpRouteAuthorizer;
  readonly timeZone: string;
  /**
   * The records table and its partition count: an approved link (CONTRACT §11) marks its groups'
   * partitions dirty so the next continuous run reconciles them as one.
   */
  readonly records: DeclaredTable;
  readonly partitions: number;
}

/** What the cases API may do to the records table: raise dirty marks, nothing else. */
export const LINK_MARKS: TableAccess = { items: [{ actions: ['UpdateItem'], leadingKeys: ['dirty'] }] };

/**
 * The exception workflow (issue 8): the cases API function behind the JWT authorizer, with the
 * default workflow configuration bundled beside it (config/workflow.yaml; an upload to
 * config/workflow.yaml in the bucket overrides it), and the grants a run's partition task and the
 * report renderer need to open cases and to read them.
 */
export class Cases extends Construct {
  readonly casesApi: StocktallyFunction;
  readonly routes: readonly HttpRoute[];
  /** For Runs: the partition task opens and updates cases; the report reads their heads. */
  readonly runAccess: RunCaseAccess;
  /** For Notify: the cases of a run's discrepancies and those overdue for the books, read only. */
  readonly alertAccess: { bind(fn: StocktallyFunction): void };

  constructor(scope: Construct, id: string, props: CasesProps) {
    super(scope, id);
    const tables: CaseTables = { cases: props.cases, events: props.events };
    this.casesApi = new StocktallyFunction(this, 'CasesApi', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.casesApi,
      description: `Cases routes ${CASE_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      invokedBy: 'api',
      timeout: Duration.seconds(CASES_FUNCTION.timeoutSeconds),
      environment: { ...workflowEnvironment(props.timeZone), [ENV.partitions]: String(props.partitions) },
      bundledFiles: [WORKFLOW_DEFAULT.path],
      // An uploaded workflow configuration overrides the bundled default; none is there at first.
    })
      .bindBucket(props.bucket, { optional: [WORKFLOW_CONFIG_KEY] })
      .bindTable(props.records, LINK_MARKS);
    bindCaseTables(this.casesApi, tables, 'work', { indexes: true });
    this.routes = props.api.addJwtRoutes('CasesIntegration', CASE_ROUTES, this.casesApi.fn, props.authorizer);
    this.runAccess = {
      partitions: { bind: (fn) => bindCaseTables(fn, tables, 'work') },
      report: { bind: (fn) => bindCaseTables(fn, tables, 'readHeads') },
    };
    this.alertAccess = { bind: (fn) => bindCaseTables(fn, tables, 'alerts') };
  }
}

/** The environment of a function that reads the workflow configuration (its bundled default's path). */
export function workflowEnvironment(timeZone: string): Record<string, string> {
  return { [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled, [ENV.timeZone]: timeZone };
}
