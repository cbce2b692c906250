import type { WorkflowConfig } from '../cases/workflow-config.js';
import type { RecordSource } from '../records/record-sink.js';
import type { RunTables } from '../records/run-tables.js';
import type { Settings } from '../reconcile/settings.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/** What the vouchers of the stored movements are booked from (lib/app/vouchers), as a port. */
export interface VoucherSources {
  records: RecordSource;
  partitions: number;
  tables: RunTables;
  config: WorkflowConfig;
  zone: ZoneClock;
  settings: Settings;
  /** The group keys, among those given, that have a case. */
  casesOf(groupKeys: readonly string[]): Promise<ReadonlySet<string>>;
}
