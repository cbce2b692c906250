import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, webhookEvent, type Aws } from './ingest-harness.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { apiEvent, resetTables, runAll, startRunsAws } from './runs-harness.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import {
  act,
  AS_OF,
  CLERK,
  GROUPS,
  LEAD,
  REVIEWER,
  seedLedger,
  casesEvent,
  type Answer,
} from './cases-harness.js';
import { PeriodStore } from '../../lib/adapters/periods/period-store.js';
import type { Caller } from '../../lib/core/cases/roles.js';
import { RECORDS_TABLE } from '../../lib/declarations/tables.js';
import { handler as periodsApi } from '../../functions/periods/periods-api.js';
import type { PeriodList, PeriodView } from '../../lib/api/periods.js';

// GET /v1/periods and POST /v1/periods/{P}/lock through the real handler on the embedded DynamoDB,
// after real ingest and a real close run (CONTRACT §7): the close-check gates the lock, an override
// reason passes it, a second lock is refused, and records dated in a locked period are counted late.

let aws: Aws;
const periods = (): PeriodStore => new PeriodStore(aws.dynamo, RECORDS_TABLE.localName);

async function call(
  method: 'GET' | 'POST',
  path: string,
  who: Caller | undefined,
  body?: unknown,
): Promise<Answer> {
  const result = (await periodsApi(
    casesEvent(method, path, who, body === undefined ? {} : { body }),
    lambdaContext(),
  )) as { statusCode: number; headers?: Record<string, string>; body: string };
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    text: result.body,
    body: JSON.parse(result.body),
  };
}

const lock = (period: string, who: Caller, body?: unknown) =>
  call('POST', `/v1/periods/${period}/lock`, who, body);

async function listed(period: string): Promise<PeriodView | undefined> {
  const answer = await call('GET', '/v1/periods', CLERK);
  expect(answer.statusCode).toBe(200);
  return (answer.body as PeriodList).items.find((p) => p.period === period);
}

beforeAll(async () => {
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  await resetTables(aws);
  await seedLedger();
});

/** The close of October as the run's summary records it. */
async function closeOctober(): Promise<void> {
  await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
  await periods().recordClose('2026-10', {
    runId: 'close-1',
    finishedAt: AS_OF,
    groupsSeen: 4,
    discrepancies: 3,
    moneyAtStake: '60125.00',
  });
}

describe('GET /v1/periods', () => {
  it('lists every period its records are dated in, newest first, open until closed and locked', async () => {
    const answer = await call('GET', '/v1/periods', CLERK);

    expect(answer.statusCode).toBe(200);
    const items = (answer.body as PeriodList).items;
    expect(items.map((p) => p.period)).toEqual(['2026-11', '2026-10']);
    expect(items[1]).toEqual({
      period: '2026-10',
      status: 'open',
      lastCloseRunId: null,
      groupsSeen: 0,
      discrepancies: 0,
      errorRate: null,
      moneyAtStake: null,
      lockedAt: null,
      lockedBy: null,
      override: null,
      closeDays: null,
      lateArrivals: 0,
    });
  });

  it('shows the latest close: its error rate exact, and an older close never replaces it', async () => {
    await closeOctober();
    await periods().recordClose('2026-10', {
      runId: 'close-0',
      finishedAt: '2026-11-01T12:00:00.000Z',
      groupsSeen: 9,
      discrepancies: 9,
      moneyAtStake: '1.00',
    });

    expect(await listed('2026-10')).toMatchObject({
      lastCloseRunId: 'close-1',
      groupsSeen: 4,
      discrepancies: 3,
      errorRate: '0.75',
      moneyAtStake: '60125.00',
    });
  });

  it('lists the months of records stored before periods were kept once a run has read them (an upgrade in place)', async () => {
    for (const period of ['2026-10', '2026-11']) {
      await aws.dynamo.send(
        new DeleteItemCommand({
          TableName: RECORDS_TABLE.localName,
          Key: { pk: { S: 'period' }, sk: { S: period } },
        }),
      );
    }
    expect((await call('GET', '/v1/periods', CLERK)).body.items).toEqual([]);
    await runAll({ runId: 'close-after-upgrade', mode: 'close', asOf: AS_OF });
    const items = (await call('GET', '/v1/periods', CLERK)).body.items as PeriodView[];
    expect(items.map((p) => p.period)).toEqual(['2026-11', '2026-10']);
  });

  it('refuses a caller the authorizer did not vouch for', async () => {
    expect((await call('GET', '/v1/periods', undefined)).statusCode).toBe(401);
  });
});

