import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { RECORDS_TABLE, RUNS_TABLE } from '../declarations.js';
import { Api } from './api.js';
import { Data } from './data.js';
import { Ingest } from './ingest.js';
import { Runs } from './runs.js';
import type { Stage } from './stage.js';
import { Storage } from './storage.js';
import { Web, type DashboardIdentity } from './web.js';

export interface StocktallyStackProps extends StackProps {
  readonly stage: Stage;
  /** The repository root: NodejsFunction entries and the lock file are found from it. */
  readonly projectRoot: string;
  /** Partition count shared by ingest (dirty marks) and runs. */
  readonly partitions: number;
  /** IANA time zone of periods and scheduled closes. */
  readonly timeZone: string;
  /**
   * The dashboard (issue 9): served from S3 behind CloudFront, signing in through the identity this
   * makes in the stack (issue 8's construct provides it; it must live in this stack, since the
   * distribution's address becomes its callback URL). Without it the stack has no dashboard.
   */
  readonly dashboard?: {
    readonly identity: (stack: Stack) => DashboardIdentity;
    readonly siteDir?: string;
  };
}

/**
 * The whole product in one environment-agnostic stack, one construct per concern. The runs and report
 * features add their constructs here and reach the resources through `data`, `storage`, `api` and `ingest`.
 */
export class StocktallyStack extends Stack {
  readonly stage: Stage;
  readonly data: Data;
  readonly storage: Storage;
  readonly api: Api;
  readonly ingest: Ingest;
  readonly runs: Runs;
  readonly web?: Web;

  constructor(scope: Construct, id: string, props: StocktallyStackProps) {
    const { stage, projectRoot, partitions, timeZone, dashboard, ...stackProps } = props;
    super(scope, id, {
      description: `Stocktally (${stage.name}): WMS movements reconciled against finance entries`,
      terminationProtection: stage.production,
      ...stackProps,
    });
    this.stage = stage;
    this.data = new Data(this, 'Data', { stage });
    this.storage = new Storage(this, 'Storage', { stage });
    this.api = new Api(this, 'Api', { stage });
    this.ingest = new Ingest(this, 'Ingest', {
      stage,
      projectRoot,
      records: this.data.table(RECORDS_TABLE),
      bucket: this.storage.bucket,
      api: this.api,
      partitions,
      timeZone,
    });
    this.runs = new Runs(this, 'Runs', {
      stage,
      projectRoot,
      records: this.data.table(RECORDS_TABLE),
      runs: this.data.table(RUNS_TABLE),
      bucket: this.storage.bucket,
      api: this.api,
      partitions,
      timeZone,
    });

    if (dashboard !== undefined) {
      this.web = new Web(this, 'Web', {
        stage,
        identity: dashboard.identity(this),
        apiUrl: this.api.url,
        siteDir: dashboard.siteDir ?? join(projectRoot, 'dist', 'web'),
        accessLogBucket: this.storage.accessLogBucket,
      });
      new CfnOutput(this, 'DashboardUrl', {
        value: this.web.url,
        description: 'The dashboard (sign in with Cognito)',
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the HTTP API',
    });
    new CfnOutput(this, 'DataBucketName', {
      value: this.storage.bucket.bucketName,
      description: 'Drop files under incoming/wms|finance|uom|costs/',
    });
    new CfnOutput(this, 'RunStateMachineArn', {
      value: this.runs.stateMachine.stateMachineArn,
      description: 'The reconcile run state machine (POST /v1/runs starts it; so do the schedules)',
    });
    new CfnOutput(this, 'WmsWebhookSecretArn', { value: this.ingest.secrets.wms.secretArn });
    new CfnOutput(this, 'FinanceWebhookSecretArn', { value: this.ingest.secrets.finance.secretArn });
  }
}
