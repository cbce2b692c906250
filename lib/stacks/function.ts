import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { BUCKET } from '../declarations/tables.js';
import type { DeclaredTable } from './data.js';
import { wildcardResourceFinding } from './nag-finding.js';
import { dataRemovalPolicy, logRetention, type Stage } from './stage.js';

/** The item actions the stores call (lib/adapters/*-store.ts); no transactions, no scans, no PartiQL. */
export type ItemAction =
  'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** Item actions on a table, held to the items whose partition key matches one of `leadingKeys`. */
export interface TableGrant {
  readonly actions: readonly ItemAction[];
  /** Partition key patterns (`run#*`, `dirty`): IAM's dynamodb:LeadingKeys. @default every item */
  readonly leadingKeys?: readonly string[];
}

export interface TableAccess {
  readonly items?: readonly TableGrant[];
  /** Indexes the function queries, by name (a grant on the table does not reach its indexes). */
  readonly indexes?: readonly string[];
}

export interface BucketAccess {
  /** Key prefixes (ending in `/`) whose objects the function reads. */
  readonly read?: readonly string[];
  /** Key prefixes (ending in `/`) the function writes objects under. */
  readonly write?: readonly string[];
  /** Key prefixes (ending in `/`) whose keys the function lists (ListBucket under that prefix only). */
  readonly list?: readonly string[];
  /** Exact keys whose objects the function reads. */
  readonly objects?: readonly string[];
  /** Exact keys the function writes. */
  readonly writeObjects?: readonly string[];
  /**
   * Exact keys the function reads that may be absent (a table nobody dropped yet, a configuration
   * nobody uploaded): read, and listed under exactly these keys, so that absent is a tested answer
   * rather than S3's 403 to a role that may not list (lib/adapters/aws/object-store.ts).
   */
  readonly optional?: readonly string[];
}

const READS: ReadonlySet<ItemAction> = new Set(['GetItem', 'BatchGetItem', 'Query']);

/**
 * Who invokes the function, and so where a failed invocation goes. Only an asynchronous invocation
 * (an S3 event) can reach a Lambda dead-letter queue; a synchronous caller gets the error itself.
 */
export type InvokedBy = 'api' | 'stateMachine' | 'queue' | 's3Event';

/** Why a synchronously invoked function has no dead-letter queue: where its failures go instead. */
const SYNCHRONOUS_FAILURES: Readonly<Record<Exclude<InvokedBy, 's3Event'>, string>> = {
  api: 'API Gateway invokes it synchronously and answers the caller with the error',
  stateMachine:
    'the run state machine invokes it synchronously (a LambdaInvoke task), retries it and catches what still fails',
  queue:
    'an SQS event source mapping invokes it synchronously; a failed message goes back to the queue and, past its receive count, to that queue’s own dead-letter queue',
};

export interface StocktallyFunctionProps {
  readonly stage: Stage;
  /** Decides whether a dead-letter queue could ever receive anything (only for 's3Event'). */
  readonly invokedBy: InvokedBy;
  /** The repository root; `entry` is relative to it. */
  readonly projectRoot: string;
  /** The handler module, from HANDLERS in lib/declarations/tables.ts. */
  readonly entry: string;
  /** @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 1024 MB (more memory is more CPU: parsing and hashing are CPU-bound) */
  readonly memorySize?: number;
  /** @default none: the function scales with the account's concurrency */
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Files (paths relative to projectRoot) copied beside the bundle, into /var/task: data the code
   * reads at run time that esbuild cannot bundle (the report fonts). @default none
   */
  readonly bundledFiles?: readonly string[];
}

/**
 * A Lambda function with our defaults: Node.js 22 on ARM64, an esbuild bundle (minified, source maps,
 * the AWS SDK inside it), X-Ray active tracing, its own log group with a retention, for an
 * asynchronously invoked function an encrypted SSL-only dead-letter queue, and a role that may only
 * write its own logs, traces and dead letters.
 * Everything else comes through the `bind*` helpers, which set the environment variable and the
 * least-privilege grant together so that one is never there without the other.
 */
