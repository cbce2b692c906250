import { CostTable, loadCostsCsv } from '../../core/records/costs.js';
import { loadUomCsv, UomTable } from '../../core/records/uom.js';
import type { RunTables } from '../../core/records/run-tables.js';

export type { RunTables } from '../../core/records/run-tables.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { BUCKET } from '../../declarations/tables.js';
import { MAX_TABLE_BYTES } from '../../core/records/record-limits.js';
import type { ObjectStore } from '../aws/object-store.js';

/**
 * The unit and cost tables a run reconciles with: tables/uom.csv and tables/costs.csv, the latest
 * accepted drops (empty tables when none was dropped). Their rejected rows were reported by the
 * drop's ingest report already, so they are not reported again per partition. Loaded once per run
 * in a container: every partition of a run sees the same tables.
 */

const decoder = new TextDecoder('utf-8');

async function tableText(objects: ObjectStore, bucket: string, name: string): Promise<string | undefined> {
  const key = `${BUCKET.tablesPrefix}${name}`;
  const etag = await objects.etagOf(bucket, key);
  if (etag === undefined) return undefined;
  const bytes = await objects.smallBytes({ bucket, key, etag }, MAX_TABLE_BYTES);
  return bytes === undefined || bytes === 'too-big' ? undefined : decoder.decode(bytes);
}

let cached: { runId: string; tables: Promise<RunTables> } | undefined;

export async function loadRunTables(
  objects: ObjectStore,
  bucket: string,
  zone: ZoneClock,
): Promise<RunTables> {
  const [uom, costs] = await Promise.all([
    tableText(objects, bucket, 'uom.csv'),
    tableText(objects, bucket, 'costs.csv'),
  ]);
  return {
    uom: uom === undefined ? new UomTable() : loadUomCsv(uom, 'uom.csv').table,
    costs: costs === undefined ? new CostTable() : loadCostsCsv(costs, 'costs.csv', zone).table,
  };
}

export function runTables(runId: string, load: () => Promise<RunTables>): Promise<RunTables> {
  if (cached?.runId !== runId) {
    const tables = load();
    cached = { runId, tables };
    // A failed load is not kept: the retry of the task loads again.
    tables.catch(() => {
      if (cached?.tables === tables) cached = undefined;
    });
  }
  return cached.tables;
}
