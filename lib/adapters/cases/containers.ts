import { CASE_EVENTS_TABLE, CASES_TABLE } from '../../declarations/tables.js';
import { dynamoClient } from '../aws/aws-clients.js';
import { CaseStore } from './case-store.js';
import { digestLog } from '../ingest/digest-log-container.js';
import type { CaseWork } from '../../core/cases/ports.js';
import { config, requiredEnv } from '../aws/env.js';
import { dirtyMarks, objectStore } from '../ingest/containers.js';
import { currentTime } from '../aws/clock.js';
import { logger, telemetry } from '../aws/telemetry.js';
import { WorkflowConfigSource } from './workflow-config-source.js';

/** The case store and the workflow configuration, one of each per container, made on first use. */
let cases: CaseStore | undefined;
let workflow: WorkflowConfigSource | undefined;

export function caseStore(): CaseStore {
  return (cases ??= new CaseStore({
    client: dynamoClient(),
    casesTable: requiredEnv(CASES_TABLE.env),
    eventsTable: requiredEnv(CASE_EVENTS_TABLE.env),
    digests: digestLog(),
  }));
}

export function workflowConfig(): WorkflowConfigSource {
  return (workflow ??= new WorkflowConfigSource({
    objects: objectStore(),
    bucket: config.bucket,
    onInvalid: (reason) =>
      logger.error('the uploaded workflow configuration is invalid; the default applies', { reason }),
  }));
}

/** What the cases API's use cases (lib/app/cases/case-requests.ts) are given, each made on first use. */
export const caseWork: CaseWork = {
  get store() {
    return caseStore();
  },
  get dirty() {
    return dirtyMarks();
  },
  telemetry,
  workflow: () => workflowConfig().current(),
  partitions: () => config.partitions(),
  now: currentTime,
};
