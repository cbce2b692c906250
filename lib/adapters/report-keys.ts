import type { RunRecord } from '../core/run-events.js';
import { BUCKET } from '../declarations.js';

/**
 * Where a run's rendered report lives in the data bucket (`reports/<runId>/report.<format>`) and how
 * the run record lists it: GET /v1/runs/{runId} shows `reports: { pdf, xlsx, csv }` once rendered.
 */
export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

export type ReportKeys = Record<ReportFormatName, string>;

/** A run record as stored: the core record plus the report keys once the report is rendered. */
export type ReportedRun = RunRecord & { reports?: ReportKeys };

export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormatName, string>> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

export function reportKey(runId: string, format: ReportFormatName): string {
  return `${BUCKET.reportsPrefix}${runId}/report.${format}`;
}

export function reportKeys(runId: string): ReportKeys {
  return { pdf: reportKey(runId, 'pdf'), xlsx: reportKey(runId, 'xlsx'), csv: reportKey(runId, 'csv') };
}

/** Seconds a presigned report link stays valid: 1 hour unless configured, at most 7 days (SigV4). */
export const REPORT_LINK = {
  env: 'STOCKTALLY_REPORT_LINK_SECONDS',
  defaultSeconds: 3600,
  maxSeconds: 604_800,
};