export class StocktallyFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Only for an asynchronously invoked function: the events that failed Lambda's retries. */
  readonly deadLetterQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: StocktallyFunctionProps) {
    super(scope, id);
    const removalPolicy = dataRemovalPolicy(props.stage);

    // Our own role instead of the default one, which carries the AWS managed AWSLambdaBasicExecutionRole
    // (log group creation and writes on every log group of the account).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup = new LogGroup(this, 'Logs', { retention: logRetention(props.stage), removalPolicy });
    this.logGroup.grantWrite(this.role);

    if (props.invokedBy === 's3Event') {
      this.deadLetterQueue = new Queue(this, 'DeadLetters', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });
      Validations.of(this.deadLetterQueue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the dead-letter queue of the function: the end of the line for events that ' +
          'failed every retry, kept 14 days for inspection and replay. A queue behind it would only move them.',
      });
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(props.projectRoot, props.entry),
      handler: props.handler ?? 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      ...(this.deadLetterQueue === undefined ? {} : { deadLetterQueue: this.deadLetterQueue }),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // Stack traces through the bundle's source maps point at the TypeScript file and line.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces map to file:line without shipping the sources themselves.
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // The AWS SDK goes into the bundle at the version package-lock.json pins and the tests run
        // against, not the older one the nodejs22.x runtime carries.
        externalModules: [],
        // CommonJS dependencies bundled into ESM may still call require().
        banner:
          "import { createRequire as stocktallyCreateRequire } from 'node:module'; " +
          'const require = stocktallyCreateRequire(import.meta.url);',
        logLevel: LogLevel.WARNING,
        ...(props.bundledFiles === undefined || props.bundledFiles.length === 0
          ? {}
          : {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.bundledFiles ?? []).map((file) => `cp "${inputDir}/${file}" "${outputDir}/"`),
              },
            }),
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html).',
    });
    if (props.invokedBy !== 's3Event') {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          `A Lambda dead-letter queue receives only failed asynchronous invocations, and this function has ` +
          `none: ${SYNCHRONOUS_FAILURES[props.invokedBy]}. A queue here could never receive anything.`,
      });
    }
    for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      Validations.of(this.fn).acknowledge({
        id,
        reason:
          'nodejs22.x (Node 22 LTS, supported by Lambda into 2027) is the runtime the handlers are built for ' +
          '(esbuild target node22) and tested on; nodejs24.x comes as its own change once they are tested on it.',
      });
    }
  }

  /**
   * Sets the table's environment variable and grants exactly `access`: the item actions the
   * function's code calls, on the partition keys it touches, and a Query on the indexes it reads.
   */
  bindTable({ declaration, table }: DeclaredTable, access: TableAccess): this {
    this.fn.addEnvironment(declaration.env, table.tableName);
    let writes = false;
    for (const grant of access.items ?? []) {
      if (grant.actions.length === 0) continue;
      writes ||= grant.actions.some((a) => !READS.has(a));
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: grant.actions.map((a) => `dynamodb:${a}`),
          resources: [table.tableArn],
          ...(grant.leadingKeys === undefined
            ? {}
            : {
                conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.leadingKeys] } },
              }),
        }),
      );
    }
    const indexes = access.indexes ?? [];
    for (const index of indexes) {
      if (!declaration.indexes.some((i) => i.name === index)) {
        throw new Error(`table ${declaration.id} has no index ${index}`);
      }
    }
    if (indexes.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    if (table.encryptionKey) {
      if (writes) table.encryptionKey.grantEncryptDecrypt(this.role);
      else table.encryptionKey.grantDecrypt(this.role);
    }
    return this;
  }

  /**
   * Sets the bucket's environment variable and grants object reads and writes under the given key
   * prefixes or of the given keys only: listing only of the optional keys, no other prefixes, no
   * bucket configuration.
   */
  bindBucket(bucket: IBucket, access: BucketAccess, env: string = BUCKET.env): this {
    this.fn.addEnvironment(env, bucket.bucketName);
    const grant = (prefixes: readonly string[], actions: string[], why: string) => {
      if (prefixes.length === 0) return;
      const resources = prefixes.map((prefix) => {
        if (!/^[^/*][^*]*\/$/.test(prefix))
          throw new Error(`a bucket grant needs a key prefix ending in /: ${prefix}`);
        return bucket.arnForObjects(`${prefix}*`);
      });
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
      for (const [i, resource] of resources.entries()) {
        Validations.of(this.role).acknowledge({
          id: wildcardResourceFinding(this, resource),
          reason: `Objects under ${prefixes[i]} only (${why}); their keys are not known until they arrive.`,
        });
      }
    };
    grant(access.read ?? [], ['s3:GetObject'], 'read');
    grant(access.write ?? [], ['s3:PutObject', 's3:AbortMultipartUpload'], 'write');
    const optional = access.optional ?? [];
    const objects = [...(access.objects ?? []), ...optional];
    for (const key of objects) {
      if (!/^[^/*][^*]*[^/*]$/.test(key)) throw new Error(`an object grant needs an exact key: ${key}`);
    }
    if (objects.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: objects.map((key) => bucket.arnForObjects(key)),
        }),
      );
    }
    const written = access.writeObjects ?? [];
    for (const key of written) {
      if (!/^[^/*][^*]*[^/*]$/.test(key)) throw new Error(`an object grant needs an exact key: ${key}`);
    }
    if (written.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: written.map((key) => bucket.arnForObjects(key)),
        }),
      );
    }
    const listed = access.list ?? [];
    for (const prefix of listed) {
      if (!/^[^/*][^*]*\/$/.test(prefix))
        throw new Error(`a list grant needs a key prefix ending in /: ${prefix}`);
    }
    if (listed.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': listed.map((p) => `${p}*`) } },
        }),
      );
    }
    if (optional.length > 0) {
      // Listing is what turns S3's 403 for a missing key into "absent": these keys only, nothing else.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringEquals: { 's3:prefix': [...optional] } },
        }),
      );
    }
    if (bucket.encryptionKey) {
      if (access.read?.length || objects.length) bucket.encryptionKey.grantDecrypt(this.role);
      if (access.write?.length || written.length) bucket.encryptionKey.grantEncrypt(this.role);
    }
    return this;
  }

  /** Sets `env` to the secret's ARN and grants reading that one secret. */
  bindSecret(secret: ISecret, env: string): this {
    this.fn.addEnvironment(env, secret.secretArn);
    secret.grantRead(this.role);
    return this;
  }

  withEnvironment(variables: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(variables)) this.fn.addEnvironment(name, value);
    return this;
  }
}
