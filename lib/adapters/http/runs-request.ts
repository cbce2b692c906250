import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { KINDS, SEVERITIES } from '../../core/reconcile/discrepancy.js';
import { groupOfKey } from '../../core/records/group-key.js';
import {
  AGE_BUCKETS,
  LIFECYCLE_STATES,
  RunIdSchema,
  RunRequestSchema,
  type RunRequest,
} from '../../core/runs/run-events.js';
import { REPORT_FORMATS, REPORT_LINK, type ReportFormatName } from '../runs/report-keys.js';
import { DISCREPANCY_SORTS, type DiscrepancyFilter, type DiscrepancySort } from '../runs/run-store.js';
import { ConfigurationError, RouteNotFoundError } from '../../errors/common.js';
import { InvalidRequestError, RunNotFoundError } from '../../errors/runs.js';

/**
 * The edge of the runs API (CONTRACT §4): which route a request is for and its validated input.
 * Each refusal is an error of the hierarchy whose message names the field.
 */
export type RunsRequest =
  | { route: 'start'; body: RunRequest }
  | { route: 'list'; cursor?: string; limit: number }
  | { route: 'get'; runId: string }
  | { route: 'heatmap'; runId: string }
  | { route: 'discrepancy'; runId: string; groupKey: string }
  | {
      route: 'discrepancies';
      runId: string;
      filter: DiscrepancyFilter;
      cursor?: string;
      limit: number;
      sort: DiscrepancySort;
    }
  | { route: 'report'; runId: string; format: ReportFormatName; expiresIn: number; redirect: boolean };

export function problem(error: z.ZodError, what: string): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : what}: ${issue.message}`)
    .join('; ');
}

/** `a,b` or `a` into a list; an empty value is no filter. */
const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(values)))
    .optional();

const QuerySchema = z.object({
  kind: list(KINDS),
  severity: list(SEVERITIES),
  state: list(LIFECYCLE_STATES),
  warehouseId: z.string().optional(),
  age: list(AGE_BUCKETS),
  sort: z.enum(DISCREPANCY_SORTS).default('document'),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const RunListQuerySchema = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

const linkSeconds = z.coerce.number().int().min(1).max(REPORT_LINK.maxSeconds);

/** The link lifetime when the request names none: STOCKTALLY_REPORT_LINK_SECONDS, else 1 hour. */
function defaultLinkSeconds(): number {
  const text = process.env[REPORT_LINK.env];
  if (text === undefined || text.trim() === '') return REPORT_LINK.defaultSeconds;
  const parsed = linkSeconds.safeParse(text);
  if (!parsed.success) throw new ConfigurationError(`${REPORT_LINK.env}: ${problem(parsed.error, 'value')}`);
  return parsed.data;
}

const ReportQuerySchema = z.object({
  format: z.enum(REPORT_FORMATS).default('pdf'),
  expiresIn: linkSeconds.optional(),
  // `false`: 200 { url } instead of the 302, for a browser that sends its token in a header.
  redirect: z.enum(['true', 'false']).default('true'),
});

function body(event: APIGatewayProxyEventV2): RunRequest {
  const text = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new InvalidRequestError('body: not JSON; send { "mode": "continuous" | "close", ... }');
  }
  const parsed = RunRequestSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'body'));
  return parsed.data;
}

function runIdOf(event: APIGatewayProxyEventV2, encoded: string | undefined): string {
  const runId = event.pathParameters?.runId ?? (encoded === undefined ? '' : decodeURIComponent(encoded));
  if (!RunIdSchema.safeParse(runId).success) throw new RunNotFoundError(`no run ${runId}`);
  return runId;
}

export function readRunsRequest(event: APIGatewayProxyEventV2): RunsRequest {
  const method = event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0];
  const path = event.rawPath.replace(/\/+$/, '');
  const match = /^\/v1\/runs(?:\/([^/]+)(\/discrepancies|\/report|\/heatmap)?)?$/.exec(path);
  const one = /^\/v1\/runs\/([^/]+)\/discrepancies\/([^/]+)$/.exec(path);
  if (one !== null && method === 'GET') {
    const runId = runIdOf(event, one[1]);
    const groupKey = event.pathParameters?.groupKey ?? decodeURIComponent(one[2] ?? '');
    if (groupOfKey(groupKey) === undefined)
      throw new RunNotFoundError(`no discrepancy ${groupKey} in run ${runId}`);
    return { route: 'discrepancy', runId, groupKey };
  }
  const nonEmpty = Object.entries(event.queryStringParameters ?? {}).filter(
    ([, v]) => v !== undefined && v !== '',
  );
  if (match !== null && method === 'POST' && match[1] === undefined)
    return { route: 'start', body: body(event) };
  if (match !== null && method === 'GET' && match[1] === undefined) {
    const query = RunListQuerySchema.safeParse(Object.fromEntries(nonEmpty));
    if (!query.success) throw new InvalidRequestError(problem(query.error, 'query'));
    const { cursor, limit } = query.data;
    return { route: 'list', ...(cursor === undefined ? {} : { cursor }), limit };
  }
  if (match !== null && method === 'GET' && match[1] !== undefined) {
    const runId = runIdOf(event, match[1]);
    if (match[2] === undefined) return { route: 'get', runId };
    if (match[2] === '/heatmap') return { route: 'heatmap', runId };
    if (match[2] === '/report') {
      const report = ReportQuerySchema.safeParse(Object.fromEntries(nonEmpty));
      if (!report.success) throw new InvalidRequestError(problem(report.error, 'query'));
      const { format, expiresIn, redirect } = report.data;
      return {
        route: 'report',
        runId,
        format,
        expiresIn: expiresIn ?? defaultLinkSeconds(),
        redirect: redirect === 'true',
      };
    }
    const query = QuerySchema.safeParse(Object.fromEntries(nonEmpty));
    if (!query.success) throw new InvalidRequestError(problem(query.error, 'query'));
    const { kind, severity, state, warehouseId, age, sort, cursor, limit } = query.data;
    return {
      route: 'discrepancies',
      runId,
      filter: {
        ...(kind === undefined ? {} : { kinds: kind }),
        ...(severity === undefined ? {} : { severities: severity }),
        ...(state === undefined ? {} : { states: state }),
        ...(warehouseId === undefined ? {} : { warehouseId }),
        ...(age === undefined ? {} : { ageBuckets: age }),
      },
      ...(cursor === undefined ? {} : { cursor }),
      limit,
      sort,
    };
  }
  throw new RouteNotFoundError(`no route for ${method ?? '?'} ${event.rawPath}`);
}
