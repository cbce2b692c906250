import type { VoucherSources } from '../../core/vouchers/ports.js';
import { currentTime } from '../aws/clock.js';
import { config } from '../aws/env.js';
import { caseStore, workflowConfig } from '../cases/containers.js';
import { objectStore, recordStore } from '../ingest/containers.js';
import { runConfig } from '../runs/containers.js';
import { loadRunTables } from '../runs/run-tables.js';

/** What the vouchers of the stored movements are booked with: the stores, the tables and the workflow's accounts, as of now. */
export async function voucherWork(): Promise<VoucherSources> {
  const zone = config.zone();
  const [tables, workflow] = await Promise.all([
    loadRunTables(objectStore(), config.bucket(), zone),
    workflowConfig().current(),
  ]);
  return {
    records: recordStore(),
    partitions: config.partitions(),
    tables,
    config: workflow.config,
    zone,
    settings: runConfig.settings(currentTime().toISOString()),
    casesOf: async (keys) => new Set((await caseStore().getCases(keys)).keys()),
  };
}
