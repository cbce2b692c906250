import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { CaseActionSchema, type CaseAction } from '../../core/cases/case-action.js';
import { groupKeyOf } from '../../core/cases/case-id.js';
import { CASE_STATES } from '../../core/cases/case-workflow.js';
import { KINDS, SEVERITIES } from '../../core/reconcile/discrepancy.js';
import { AGE_BUCKETS } from '../../core/runs/run-events.js';
import type { CaseFilter } from '../../core/cases/ports.js';
import { CaseNotFoundError } from '../../errors/cases.js';
import { RouteNotFoundError } from '../../errors/common.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { problem } from './runs-request.js';

/**
 * The edge of the cases API: which route a request is for and its validated input. Case ids are
 * the base64url of the group key (lib/core/cases/case-id.ts), so a path segment needs no decoding, in
 * the cloud or locally; an id that is not one is 404. Each refusal names its field.
 */
export type CasesRequest =
  | { route: 'list'; filter: CaseFilter; cursor?: string; limit: number }
  | { route: 'summary'; warehouseId?: string }
  | { route: 'get'; groupKey: string }
  | { route: 'act'; groupKey: string; action: CaseAction }
  | { route: 'trail'; groupKey: string }
  | { route: 'journal'; period: string; format: 'csv' | 'json' }
  | { route: 'closeCheck'; period: string };

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(values)))
    .optional();

const ListQuerySchema = z.strictObject({
  state: list(CASE_STATES),
  severity: list(SEVERITIES),
  kind: list(KINDS),
  age: list(AGE_BUCKETS),
  owner: z.string().min(1).optional(),
  warehouseId: z.string().min(1).optional(),
  period: z.string().regex(PERIOD, 'must be a month YYYY-MM').optional(),
  overdue: z.enum(['true', 'false']).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const SummaryQuerySchema = z.strictObject({
  warehouseId: z.string().min(1).optional(),
});

const JournalQuerySchema = z.strictObject({
  period: z.string().regex(PERIOD, 'must be a month YYYY-MM'),
  format: z.enum(['csv', 'json']).default('json'),
});

function query(event: APIGatewayProxyEventV2): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event.queryStringParameters ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

function groupKeyFrom(event: APIGatewayProxyEventV2, segment: string): string {
  const caseId = event.pathParameters?.caseId ?? segment;
  const groupKey = groupKeyOf(caseId);
  if (groupKey === undefined) throw new CaseNotFoundError(`no case ${caseId}`);
  return groupKey;
}

function actionOf(event: APIGatewayProxyEventV2): CaseAction {
  const text = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      'body: not JSON; send { "type": "comment", "text": "..." } or another action',
    );
  }
  const parsed = CaseActionSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'body'));
  return parsed.data;
}

export function readCasesRequest(event: APIGatewayProxyEventV2): CasesRequest {
  const method = event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0];
  const path = event.rawPath.replace(/\/+$/, '');
  if (method === 'GET' && path === '/v1/cases') {
    const parsed = ListQuerySchema.safeParse(query(event));
    if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'query'));
    const { state, severity, kind, age, owner, warehouseId, period, overdue, cursor, limit } = parsed.data;
    return {
      route: 'list',
      filter: {
        ...(state === undefined ? {} : { states: state }),
        ...(severity === undefined ? {} : { severities: severity }),
        ...(kind === undefined ? {} : { kinds: kind }),
        ...(age === undefined ? {} : { ageBuckets: age }),
        ...(owner === undefined ? {} : { owner }),
        ...(warehouseId === undefined ? {} : { warehouseId }),
        ...(period === undefined ? {} : { period }),
        ...(overdue === 'true' ? { overdue: true } : {}),
      },
      ...(cursor === undefined ? {} : { cursor }),
      limit,
    };
  }
  // Before /v1/cases/{caseId}: API Gateway prefers the literal route too.
  if (method === 'GET' && path === '/v1/cases/summary') {
    const parsed = SummaryQuerySchema.safeParse(query(event));
    if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'query'));
    const { warehouseId } = parsed.data;
    return { route: 'summary', ...(warehouseId === undefined ? {} : { warehouseId }) };
  }
  const one = /^\/v1\/cases\/([^/]+)(\/actions|\/trail)?$/.exec(path);
  if (one !== null && one[1] !== undefined) {
    const groupKey = groupKeyFrom(event, one[1]);
    if (method === 'GET' && one[2] === undefined) return { route: 'get', groupKey };
    if (method === 'GET' && one[2] === '/trail') return { route: 'trail', groupKey };
    if (method === 'POST' && one[2] === '/actions')
      return { route: 'act', groupKey, action: actionOf(event) };
  }
  if (method === 'GET' && path === '/v1/journal-entries') {
    const parsed = JournalQuerySchema.safeParse(query(event));
    if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'query'));
    return { route: 'journal', ...parsed.data };
  }
  const close = /^\/v1\/periods\/([^/]+)\/close-check$/.exec(path);
  if (method === 'GET' && close !== null) {
    const period = event.pathParameters?.period ?? close[1] ?? '';
    if (!PERIOD.test(period)) throw new InvalidRequestError(`period: must be a month YYYY-MM, got ${period}`);
    return { route: 'closeCheck', period };
  }
  throw new RouteNotFoundError(`no route for ${method ?? '?'} ${event.rawPath}`);
}
