import type { S3Client } from '@aws-sdk/client-s3';
import { join, resolve } from 'node:path';
import { setCallInterceptor } from '../../adapters/aws/aws-clients.js';
import { BUCKET } from '../../declarations/tables.js';
import { DATA_LAYOUT, lockDataDir } from './data-dir.js';
import {
  bootstrap,
  localDynamoClient,
  localS3Client,
  startDynamoProcess,
  startS3,
  type Embedded,
  type EmbeddedS3,
} from '../standins/embedded-aws.js';
import { caseRoutes, type CaseHandlers } from './case-functions.js';
import { startHttpFront, type HttpFront, type Route } from '../standins/http-front.js';
import { AccessDeniedError, PolicyEnforcer } from '../standins/iam/enforcer.js';
import { loadFunctionPoliciesFile, type FunctionPoliciesFile } from '../standins/iam/policies.js';
import { staticSite } from '../standins/static-site.js';
import { s3DropFunction, webhookRoutes, type IngestHandlers } from './ingest-functions.js';
import { applyLocalEnvironment } from '../standins/local-environment.js';
import { SILENT, type LocalLog } from '../standins/lambda-runtime.js';
import { localUsersRoute } from './local-users.js';
import { runRoutes, type RunHandlers } from './run-functions.js';
import { startLocalAlerts, type LocalAlertsWiring } from './local-alerts.js';
import { LocalRunStarter } from './run-starter-local.js';
import { startS3Trigger, type S3Trigger } from '../standins/s3-trigger.js';
import { voucherRoutes, type VoucherHandlers } from './voucher-functions.js';
import { periodRoutes, type PeriodHandlers } from './period-functions.js';
import { loadRunDefinitionFile, type AslDefinition } from '../standins/state-machine.js';

/**
 * The local pipeline behind `stocktally start` and the integration tests: dynalite and s3rver kept
 * in DIR, the tables and bucket of lib/declarations/tables.ts, the environment the handlers read, the HTTP
 * API on 127.0.0.1, the object-created trigger on incoming/ and (with `runs`) the run state machine
 * the CDK stack synthesizes, all wired to the real handlers.
 */
export interface PipelineOptions {
  dataDir: string;
  /** Port of the HTTP API; 0 picks a free one. */
  port: number;
  webhookSecret: string;
  token: string;
  /**
   * Loads the handlers once the environment is set: they read it at module scope. Tests pass small
   * handlers of their own; `stocktally start` passes the real ones.
   */
  loadHandlers: () => Promise<IngestHandlers>;
  /** Routes beyond the two webhooks and the runs routes (bearer-token routes). */
  extraRoutes?: (handlers: IngestHandlers) => Route[];
  /**
   * Reconcile runs (issue 5): the run state machine the CDK stack synthesizes, executed in this
   * process with its tasks bound to these handlers, and the runs routes. Without it the pipeline
   * ingests only.
   */
  runs?: RunsOptions;
  /** The exception workflow (issue 8): the cases routes, loaded once the environment is set. */
  cases?: { loadHandlers: () => Promise<CaseHandlers> };
  /** Vouchers for every movement (CONTRACT §9): GET /v1/vouchers, loaded once the environment is set. */
  vouchers?: { loadHandlers: () => Promise<VoucherHandlers> };
  /** Periods, closes and locks (CONTRACT §7): GET /v1/periods and the lock, loaded once the environment is set. */
  periods?: { loadHandlers: () => Promise<PeriodHandlers> };
  /**
   * A DynamoDB to use instead of the embedded dynalite (one in its own process, DynamoDB Local): its
   * tables are created where missing, and it is left running at stop.
   */
  dynamodbEndpoint?: string;
  /** The built dashboard (dist/web/) to serve at `/`, locally signed in with the token. */
  siteDir?: string;
  /** Delay before S3 retry n is n times this (default 1 s). */
  retryDelayMs?: number;
  /**
   * The IAM policies each function's calls are checked against, deny by default: by default the
   * stack's own, as the build extracted them (dist/function-policies.json).
   */
  policies?: FunctionPoliciesFile;
  log?: LocalLog;
}

export interface RunsOptions {
  /** Loads the run handlers once the environment is set, like loadHandlers. */
  loadHandlers: () => Promise<RunHandlers>;
  /** The definition to run; by default the one the build extracted from the stack (dist/). */
  definition?: AslDefinition;
  /** Waits before task retries in ms instead of the definition's backoff (tests). */
  retryIntervalMs?: number;
  /** The alert configuration document (issue 7); by default the repository's config/alerts.yaml. */
  alertConfigPath?: string;
}

