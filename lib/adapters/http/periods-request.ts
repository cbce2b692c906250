import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { OVERRIDE_MAX_LENGTH } from '../../core/periods/period-lock.js';
import { PERIOD_PATTERN } from '../../core/shared/period.js';
import { RouteNotFoundError } from '../../errors/common.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { problem } from './runs-request.js';

/**
 * The edge of GET /v1/periods and POST /v1/periods/{period}/lock (CONTRACT §7): the route, the
 * period in the path, and the lock's body `{ "override"?: "reason" }`. Each refusal names its field.
 */
export type PeriodsRequest =
  { route: 'list' } | { route: 'lock'; period: string; override: string | undefined };

const LockBodySchema = z.strictObject({
  override: z.string().trim().min(1, 'must say why').max(OVERRIDE_MAX_LENGTH).optional(),
});

const LOCK_PATH = /^\/v1\/periods\/([^/]+)\/lock$/;

export function readPeriodsRequest(event: APIGatewayProxyEventV2): PeriodsRequest {
  const method = event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0];
  const path = event.rawPath.replace(/\/+$/, '');
  if (method === 'GET' && path === '/v1/periods') return { route: 'list' };
  const lock = LOCK_PATH.exec(path);
  if (method !== 'POST' || lock === null)
    throw new RouteNotFoundError(`no route ${method ?? '?'} ${event.rawPath}`);
  const period = decodeURIComponent(lock[1] ?? '');
  if (!PERIOD_PATTERN.test(period))
    throw new InvalidRequestError(
      `period: must be a month YYYY-MM, not ${JSON.stringify(period.slice(0, 20))}`,
    );
  const text = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new InvalidRequestError(
        'body: not JSON; send {} or { "override": "why the period closes anyway" }',
      );
    }
  }
  const parsed = LockBodySchema.safeParse(raw);
  if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'body'));
  return { route: 'lock', period, override: parsed.data.override };
}
