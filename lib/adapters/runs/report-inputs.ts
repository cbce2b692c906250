import type { IngestReport } from '../../core/ingest/drop.js';
import type { RunRecord } from '../../core/runs/run-events.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { isPeriod, previousPeriod } from '../../core/shared/period.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { foldDeliveries, type DeliveryWindow } from '../../core/report/report-inputs.js';
import type { PeriodFigures, SourceInput } from '../../core/report/report-model.js';
import { WEBHOOK_REPORT_PREFIX } from '../ingest/webhook-reports.js';
import { BUCKET } from '../../declarations/tables.js';
import type { ObjectStore } from '../aws/object-store.js';
import type { RunStore } from './run-store.js';

/**
 * What a run's report needs beyond the run: the deliveries it could have read (the data-sources
 * table and the rows rejected at ingest, from `ingest-reports/`), and the previous period's close
 * (its figures beside this period's).
 */

/** An ingest report larger than this is left out (a drop whose every row was rejected, say). */
const MAX_REPORT_BYTES = 8 * 1024 * 1024;

/** `ingest-reports/webhook/wms/20261102T000000Z-<id>.json` -> its instant, to skip without reading. */
function webhookInstant(key: string): number | undefined {
  const m = /\/(\d{8}T\d{6}Z)-[^/]*\.json$/.exec(key);
  if (m === null || m[1] === undefined) return undefined;
  const t = m[1];
  return Date.parse(
    `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`,
  );
}

function isIngestReport(value: unknown): value is IngestReport {
  const r = value as Partial<IngestReport> | null;
  return (
    r !== null &&
    typeof r === 'object' &&
    typeof r.key === 'string' &&
    typeof r.finishedAt === 'string' &&
    typeof r.rows === 'number' &&
    typeof r.accepted === 'number' &&
    Array.isArray(r.rejected)
  );
}

/** The deliveries received from the start of the report's period up to the run's start. */
export function deliveryWindow(
  period: string,
  run: Pick<RunRecord, 'startedAt'>,
  zone: ZoneClock,
): DeliveryWindow {
  return { from: new Date(zone.periodBounds(period).start).toISOString(), to: run.startedAt };
}

export async function deliveriesOf(
  objects: ObjectStore,
  bucket: string,
  window: DeliveryWindow,
): Promise<ReturnType<typeof foldDeliveries>> {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const keys: string[] = [];
  for await (const key of objects.listKeys(bucket, BUCKET.ingestReportPrefix)) {
    if (key.startsWith(WEBHOOK_REPORT_PREFIX)) {
      // A webhook answer's key carries its time: outside the window (a day's slack) it is not read.
      const at = webhookInstant(key);
      if (at !== undefined && (at < from - 86_400_000 || at > to + 86_400_000)) continue;
    }
    keys.push(key);
  }
  const read = await mapInFlight(keys, 16, (key) => objects.readJson(bucket, key, MAX_REPORT_BYTES));
  return foldDeliveries(read.filter(isIngestReport), window);
}

/** The previous period's latest close that finished with a summary, as the comparison reads it. */
export async function previousClose(runs: RunStore, period: string): Promise<PeriodFigures | null> {
  if (!isPeriod(period)) return null;
  const wanted = previousPeriod(period);
  let cursor: string | undefined;
  // Runs come most recent first; a year of runs every quarter hour is about 35,000: bounded.
  for (let pages = 0; pages < 400; pages++) {
    const page = await runs.listRuns({ cursor, limit: 100 });
    for (const run of page.items) {
      if (run.mode !== 'close' || run.period !== wanted || run.summary === null) continue;
      if (run.status !== 'SUCCEEDED' && run.status !== 'PARTIAL') continue;
      const s = run.summary;
      return {
        period: wanted,
        runId: run.runId,
        asOf: run.asOf,
        groupsSeen: s.groupsSeen,
        groupsMatched: s.groupsMatched,
        matchRate: s.matchRate,
        discrepancies: s.discrepancies,
        bySeverity: s.bySeverity,
        moneyAtStake: s.moneyAtStake,
      };
    }
    if (page.cursor === null) break;
    cursor = page.cursor;
  }
  return null;
}

export type { SourceInput };
