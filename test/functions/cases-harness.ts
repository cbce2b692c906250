// Shared arrange code for the cases tests: requests to the real cases API as a signed-in user
// (the claims API Gateway's JWT authorizer passes, groups in its "[a b]" string form), and a small
// ledger whose close run finds one discrepancy of each sort the tests work on.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'vitest';
import { answerOf, lambdaContext, webhookEvent } from './ingest-harness.js';
import { apiEvent } from './runs-harness.js';
import { CaseStore } from '../../lib/adapters/cases/case-store.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import { CASE_EVENTS_TABLE, CASES_TABLE } from '../../lib/declarations/tables.js';
import type { Caller } from '../../lib/core/cases/roles.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as casesApi } from '../../functions/cases/cases-api.js';

export const AS_OF = '2026-11-02T00:00:00.000Z';
const T = Date.parse(AS_OF);
export const hoursBefore = (h: number): string => new Date(T - h * 3_600_000).toISOString();

export const GROUPS = {
  /** MISSING_IN_FINANCE, 600 x 100 = 60,000: RED. */
  red: 'WH-01|SKU-1|PO-RED',
  /** MISSING_IN_FINANCE, 10 x 12.50 = 125 (all of it missing: YELLOW); a key with `/` and Chinese. */
  slash: 'WH-上海-02|SKU-2|PO/2026/001',
  /** A WMS receipt two hours old: TIMING_LAG, GREEN (a lag is graded on its size only). */
  lag: 'WH-02|SKU-3|PO-LAG',
  /** Finance booked 1,100 for 100 x 10: AMOUNT_MISMATCH, 10 %: YELLOW. */
  amount: 'WH-02|SKU-4|PO-AMT',
} as const;

export async function seedLedger(): Promise<void> {
  const movements = [
    {
      eventId: 'E-RED',
      warehouseId: 'WH-01',
      sku: 'SKU-1',
      type: 'RECEIPT',
      quantity: '600',
      documentRef: 'PO-RED',
      occurredAt: hoursBefore(120),
      unitCost: '100',
    },
    {
      eventId: 'E-SL',
      warehouseId: 'WH-上海-02',
      sku: 'SKU-2',
      type: 'RECEIPT',
      quantity: '10',
      documentRef: 'PO/2026/001',
      occurredAt: hoursBefore(120),
      unitCost: '12.50',
    },
    {
      eventId: 'E-LAG',
      warehouseId: 'WH-02',
      sku: 'SKU-3',
      type: 'RECEIPT',
      quantity: '10',
      documentRef: 'PO-LAG',
      occurredAt: hoursBefore(2),
      unitCost: '50',
    },
    {
      eventId: 'E-AMT',
      warehouseId: 'WH-02',
      sku: 'SKU-4',
      type: 'RECEIPT',
      quantity: '100',
      documentRef: 'PO-AMT',
      occurredAt: hoursBefore(100),
      unitCost: '10',
    },
  ];
  const entries = [
    {
      entryId: 'F-AMT',
      warehouseId: 'WH-02',
      sku: 'SKU-4',
      type: 'RECEIPT',
      quantity: '100',
      amount: '1100.00',
      documentRef: 'PO-AMT',
      postedAt: hoursBefore(99),
    },
  ];
  await post('/v1/movements', movements);
  await post('/v1/entries', entries);
}

export async function post(path: '/v1/movements' | '/v1/entries', body: unknown[]): Promise<void> {
  const answer = answerOf(await webhook(webhookEvent(JSON.stringify(body), { path }), lambdaContext()));
  expect(answer.body.accepted).toBe(body.length);
}

/** An API event as the JWT authorizer hands it over for `who`; no claims at all for undefined. */
export function casesEvent(
  method: 'GET' | 'POST',
  path: string,
  who: Caller | undefined,
  options: { body?: unknown; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const event = apiEvent(method, path, {
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.query === undefined ? {} : { query: options.query }),
  });
  if (who === undefined) return event;
  const claims = {
    sub: who.userId,
    'cognito:username': who.username,
    'cognito:groups': `[${who.roles.join(' ')}]`,
  };
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { jwt: { claims, scopes: null } } },
  } as APIGatewayProxyEventV2;
}

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test answers are read loosely
  body: any;
}

export async function call(
  method: 'GET' | 'POST',
  path: string,
  who: Caller | undefined,
  options: { body?: unknown; query?: Record<string, string> } = {},
): Promise<Answer> {
  const result = (await casesApi(casesEvent(method, path, who, options), lambdaContext())) as {
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
  };
  let body: unknown = result.body;
  try {
    body = JSON.parse(result.body);
  } catch {
    // CSV
  }
  return { statusCode: result.statusCode, headers: result.headers ?? {}, text: result.body, body };
}

export const casePath = (groupKey: string, tail = ''): string => `/v1/cases/${caseIdOf(groupKey)}${tail}`;

export function act(groupKey: string, who: Caller, body: unknown): Promise<Answer> {
  return call('POST', casePath(groupKey, '/actions'), who, { body });
}

/** The people of the tests, with the roles the JWT claims would give them. */
export const user = (username: string, ...roles: Caller['roles']): Caller => ({
  userId: `sub-${username}`,
  username,
  roles,
});
export const CLERK = user('li.finance', 'finance-specialist');
export const REVIEWER = user('zhao.reviewer', 'finance-reviewer');
export const LEAD = user('wang.lead', 'warehouse-lead');
export const IT = user('chen.it', 'it-support');

/** The case store on the embedded tables, for reading and tampering under the API. */
export function caseStoreOn(dynamo: DynamoDBClient): CaseStore {
  return new CaseStore({
    client: dynamo,
    casesTable: CASES_TABLE.localName,
    eventsTable: CASE_EVENTS_TABLE.localName,
  });
}
