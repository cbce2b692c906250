import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { CASE_EVENTS_TABLE, CASES_TABLE, ENV, RECORDS_TABLE, RUNS_TABLE } from '../declarations/tables.js';
import { Api } from './api.js';
import { Audit } from './audit.js';
import { Cases } from './cases.js';
import { Data } from './data.js';
import { Identity } from './identity.js';
import { Ingest } from './ingest.js';
import { Notify } from './notify.js';
import { Runs } from './runs.js';
import type { Stage } from './stage.js';
import { Storage } from './storage.js';
import { Vouchers } from './vouchers.js';
import { Periods } from './periods.js';
import type { ReconcileRules } from './rules.js';
import { Web } from './web.js';

export interface StocktallyStackProps extends StackProps {
  readonly stage: Stage;
  /** The repository root: NodejsFunction entries and the lock file are found from it. */
  readonly projectRoot: string;
  /** Partition count shared by ingest (dirty marks) and runs. */
  readonly partitions: number;
  /** IANA time zone of periods and scheduled closes. */
  readonly timeZone: string;
  /** The reconciliation rules of the runs and the vouchers (lib/stacks/rules.ts). @default none set */
  readonly rules?: ReconcileRules;
  /** The alert configuration document (issue 7). @default config/alerts.yaml */
  readonly alertConfigPath?: string;
  /** Where the built dashboard is (issue 9). @default dist/web under projectRoot */
  readonly dashboardSiteDir?: string;
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
  readonly notify: Notify;
  readonly identity: Identity;
  readonly cases: Cases;
  readonly vouchers: Vouchers;
  readonly periods: Periods;
  readonly web: Web;
  readonly audit: Audit;

  constructor(scope: Construct, id: string, props: StocktallyStackProps) {
    const {
      stage,
      projectRoot,
      partitions,
      timeZone,
      rules,
      alertConfigPath,
      dashboardSiteDir,
      ...stackProps
    } = props;
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
    this.notify = new Notify(this, 'Notify', {
      stage,
      projectRoot,
      runs: this.data.table(RUNS_TABLE),
      bucket: this.storage.bucket,
      apiUrl: this.api.url,
      partitions,
      timeZone,
      ...(alertConfigPath === undefined ? {} : { configPath: alertConfigPath }),
    });
    this.identity = new Identity(this, 'Identity', {
      stage,
      domainPrefix: `stocktally-${stage.name}-${this.account}`,
    });
    this.cases = new Cases(this, 'Cases', {
      stage,
      projectRoot,
      cases: this.data.table(CASES_TABLE),
      events: this.data.table(CASE_EVENTS_TABLE),
      bucket: this.storage.bucket,
      api: this.api,
      authorizer: this.identity.authorizer,
      timeZone,
      records: this.data.table(RECORDS_TABLE),
      partitions,
    });
    this.vouchers = new Vouchers(this, 'Vouchers', {
      stage,
      projectRoot,
      records: this.data.table(RECORDS_TABLE),
      cases: this.data.table(CASES_TABLE),
      events: this.data.table(CASE_EVENTS_TABLE),
      bucket: this.storage.bucket,
      api: this.api,
      authorizer: this.identity.authorizer,
      partitions,
      timeZone,
      ...(rules === undefined ? {} : { rules }),
    });
    this.periods = new Periods(this, 'Periods', {
      stage,
      projectRoot,
      records: this.data.table(RECORDS_TABLE),
      cases: this.data.table(CASES_TABLE),
      events: this.data.table(CASE_EVENTS_TABLE),
      api: this.api,
      authorizer: this.identity.authorizer,
      timeZone,
    });
    this.runs = new Runs(this, 'Runs', {
      stage,
      projectRoot,
      records: this.data.table(RECORDS_TABLE),
      runs: this.data.table(RUNS_TABLE),
      bucket: this.storage.bucket,
      api: this.api,
      authorizer: this.identity.authorizer,
      cases: this.cases.runAccess,
      partitions,
      timeZone,
      ...(rules === undefined ? {} : { rules }),
      notifyRun: this.notify.notifyRun,
    });

    // Every chain link the functions append is anchored where they cannot rewrite it (issue 16).
    this.audit = new Audit(this, 'Audit', { stage, accessLogBucket: this.storage.accessLogBucket });
    for (const fn of [
      this.ingest.webhook,
      this.ingest.s3Drop,
      this.cases.casesApi,
      this.runs.functions.reconcilePartition,
    ]) {
      this.audit.bindAppender(fn);
    }
    new CfnOutput(this, 'AuditDigestBucketName', {
      value: this.audit.bucket.bucketName,
      description:
        'The digest log (S3 Object Lock, compliance mode): stocktally audit verify --digests s3://<this>',
    });

    // The dashboard (issue 9) signs in through the user pool; the distribution's address becomes the
    // dashboard client's callback URL, so both live in this stack. It serves the API under /v1/* too:
    // the page calls its own origin (lib/stacks/web.ts says why).
    this.web = new Web(this, 'Web', {
      stage,
      identity: this.identity,
      apiDomainName: this.api.domainName,
      siteDir: dashboardSiteDir ?? join(projectRoot, 'dist', 'web'),
      accessLogBucket: this.storage.accessLogBucket,
    });
    // Alerts say nothing of cases the books settled and tell owners of overdue ones (CONTRACT §8).
    this.cases.alertAccess.bind(this.notify.notifyRun);
    // Alerts link the run's page of the dashboard, where a reader signs in, rather than the API.
    this.notify.notifyRun.withEnvironment({ [ENV.dashboardUrl]: this.web.url });
    new CfnOutput(this, 'DashboardUrl', {
      value: this.web.url,
      description: 'The dashboard (sign in with Cognito)',
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the HTTP API',
    });
    new CfnOutput(this, 'DataBucketName', {
      value: this.storage.bucket.bucketName,
      description: 'Drop files under incoming/wms|finance|uom|costs|rates|codes/',
    });
    new CfnOutput(this, 'RunStateMachineArn', {
      value: this.runs.stateMachine.stateMachineArn,
      description: 'The reconcile run state machine (POST /v1/runs starts it; so do the schedules)',
    });
    new CfnOutput(this, 'ChatAlertDeadLetterQueueUrl', {
      value: this.notify.chatDeadLetters.queueUrl,
      description: 'Chat alerts no DingTalk, WeCom or Slack webhook accepted after every retry',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', { value: this.identity.dashboardClient.userPoolClientId });
    new CfnOutput(this, 'HostedUiBaseUrl', {
      value: this.identity.hostedUiBaseUrl,
      description: 'The sign-in pages of the user pool (people are invited; no self sign-up)',
    });
    new CfnOutput(this, 'WmsWebhookSecretArn', { value: this.ingest.secrets.wms.secretArn });
    new CfnOutput(this, 'FinanceWebhookSecretArn', { value: this.ingest.secrets.finance.secretArn });
  }
}
