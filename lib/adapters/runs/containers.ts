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
import { periodStore } from '../periods/containers.js';

/**
 * The run functions' configuration and stores, one of each per container, made on first use (the
 * local pipeline sets the stand-ins' endpoints before). Missing variables fail with their name.
 */
export const runConfig = {
  runsTable: (): string => requiredEnv(RUNS_TABLE.env),
  stateMachineArn: (): string => requiredEnv(RUN_STATE_MACHINE_ARN_ENV),
  /** The settings of a run at `asOf`: the contract's defaults in the configured time zone. */
  settings: (asOf: string): Settings => ({
    ...DEFAULT_SETTINGS,
    asOf: Date.parse(asOf),
    timeZone: config.zone().timeZone,
  }),
};

let runs: RunStore | undefined;

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
  telemetry,
  putJson: (key, value) => objectStore().putJson(config.bucket(), key, value),
  partitions: () => config.partitions(),
  zone: () => config.zone(),
  settings: runConfig.settings,
  now: currentTime,
  tables: tablesOfRun,
  workflow: () => workflowConfig().current(),
  rules: reconcileRules,
};