export interface Pipeline {
  dataDir: string;
  api: string;
  s3: string;
  dynamodb: string;
  bucket: string;
  s3Client: S3Client;
  trigger: S3Trigger;
  /** The local run state machine, when the pipeline was started with `runs`. */
  runs?: LocalRunStarter;
  /** Alerts (with `runs`): the chat sink, the local publisher and the configuration in use. */
  alerts?: LocalAlertsWiring;
  /** The IAM check every function's calls go through: its counts and refusals. */
  iam: PolicyEnforcer;
  stop(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? SILENT;
  // Everything started is stopped again, newest first, whether start-up fails half-way or not.
  const undo: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        log.error(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  try {
    undo.push(lockDataDir(dataDir));
    const dynamo: Embedded =
      options.dynamodbEndpoint === undefined
        ? await startDynamoProcess({ path: join(dataDir, DATA_LAYOUT.dynamodb) })
        : { endpoint: options.dynamodbEndpoint, stop: async () => undefined };
    undo.push(() => dynamo.stop());
    const s3: EmbeddedS3 = await startS3({ directory: join(dataDir, DATA_LAYOUT.s3) });
    undo.push(() => s3.stop());
    undo.push(
      applyLocalEnvironment({
        dynamodb: dynamo.endpoint,
        s3: s3.endpoint,
        webhookSecret: options.webhookSecret,
        token: options.token,
        auditDir: join(dataDir, DATA_LAYOUT.audit),
      }),
    );
    // Every call a function makes is checked against its own policy in the stack before it is sent.
    const iam = new PolicyEnforcer(options.policies ?? loadFunctionPoliciesFile(), { log });
    setCallInterceptor(iam.interceptor());
    undo.push(() => setCallInterceptor(undefined));
    const refuse = (action: string, resource: string): void => {
      const verdict = iam.authorize([{ action, resource }]);
      if (!verdict.allowed) throw new AccessDeniedError(verdict);
    };
    const dynamoClient = localDynamoClient(dynamo.endpoint);
    const s3Client = localS3Client(s3.endpoint);
    undo.push(() => {
      dynamoClient.destroy();
      s3Client.destroy();
    });
    await bootstrap(dynamoClient, s3Client);
    const handlers = await options.loadHandlers();

    const trigger = startS3Trigger({
      events: s3.events,
      bucket: BUCKET.localName,
      prefix: BUCKET.incomingPrefix,
      fn: s3DropFunction(handlers),
      s3: s3Client,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      log,
    });
    undo.push(() => trigger.stop());

    // The run state machine synthesized by the CDK stack, run by aws-local-stepfunctions with its
    // Lambda tasks bound to the run handlers; the runs API starts runs through it.
    let runs: LocalRunStarter | undefined;
    let alerts: LocalAlertsWiring | undefined;
    let routesOfRuns: Route[] = [];
    if (options.runs !== undefined) {
      const runHandlers = await options.runs.loadHandlers();
      const starter = new LocalRunStarter({
        definition: options.runs.definition ?? loadRunDefinitionFile().definition,
        handlers: runHandlers,
        log,
        ...(options.runs.retryIntervalMs === undefined
          ? {}
          : { retryIntervalMs: options.runs.retryIntervalMs }),
        authorize: () => refuse('states:StartExecution', iam.policies.runStateMachine),
      });
      runHandlers.setRunStarter(starter);
      undo.push(async () => {
        // Runs under way finish against the stand-ins before they stop.
        await starter.settled();
        runHandlers.setRunStarter(undefined);
      });
      runs = starter;
      routesOfRuns = runRoutes(runHandlers);
      // Notify publishes through the local publisher to the chat sink (no SNS here).
      const wiring = await startLocalAlerts({
        s3: s3Client,
        bucket: BUCKET.localName,
        deliverChat: runHandlers.deliverChat,
        setAlertPublisher: runHandlers.setAlertPublisher,
        ...(options.runs.alertConfigPath === undefined ? {} : { configPath: options.runs.alertConfigPath }),
        authorize: (alert) => refuse('sns:Publish', iam.policies.alertTopics[alert.severity]),
        log,
      });
      // Undone right after the runs under way settle (the step before is theirs; undo runs newest
      // first), so their alerts reach the sink before it closes.
      undo.splice(undo.length - 1, 0, () => wiring.stop());
      alerts = wiring;
    }

    const routesOfCases = options.cases === undefined ? [] : caseRoutes(await options.cases.loadHandlers());
    const routesOfVouchers =
      options.vouchers === undefined ? [] : voucherRoutes(await options.vouchers.loadHandlers());
    const routesOfPeriods =
      options.periods === undefined ? [] : periodRoutes(await options.periods.loadHandlers());

    const front: HttpFront = await startHttpFront({
      routes: [
        ...webhookRoutes(handlers),
        ...routesOfRuns,
        ...routesOfCases,
        ...routesOfVouchers,
        ...routesOfPeriods,
        localUsersRoute(options.token),
        ...(options.extraRoutes?.(handlers) ?? []),
      ],
      token: options.token,
      port: options.port,
      log,
      ...(options.siteDir === undefined
        ? {}
        : { site: staticSite(options.siteDir, { mode: 'local', apiUrl: '' }) }),
    });
    undo.push(() => front.close());
    alerts?.useApi(front.url);

    return {
      dataDir,
      api: front.url,
      s3: s3.endpoint,
      dynamodb: dynamo.endpoint,
      bucket: BUCKET.localName,
      s3Client,
      trigger,
      ...(runs === undefined ? {} : { runs }),
      ...(alerts === undefined ? {} : { alerts }),
      iam,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
