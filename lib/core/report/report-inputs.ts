import type { IngestReport } from '../ingest/drop.js';
import type { RunRejection } from '../runs/run-events.js';
import type { SourceInput } from './report-model.js';

/**
 * The data-sources table of a pipeline run's report and its rejected rows, from what ingest stored:
 * each S3 drop's report (`ingest-reports/incoming/...`) and each webhook delivery's
 * (`ingest-reports/webhook/<source>/...`). The deliveries that count are those received from the
 * start of the report's period up to the run's start: the records the run could have read. A drop
 * is one line (its file); the webhook deliveries of a source fold into one line, with their count.
 */
export interface DeliveryWindow {
  /** ISO instants, both inclusive: a delivery stamped the run's very instant came before it. */
  from: string;
  to: string;
}

/** Whether a delivery was received inside the window (by when its ingest finished). */
export function inWindow(report: Pick<IngestReport, 'finishedAt'>, window: DeliveryWindow): boolean {
  const at = Date.parse(report.finishedAt);
  return !Number.isNaN(at) && at >= Date.parse(window.from) && at <= Date.parse(window.to);
}

/** A webhook delivery's report key says so: `webhook/<request id>`. */
export const isWebhookDelivery = (report: Pick<IngestReport, 'key'>): boolean =>
  report.key.startsWith('webhook/');

export function foldDeliveries(
  reports: Iterable<IngestReport>,
  window: DeliveryWindow,
): { sources: SourceInput[]; rejected: RunRejection[] } {
  const sources: SourceInput[] = [];
  const webhooks = new Map<string, SourceInput & { deliveries: number }>();
  const rejected: RunRejection[] = [];
  for (const report of reports) {
    if (!inWindow(report, window)) continue;
    const source = report.source ?? 'unknown';
    for (const r of report.rejected) rejected.push({ ...r, source });
    if (!isWebhookDelivery(report)) {
      sources.push({
        source,
        file: report.key,
        rows: report.rows,
        accepted: report.accepted,
        rejected: report.rejected.length,
        duplicates: report.duplicates,
      });
      continue;
    }
    const line = webhooks.get(source) ?? {
      source,
      file: 'webhook',
      rows: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      deliveries: 0,
    };
    line.deliveries++;
    line.rows += report.rows;
    line.accepted = (line.accepted ?? 0) + report.accepted;
    line.rejected += report.rejected.length;
    line.duplicates = (line.duplicates ?? 0) + report.duplicates;
    webhooks.set(source, line);
  }
  rejected.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { sources: [...sources, ...webhooks.values()], rejected };
}
