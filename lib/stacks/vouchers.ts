import { Duration } from 'aws-cdk-lib';
import type { HttpRoute, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { WORKFLOW_CONFIG_KEY, WORKFLOW_DEFAULT } from '../declarations/cases.js';
import { BUCKET, ENV, HANDLERS, RECORDS_TABLE } from '../declarations/tables.js';
import { VOUCHER_ROUTES, VOUCHERS_FUNCTION } from '../declarations/vouchers.js';
import type { Api } from './api.js';
import { bindCaseTables, workflowEnvironment, type CaseTables } from './cases.js';
import type { DeclaredTable } from './data.js';
import { StocktallyFunction } from './function.js';
import type { Stage } from './stage.js';

const BY_PARTITION = RECORDS_TABLE.indexes[0]?.name ?? 'by-partition';

export interface VouchersProps extends CaseTables {
  readonly stage: Stage;
  readonly projectRoot: string;
  readonly records: DeclaredTable;
  readonly bucket: IBucket;
  readonly api: Api;
  /** The JWT authorizer of Identity, as the other read routes. */
  readonly authorizer: IHttpRouteAuthorizer;
  readonly partitions: number;
  readonly timeZone: string;
}

/**
 * Vouchers for every movement (CONTRACT §9): GET /v1/vouchers behind the JWT authorizer. Its
 * function reads the stored records (by partition), the unit and cost tables and the workflow
 * configuration's accounts (its default bundled), and the case heads of the groups that disagree;
 * it writes nothing.
 */
export class Vouchers extends Construct {
  readonly vouchersApi: StocktallyFunction;
  readonly routes: readonly HttpRoute[];

  constructor(scope: Construct, id: string, props: VouchersProps) {
    super(scope, id);
    this.vouchersApi = new StocktallyFunction(this, 'VouchersApi', {
      stage: props.stage,
      projectRoot: props.projectRoot,
      entry: HANDLERS.vouchersApi,
      description: `Vouchers route ${VOUCHER_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      invokedBy: 'api',
      timeout: Duration.seconds(VOUCHERS_FUNCTION.timeoutSeconds),
      // It reconciles every partition to know each voucher's status: memory is CPU.
      memorySize: 2048,
      environment: { ...workflowEnvironment(props.timeZone), [ENV.partitions]: String(props.partitions) },
      bundledFiles: [WORKFLOW_DEFAULT.path],
    })
      // Every partition's records through the by-partition index, and nothing else of the ledger.
      .bindTable(props.records, { indexes: [BY_PARTITION] })
      // The unit and cost tables and the workflow configuration: each absent on a fresh deployment.
      .bindBucket(props.bucket, {
        optional: [BUCKET.uomTableKey, BUCKET.costsTableKey, WORKFLOW_CONFIG_KEY],
      });
    bindCaseTables(this.vouchersApi, { cases: props.cases, events: props.events }, 'readHeads');
    this.routes = props.api.addJwtRoutes(
      'VouchersIntegration',
      VOUCHER_ROUTES,
      this.vouchersApi.fn,
      props.authorizer,
    );
  }
}
