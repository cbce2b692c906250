import { type App, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../lib/stacks/app.js';
import { testContext } from './cdk-context.js';

function nagApp(stage = 'dev') {
  return createApp({ context: testContext({ stage }), builtinCloudFormationValidation: false });
}

interface Finding {
  rule: string;
  path: string;
}

/** Every finding of both packs, warnings included, as `rule path` pairs. */
function findings(app: App): Finding[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
      ),
  );
}

/** What the packs would report if nothing were acknowledged. */
function rawFindings(app: App): Finding[] {
  const ack = vi
    .spyOn(NagPack.prototype as unknown as { isAcknowledged(): boolean }, 'isAcknowledged')
    .mockReturnValue(false);
  try {
    return findings(app);
  } finally {
    ack.mockRestore();
  }
}

interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}

function acknowledgments(app: App): Acknowledgment[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  it.each(['dev', 'prod'])(
    'pass the whole %s stack with no unacknowledged finding, warnings included',
    (stage) => {
      const { app } = nagApp(stage);

      expect(() => app.synth()).not.toThrow();
      expect(findings(app)).toEqual([]);
    },
  );

  it('fail the synth on a finding nobody acknowledged', () => {
    const { app, stack } = nagApp();
    new Bucket(stack, 'Careless');

    expect(findings(app)).toEqual(
      expect.arrayContaining([
        { rule: 'AwsSolutions-S1', path: `${stack.node.path}/Careless/Resource` },
        { rule: 'AwsSolutions-S10', path: `${stack.node.path}/Careless/Resource` },
      ]),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledge only findings that exist, each with its reason', () => {
    const { app } = nagApp();
    const raw = rawFindings(app);

    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      const covered = raw.filter((f) => f.rule === ack.id && (f.path + '/').startsWith(ack.path + '/'));
      expect(covered, `${ack.id} at ${ack.path} acknowledges nothing`).not.toEqual([]);
    }
  });

  it('acknowledge exactly the reviewed list of findings', () => {
    const { app, stack } = nagApp();

    const reviewed = acknowledgments(app)
      .map(
        (ack) => `${ack.path.replace(`${stack.node.path}/`, '')} ${ack.id.replace(/<\w+\.Arn>/g, '<Arn>')}`,
      )
      .sort();
    expect(reviewed).toEqual(
      [
        'Api/HttpApi/POST--v1--entries AwsSolutions-APIG4',
        'Api/HttpApi/POST--v1--movements AwsSolutions-APIG4',
        'BucketNotificationsHandler050a0587b7544547bf325f094a3db834 AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        // The cases API (issue 8): the function defaults; invoked synchronously, so no dead-letter queue.
        'Cases/CasesApi/Function AwsSolutions-L1',
        'Cases/CasesApi/Function Serverless-LambdaDLQ',
        'Cases/CasesApi/Function Serverless-LambdaLatestVersion',
        'Cases/CasesApi/Role AwsSolutions-IAM5[Resource::*]',
        'Cases/CasesApi/Role AwsSolutions-IAM5[Resource::<Arn>/audit/digests/*]',
        // MFA optional outside production (required in prod).
        'Identity/UserPool AwsSolutions-COG2',
        'Ingest/FinanceWebhookSecret AwsSolutions-SMG4',
        'Ingest/S3Drop/DeadLetters Serverless-SQSRedrivePolicy',
        'Ingest/S3Drop/Function AwsSolutions-L1',
        'Ingest/S3Drop/Function Serverless-LambdaLatestVersion',
        'Ingest/S3Drop/Role AwsSolutions-IAM5[Resource::*]',
        'Ingest/S3Drop/Role AwsSolutions-IAM5[Resource::<Arn>/audit/digests/*]',
        'Ingest/S3Drop/Role AwsSolutions-IAM5[Resource::<Arn>/incoming/*]',
        'Ingest/S3Drop/Role AwsSolutions-IAM5[Resource::<Arn>/ingest-reports/*]',
        'Ingest/Webhook/Function AwsSolutions-L1',
        'Ingest/Webhook/Function Serverless-LambdaDLQ',
        'Ingest/Webhook/Function Serverless-LambdaLatestVersion',
        'Ingest/Webhook/Role AwsSolutions-IAM5[Resource::*]',
        'Ingest/Webhook/Role AwsSolutions-IAM5[Resource::<Arn>/audit/digests/*]',
        'Ingest/WmsWebhookSecret AwsSolutions-SMG4',
        ...['ListPartitions', 'ReconcilePartition', 'RunsApi', 'SummarizeRun', 'FailRun'].flatMap((fn) => [
          `Runs/${fn}/Function AwsSolutions-L1`,
          `Runs/${fn}/Function Serverless-LambdaDLQ`,
          `Runs/${fn}/Function Serverless-LambdaLatestVersion`,
          `Runs/${fn}/Role AwsSolutions-IAM5[Resource::*]`,
          ...(fn === 'ListPartitions'
            ? ['Runs/ListPartitions/Role AwsSolutions-IAM5[Resource::<Arn>/runs/*]']
            : []),
          ...(fn === 'ReconcilePartition'
            ? [
                // The digests of the case events it appends (issue 16).
                'Runs/ReconcilePartition/Role AwsSolutions-IAM5[Resource::<Arn>/audit/digests/*]',
              ]
            : []),
          // Report objects: written by SummarizeRun, read (presigned links) by the runs API.
          ...(fn === 'RunsApi' || fn === 'SummarizeRun'
            ? [`Runs/${fn}/Role AwsSolutions-IAM5[Resource::<Arn>/reports/*]`]
            : []),
        ]),
        // Alerts (issue 7): the two functions, their queues, and CDK's deploy-time BucketDeployment handler
        // that copies config/alerts.yaml into the data bucket.
        ...['NotifyRun', 'DeliverChat'].flatMap((fn) => [
          `Notify/${fn}/Function AwsSolutions-L1`,
          `Notify/${fn}/Function Serverless-LambdaDLQ`,
          `Notify/${fn}/Function Serverless-LambdaLatestVersion`,
          `Notify/${fn}/Role AwsSolutions-IAM5[Resource::*]`,
        ]),
        'Notify/DeliverChat/Function/SqsEventSource:StocktallydevNotifyChatQueue7FF3B2D1 Serverless-LambdaEventSourceMappingDestination',
        'Notify/ChatDeadLetters Serverless-SQSRedrivePolicy',
        'Notify/SubscriptionDeadLetters AwsSolutions-SQS3',
        'Notify/SubscriptionDeadLetters Serverless-SQSRedrivePolicy',
        'Periods/PeriodsApi/Function AwsSolutions-L1',
        'Periods/PeriodsApi/Function Serverless-LambdaDLQ',
        'Periods/PeriodsApi/Function Serverless-LambdaLatestVersion',
        'Periods/PeriodsApi/Role AwsSolutions-IAM5[Resource::*]',
        ...[
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
            (action) => `AwsSolutions-IAM5[Action::${action}]`,
          ),
          'AwsSolutions-IAM5[Resource::<Arn>/*]',
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
          'AwsSolutions-L1',
          'Serverless-LambdaDLQ',
          'Serverless-LambdaLatestVersion',
          'Serverless-LambdaTracing',
        ].flatMap((id) =>
          // CDK's deployment handler: one for config/alerts.yaml, one with 512 MiB for the dashboard's files.
          ['', '512MiB'].map(
            (memory) => `Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C${memory} ${id}`,
          ),
        ),
        // The dashboard's deployment also invalidates the distribution (no resource-level permission).
        'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB AwsSolutions-IAM5[Resource::*]',
        // The dashboard's distribution on CloudFront's default certificate (issue 9; reasons in lib/stacks/web.ts).
        ...['CFR1', 'CFR2', 'CFR4'].map((rule) => `Web/Distribution AwsSolutions-${rule}`),
        // GET /v1/vouchers (CONTRACT §9): the defaults of a function API Gateway invokes.
        'Vouchers/VouchersApi/Function AwsSolutions-L1',
        'Vouchers/VouchersApi/Function Serverless-LambdaDLQ',
        'Vouchers/VouchersApi/Function Serverless-LambdaLatestVersion',
        'Vouchers/VouchersApi/Role AwsSolutions-IAM5[Resource::*]',
        'Runs/Schedules/DeadLetters AwsSolutions-SQS3',
        'Runs/Schedules/DeadLetters Serverless-SQSRedrivePolicy',
        'Runs/SummarizeRun/Role AwsSolutions-IAM5[Resource::<Arn>/runs/*]',
        ...['/Partitions:*', ':*'].map(
          (tail) =>
            'Runs/Workflow/StateMachine/DistributedMapPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:' +
            '<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":' +
            `"RunsWorkflowStateMachine77AE2518"}]}]}${tail}]`,
        ),
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::*]',
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>/runs/*]',
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>/runs/map-results/*]',
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>:*]',
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>:*]',
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>:*]',
        // Notify's function (issue 7).
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>:*]',
        // FailRun, the Catch of ListPartitions and SummarizeRun.
        'Runs/Workflow/StateMachine/Role AwsSolutions-IAM5[Resource::<Arn>:*]',
      ].sort(),
    );
  });
});
