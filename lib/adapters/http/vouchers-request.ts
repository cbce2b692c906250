import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { VOUCHER_STATUSES, type VoucherStatus } from '../../core/vouchers/voucher-names.js';
import { RouteNotFoundError } from '../../errors/common.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { problem } from './runs-request.js';

/**
 * The edge of GET /v1/vouchers?period=&format=json|csv&status=&warehouseId= (CONTRACT §9): the
 * period (all periods when absent, as the CLI without --period), the statuses wanted (a comma
 * list), one warehouse. Each refusal names its field.
 */
export interface VouchersRequest {
  period: string | undefined;
  format: 'json' | 'csv';
  statuses: readonly VoucherStatus[] | undefined;
  warehouseId: string | undefined;
}

const QuerySchema = z.strictObject({
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
    .optional(),
  format: z.enum(['json', 'csv']).default('json'),
  status: z
    .string()
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(VOUCHER_STATUSES)))
    .optional(),
  warehouseId: z.string().min(1).optional(),
});

export function readVouchersRequest(event: APIGatewayProxyEventV2): VouchersRequest {
  const method = event.requestContext?.http?.method ?? event.routeKey?.split(' ')[0];
  const path = event.rawPath.replace(/\/+$/, '');
  if (method !== 'GET' || path !== '/v1/vouchers') {
    throw new RouteNotFoundError(`no route ${method ?? '?'} ${event.rawPath}`);
  }
  const query = Object.fromEntries(
    Object.entries(event.queryStringParameters ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const parsed = QuerySchema.safeParse(query);
  if (!parsed.success) throw new InvalidRequestError(problem(parsed.error, 'query'));
  const { period, format, status, warehouseId } = parsed.data;
  return { period, format, statuses: status, warehouseId };
}
