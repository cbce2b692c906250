import { DEFAULT_SETTINGS, type Settings } from '../../core/reconcile/settings.js';
import { RUNS_TABLE } from '../../declarations/tables.js';
import { RUN_STATE_MACHINE_ARN_ENV } from '../../declarations/runs.js';
import { dynamoClient } from '../aws/aws-clients.js';
import { DirtyMarks } from './dirty-marks.js';
import { config, requiredEnv } from '../aws/env.js';
import { objectStore } from '../ingest/containers.js';
import { loadRunTables, runTables, type RunTables } from './run-tables.js';
import { RunStore } from './run-store.js';

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
let dirty: DirtyMarks | undefined;

export function runStore(): RunStore {
  return (runs ??= new RunStore({ client: dynamoClient(), tableName: runConfig.runsTable() }));
}

export function dirtyMarks(): DirtyMarks {
  return (dirty ??= new DirtyMarks(dynamoClient(), config.recordsTable()));
}

export function tablesOfRun(runId: string): Promise<RunTables> {
  return runTables(runId, () => loadRunTables(objectStore(), config.bucket(), config.zone()));
}
