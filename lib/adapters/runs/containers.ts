import { DEFAULT_SETTINGS, type Settings } from '../../core/reconcile/settings.js';
import type { RunWork } from '../../core/runs/ports.js';
import { RUNS_TABLE } from '../../declarations/tables.js';
import { RUN_STATE_MACHINE_ARN_ENV } from '../../declarations/runs.js';
import { dynamoClient } from '../aws/aws-clients.js';
import { currentTime } from '../aws/clock.js';
import { telemetry } from '../aws/telemetry.js';
import { caseStore, workflowConfig } from '../cases/containers.js';
import { config, requiredEnv } from '../aws/env.js';
import { dirtyMarks, objectStore, recordStore } from '../ingest/containers.js';

export { dirtyMarks };
import { reconcileRules } from './reconcile-rules.js';
import { runStarter } from './run-starter.js';
import { loadRunTables, runTables, type RunTables } from './run-tables.js';
import { RunStore } from './run-store.js';
import { LiveView } from './live-view.js';
import { LagDeadlines } from './lag-deadlines.js';
import { periodStore } from '../periods/containers.js';
import { SettingsSource } from './settings-source.js';

/**
 * The run functions' configuration and stores, one of each per container, made on first use (the
 * local pipeline sets the stand-ins' endpoints before). Missing variables fail with their name.
 */
export const runConfig = {
  runsTable: (): string => requiredEnv(RUNS_TABLE.env),
  stateMachineArn: (): string => requiredEnv(RUN_STATE_MACHINE_ARN_ENV),
  /**
   * The contract's default settings at `asOf` in the configured time zone (GET /v1/vouchers); a run
   * uses those it recorded from config/settings.yaml (`runWork.settings`).
   */
  settings: (asOf: string): Settings => ({
    ...DEFAULT_SETTINGS,
    asOf: Date.parse(asOf),
    timeZone: config.zone().timeZone,
  }),
};

let runs: RunStore | undefined;
let settingsSource: SettingsSource | undefined;

/** config/settings.yaml in the data bucket, else its bundled default (lib/adapters/runs/settings-source.ts). */
export function runSettings(): SettingsSource {
  return (settingsSource ??= new SettingsSource({
    objects: objectStore(),
    bucket: () => config.bucket(),
    timeZone: () => config.zone().timeZone,
  }));
}

export function runStore(): RunStore {
  return (runs ??= new RunStore({ client: dynamoClient(), tableName: runConfig.runsTable() }));
}

export function tablesOfRun(runId: string): Promise<RunTables> {
  return runTables(runId, () => loadRunTables(objectStore(), config.bucket(), config.zone()));
}

/**
 * What the run use cases (lib/app/runs) are given: each store and setting read when first asked
 * for, so a route that needs only the run store does not need the others' configuration.
 */
let live: LiveView | undefined;
let deadlines: LagDeadlines | undefined;

export const runWork: RunWork = {
  get runs() {
    return runStore();
  },
  get dirty() {
    return dirtyMarks();
  },
  get records() {
    return recordStore();
  },
  get cases() {
    return caseStore();
  },
  get starter() {
    return runStarter();
  },
  get live() {
    return (live ??= new LiveView(dynamoClient(), runConfig.runsTable()));
  },
  get periods() {
    return periodStore();
  },
  get deadlines() {
    return (deadlines ??= new LagDeadlines(dynamoClient(), config.recordsTable()));
  },
  telemetry,
  putJson: (key, value) => objectStore().putJson(config.bucket(), key, value),
  partitions: () => config.partitions(),
  zone: () => config.zone(),
  settings: () => runSettings().current(),
  now: currentTime,
  tables: tablesOfRun,
  workflow: () => workflowConfig().current(),
  rules: reconcileRules,
};
