import { BUCKET, ENV } from '../../declarations/tables.js';
import { AlertConfigStore } from './alert-config-store.js';
import { AlertStateStore } from './alert-state-store.js';
import { dynamoClient, s3Client } from '../aws/aws-clients.js';
import { config, optionalEnv, requiredEnv } from '../aws/env.js';
import type { AlertWork } from '../../core/alerts/ports.js';
import { currentTime } from '../aws/clock.js';
import { telemetry } from '../aws/telemetry.js';
import { caseStore } from '../cases/containers.js';
import { runConfig, runStore } from '../runs/containers.js';
import { alertPublisher } from './alert-publisher.js';

/**
 * The notify function's configuration and stores, one of each per container, made on first use
 * (the local pipeline sets the stand-ins' endpoints before). Missing variables fail with their name.
 */
let state: AlertStateStore | undefined;
let routing: AlertConfigStore | undefined;

export function alertStateStore(): AlertStateStore {
  return (state ??= new AlertStateStore({ client: dynamoClient(), tableName: runConfig.runsTable() }));
}

export function alertConfigStore(): AlertConfigStore {
  return (routing ??= new AlertConfigStore(s3Client(), config.bucket, BUCKET.alertConfigKey));
}

/**
 * The run's report as a link. With a dashboard, its page of the run's discrepancies, which offers the
 * PDF, XLSX and CSV once signed in: the API route needs a token a chat reader's browser does not send.
 * Without one (locally), the runs API's report route (CONTRACT §4).
 */
export function reportUrl(runId: string): string {
  const dashboard = optionalEnv(ENV.dashboardUrl)?.replace(/\/+$/, '');
  if (dashboard !== undefined && dashboard !== '') {
    return `${dashboard}/#/list?run=${encodeURIComponent(runId)}`;
  }
  const api = requiredEnv(ENV.apiUrl).replace(/\/+$/, '');
  return `${api}/v1/runs/${encodeURIComponent(runId)}/report?format=pdf`;
}

/** What the Notify task's use case (lib/app/alerts/notify-run.ts) is given, each made on first use. */
export const alertWork: AlertWork = {
  get runs() {
    return runStore();
  },
  get cases() {
    return caseStore();
  },
  get state() {
    return alertStateStore();
  },
  get publisher() {
    return alertPublisher();
  },
  telemetry,
  routing: () => alertConfigStore().load(),
  reportUrl,
  partitions: () => config.partitions(),
  zone: () => config.zone(),
  now: currentTime,
};

/** Forgets the stores and the cached configuration (tests that change the environment). */
export function resetAlertStores(): void {
  state = undefined;
  routing = undefined;
}