describe('POST /v1/periods/{P}/lock', () => {
  it('refuses a period without a close run: there is nothing to freeze', async () => {
    const answer = await lock('2026-10', REVIEWER);
    expect(answer.statusCode).toBe(409);
    expect(answer.body.code).toBe('period_not_closed');
  });

  it("is a finance reviewer's: a clerk or a warehouse lead is refused", async () => {
    await closeOctober();
    expect((await lock('2026-10', CLERK)).statusCode).toBe(403);
    expect((await lock('2026-10', LEAD)).statusCode).toBe(403);
  });

  it('is refused with the blockers while the close-check fails, and goes ahead with an override reason', async () => {
    await closeOctober();

    const refused = await lock('2026-10', REVIEWER);
    expect(refused.statusCode).toBe(409);
    expect(refused.body.code).toBe('close_check_failed');
    expect(refused.body.details.blockers).toContainEqual(
      expect.objectContaining({ groupKey: GROUPS.red, reason: 'open-red-case' }),
    );

    const locked = await lock('2026-10', REVIEWER, {
      override: 'CFO signed off the PO-RED receipt on 11-05',
    });
    expect(locked.statusCode).toBe(200);
    expect(locked.body).toMatchObject({
      period: '2026-10',
      status: 'locked',
      lastCloseRunId: 'close-1',
      lockedBy: REVIEWER.username,
      override: 'CFO signed off the PO-RED receipt on 11-05',
    });
    expect(await listed('2026-10')).toMatchObject({ status: 'locked', lockedBy: REVIEWER.username });

    const again = await lock('2026-10', REVIEWER, { override: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.body.code).toBe('period_locked');
  });

  it('locks without an override once the blockers are worked off', async () => {
    await closeOctober();
    expect((await act(GROUPS.red, CLERK, { type: 'start-review' })).statusCode).toBe(200);
    await act(GROUPS.red, CLERK, {
      type: 'propose',
      resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0042' },
      rootCause: { code: 'missing-voucher' },
    });
    await act(GROUPS.red, REVIEWER, { type: 'approve' });
    await act(GROUPS.red, LEAD, { type: 'approve' });

    const locked = await lock('2026-10', REVIEWER, {});
    expect(locked.statusCode).toBe(200);
    expect(locked.body.override).toBeNull();
  });

  it('names the field of a bad request', async () => {
    const bad = await lock('2026-13', REVIEWER);
    expect(bad.statusCode).toBe(400);
    expect(bad.body.message).toContain('period');
    const empty = await lock('2026-10', REVIEWER, { override: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body.message).toContain('override');
    const extra = await lock('2026-10', REVIEWER, { override: 'ok', __proto__x: 1 });
    expect(extra.statusCode).toBe(400);
    const long = await lock('2026-10', REVIEWER, { override: 'x'.repeat(501) });
    expect(long.statusCode).toBe(400);
  });
});

describe('late arrivals', () => {
  it('counts a record dated inside a locked period at ingest, once, and in the period list', async () => {
    await closeOctober();
    expect((await lock('2026-10', REVIEWER, { override: 'closing with the RED case open' })).statusCode).toBe(
      200,
    );
    const late = {
      eventId: 'E-LATE',
      warehouseId: 'WH-01',
      sku: 'SKU-9',
      type: 'RECEIPT',
      quantity: '5',
      documentRef: 'PO-LATE',
      occurredAt: '2026-10-20T08:00:00.000Z',
      unitCost: '10',
    };
    const onTime = {
      ...late,
      eventId: 'E-NOV',
      documentRef: 'PO-NOV',
      occurredAt: '2026-11-01T08:00:00.000Z',
    };

    const send = async (rows: unknown[]) =>
      answerOf(await webhook(webhookEvent(JSON.stringify(rows), { path: '/v1/movements' }), lambdaContext()))
        .body;
    expect(await send([late, onTime])).toMatchObject({ accepted: 2, lateArrivals: 1 });
    expect(await send([late])).toMatchObject({ accepted: 0, duplicates: 1, lateArrivals: 0 });

    expect(await listed('2026-10')).toMatchObject({ status: 'locked', lateArrivals: 1 });
    expect(await periods().lateGroups(['2026-10'])).toEqual(new Set(['WH-01|SKU-9|PO-LATE']));

    // The live view lists the late group, still disagreeing, flagged; a close of the locked month is refused.
    const { run } = await runAll({
      runId: 'continuous-after-lock',
      mode: 'continuous',
      asOf: '2026-11-03T00:00:00.000Z',
    });
    const shown = answerOf(
      await runsApi(
        apiEvent('GET', `/v1/runs/${run.runId}/discrepancies`, { query: { limit: '100' } }),
        lambdaContext(),
      ),
    ).body.items as { groupKey: string; lateArrival?: boolean }[];
    expect(shown.find((d) => d.groupKey === 'WH-01|SKU-9|PO-LATE')?.lateArrival).toBe(true);
    expect(shown.filter((d) => d.lateArrival === true)).toHaveLength(1);
    await expect(
      runAll({ runId: 'close-locked', mode: 'close', period: '2026-10', asOf: AS_OF }),
    ).rejects.toMatchObject({
      code: 'period_locked',
    });
  });
});
