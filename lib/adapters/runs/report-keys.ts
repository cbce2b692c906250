import type { RunRecord } from '../../core/runs/run-events.js';
import { BUCKET } from '../../declarations/tables.js';

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

/**
 * Seconds a presigned report link stays valid: 1 hour unless configured, at most 7 days (SigV4),
 * and never longer than the credentials that sign it (linkLifetime).
 */
export const REPORT_LINK = {
  env: 'STOCKTALLY_REPORT_LINK_SECONDS',
  defaultSeconds: 3600,
  maxSeconds: 604_800,
  /**
   * The longest link temporary credentials sign when they do not say when they expire. Lambda gives
   * a function its role's session credentials in environment variables without an expiry, and AWS
   * promises no lifetime for them; the dashboard asks for a fresh link at each click.
   */
  temporaryMaxSeconds: 3600,
  /** Kept short of the credentials' own expiry, for the clock skew between signer and S3. */
  expiryMarginSeconds: 60,
};

/** What a presigned URL's lifetime depends on of the credentials that sign it. */
export interface SigningCredentials {
  /** Present on temporary (role session) credentials. */
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/**
 * The lifetime a report link can honestly claim: S3 refuses a presigned URL once the credentials
 * that signed it expire, whatever X-Amz-Expires says. Long-term keys sign up to 7 days; temporary
 * credentials up to their remaining life (less a margin) when known, else temporaryMaxSeconds.
 */
export function linkLifetime(requested: number, credentials: SigningCredentials, now: Date): number {
  let cap = REPORT_LINK.maxSeconds;
  if (credentials.sessionToken !== undefined) {
    cap = REPORT_LINK.temporaryMaxSeconds;
    if (credentials.expiration !== undefined) {
      const left = Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000);
      cap = Math.min(cap, left - REPORT_LINK.expiryMarginSeconds);
    }
  }
  return Math.max(1, Math.min(requested, cap));
}
