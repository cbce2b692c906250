import { Duration } from 'aws-cdk-lib';
import type { HttpRoute, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERIOD_ROUTES, PERIODS_FUNCTION } from '../declarations/periods.js';
import { ENV, HANDLERS } from '../declarations/tables.js';
import type { Api } from './api.js';
import type { CaseTables } from './cases.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction } from './function.js';
import type { Stage } from './stage.js';

export interface PeriodsProps extends CaseTables {
  readonly stage: Stage;
  readonly projectRoot: string;
  readonly records: DeclaredTable;
  readonly api: Api;
  /** The JWT authorizer of Identity, as the other routes. */
  readonly authorizer: IHttpRouteAuthorizer;
  readonly timeZone: string;
}

/**
 * The periods of CONTRACT §7: GET /v1/periods and POST /v1/periods/{period}/lock behind the JWT
 * authorizer. Its function reads and locks the period items of the records table, counts their late
 * arrivals, and reads the period's cases for the close-check (the by-period index); nothing else.
 */
export class Periods extends Construct {
  readonly periodsApi: StocktallyFunction;
  readonly routes: readonly HttpRoute[];

  constructor(scope: Construct, id: string, props: PeriodsProps) {
    super(scope, id);
    this.periodsApi = new StocktallyFunction(this, 'PeriodsApi', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.periodsApi,
      description: `Periods routes ${PERIOD_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      invokedBy: 'api',
      timeout: Duration.seconds(PERIODS_FUNCTION.timeoutSeconds),
      environment: { [ENV.timeZone]: props.timeZone },
    }).bindTable(props.records, {
      items: [
        { actions: ['GetItem', 'Query', 'UpdateItem'], leadingKeys: ['period'] },
        { actions: ['Query'], leadingKeys: ['late#*'] },
      ],
    });
    const { cases, events } = props;
    this.periodsApi.withEnvironment({
      [cases.declaration.env]: cases.table.tableName,
      [events.declaration.env]: events.table.tableName,
    });
    const byPeriod = cases.declaration.indexes.find((i) => i.name === 'by-period')?.name ?? 'by-period';
    this.periodsApi.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${cases.table.tableArn}/index/${byPeriod}`],
      }),
    );
    cases.table.encryptionKey?.grantDecrypt(this.periodsApi.role);
    this.routes = props.api.addJwtRoutes(
      'PeriodsIntegration',
      PERIOD_ROUTES,
      this.periodsApi.fn,
      props.authorizer,
    );
  }
}
