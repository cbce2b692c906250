import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Aws } from './ingest-harness.js';
import { resetTables, runAll, startRunsAws } from './runs-harness.js';
import {
  act,
  AS_OF,
  call,
  caseStoreOn,
  casePath,
  CLERK,
  GROUPS,
  hoursBefore,
  LEAD,
  post,
  REVIEWER,
  seedLedger,
} from './cases-harness.js';
import { CaseStore } from '../../lib/adapters/cases/case-store.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import { SYSTEM_ACTOR } from '../../lib/core/cases/case-workflow.js';
import { CASES_TABLE } from '../../lib/declarations/tables.js';
import { daysToNow } from '../support/clock.js';

// GET /v1/cases/summary through the real handler on the embedded DynamoDB, after real runs: the
// sparse open index must follow every way a case enters or leaves the open states.

let aws: Aws;

const store = (): CaseStore => caseStoreOn(aws.dynamo);

interface Severity {
  count: number;
  byAge: Record<string, number>;
  oldest: { caseId: string; groupKey: string; firstSeen: string; ageDays: number } | null;
}

async function summary(query: Record<string, string> = {}): Promise<Record<string, Severity>> {
  const answer = await call('GET', '/v1/cases/summary', CLERK, { query });
  expect(answer.statusCode).toBe(200);
  expect(answer.body.states).toEqual(['OPEN', 'IN_REVIEW', 'PROPOSED', 'REJECTED']);
  return answer.body.bySeverity as Record<string, Severity>;
}

const counts = (s: Record<string, Severity>) => ({
  RED: s.RED?.count,
  YELLOW: s.YELLOW?.count,
  GREEN: s.GREEN?.count,
});

/** The open cases of a severity as the list answers them: what the summary must agree with. */
async function listed(severity: string): Promise<string[]> {
  const answer = await call('GET', '/v1/cases', CLERK, {
    query: { severity, state: 'OPEN,IN_REVIEW,PROPOSED,REJECTED', limit: '500' },
  });
  return (answer.body.items as { groupKey: string }[]).map((c) => c.groupKey).sort();
}

beforeAll(async () => {
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  await resetTables(aws);
  await seedLedger();
  await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
});

describe('GET /v1/cases/summary', () => {
  it('counts the cases a run opened by severity, with their ages and the oldest RED one', async () => {
    const s = await summary();

    expect(counts(s)).toEqual({ RED: 1, YELLOW: 2, GREEN: 1 });
    for (const sev of ['RED', 'YELLOW', 'GREEN']) expect((await listed(sev)).length).toBe(s[sev]?.count);
    expect(s.RED?.oldest).toEqual({
      caseId: caseIdOf(GROUPS.red),
      groupKey: GROUPS.red,
      firstSeen: AS_OF,
      ageDays: daysToNow(AS_OF),
    });
    // Every case was first seen at the run's asOf: all in that one age bucket.
    const days = daysToNow(AS_OF);
    const bucket = days <= 1 ? '0-1' : days <= 7 ? '2-7' : days <= 30 ? '8-30' : '>30';
    expect(s.YELLOW?.byAge).toEqual({ '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0, [bucket]: 2 });
  });

  it('counts one warehouse only when asked, and names the field of a bad query', async () => {
    expect(counts(await summary({ warehouseId: 'WH-02' }))).toEqual({ RED: 0, YELLOW: 1, GREEN: 1 });
    const one = await summary({ warehouseId: 'WH-01' });
    expect(counts(one)).toEqual({ RED: 1, YELLOW: 0, GREEN: 0 });
    expect(one.RED?.oldest?.groupKey).toBe(GROUPS.red);
    expect((await summary({ warehouseId: 'WH-02' })).RED?.oldest).toBeNull();

    const bad = await call('GET', '/v1/cases/summary', CLERK, { query: { severity: 'RED' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.message).toMatch(/severity/);
    expect((await call('GET', '/v1/cases/summary', undefined)).statusCode).toBe(401);
  });

  it('keeps a RED case while it is worked and proposed, and drops it once approved', async () => {
    expect((await act(GROUPS.red, CLERK, { type: 'start-review' })).statusCode).toBe(200);
    expect((await summary()).RED?.count).toBe(1);
    const proposed = await act(GROUPS.red, CLERK, {
      type: 'propose',
      resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0042' },
      rootCause: { code: 'missing-voucher' },
    });
    expect(proposed.body.case.state).toBe('PROPOSED');
    expect((await summary()).RED?.count).toBe(1);
    expect((await act(GROUPS.red, REVIEWER, { type: 'approve' })).statusCode).toBe(200);
    expect((await summary()).RED?.count).toBe(1);
    expect((await act(GROUPS.red, LEAD, { type: 'approve' })).body.case.state).toBe('AWAITING_BOOKS');

    const after = await summary();
    expect(counts(after)).toEqual({ RED: 0, YELLOW: 2, GREEN: 1 });
    expect(after.RED?.oldest).toBeNull();
    expect(after.RED?.byAge).toEqual({ '0-1': 0, '2-7': 0, '8-30': 0, '>30': 0 });
    expect(await listed('RED')).toEqual([]);
  });

  it('drops a case a run closes and counts it again when a later run reopens it', async () => {
    await post('/v1/entries', [
      {
        entryId: 'F-LAG',
        warehouseId: 'WH-02',
        sku: 'SKU-3',
        type: 'RECEIPT',
        quantity: '10',
        amount: '500.00',
        documentRef: 'PO-LAG',
        postedAt: hoursBefore(1),
      },
    ]);
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    expect((await call('GET', casePath(GROUPS.lag), CLERK)).body.state).toBe('CLOSED');
    expect(counts(await summary())).toEqual({ RED: 1, YELLOW: 2, GREEN: 0 });

    // The group disagrees again with a later firstSeen: what a run appends (lib/core/cases/case-run.ts).
    const cases = store();
    const closed = await cases.getCase(GROUPS.lag);
    if (closed === undefined) throw new Error('lag case missing');
    const later = hoursBefore(-3);
    await cases.append(
      closed,
      { type: 'reopen', at: later, actor: SYSTEM_ACTOR, data: { runId: 'close-3', firstSeen: later } },
      'WH-02|1403',
    );
    await cases.writeFacts({ ...closed.facts, firstSeen: later }, 'reopened');
    expect((await call('GET', casePath(GROUPS.lag), CLERK)).body.state).toBe('OPEN');
    const s = await summary();
    expect(counts(s)).toEqual({ RED: 1, YELLOW: 2, GREEN: 1 });
    expect(s.GREEN?.oldest).toMatchObject({ groupKey: GROUPS.lag, firstSeen: later });
    expect(await listed('GREEN')).toEqual([GROUPS.lag]);
  });

  it('follows a run’s new severity and firstSeen on an open case, and not on a closed one', async () => {
    const cases = store();
    const slash = await cases.getCase(GROUPS.slash);
    if (slash === undefined) throw new Error('case missing');
    const older = hoursBefore(24 * 40);
    await cases.writeFacts({ ...slash.facts, severity: 'RED', firstSeen: older }, 'changed');

    const s = await summary();
    expect(counts(s)).toEqual({ RED: 2, YELLOW: 1, GREEN: 1 });
    expect(s.RED?.oldest).toMatchObject({ groupKey: GROUPS.slash, firstSeen: older });
    expect(s.RED?.byAge['>30']).toBe(1);

    // A case that is not open keeps out of the index whatever its facts say: the lag, closed by a run.
    await post('/v1/entries', [
      {
        entryId: 'F-LAG',
        warehouseId: 'WH-02',
        sku: 'SKU-3',
        type: 'RECEIPT',
        quantity: '10',
        amount: '500.00',
        documentRef: 'PO-LAG',
        postedAt: hoursBefore(1),
      },
    ]);
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    const lag = await cases.getCase(GROUPS.lag);
    expect(lag?.workflow.state).toBe('CLOSED');
    if (lag === undefined) return;
    await cases.writeFacts({ ...lag.facts, severity: 'RED' }, 'changed-again');
    // close-2 wrote the slash case's facts back (YELLOW again); the closed lag stays out as RED.
    expect(counts(await summary())).toEqual({ RED: 1, YELLOW: 2, GREEN: 0 });

    // The index holds only open heads: nothing else of the table (freezes, journal, closed heads).
    const indexed = await aws.dynamo.send(
      new QueryCommand({
        TableName: CASES_TABLE.localName,
        IndexName: 'open-by-severity',
        KeyConditionExpression: 'openSeverity = :s',
        ExpressionAttributeValues: { ':s': { S: 'RED' } },
      }),
    );
    expect((indexed.Items ?? []).map((i) => i.pk?.S)).toEqual([`case#${GROUPS.red}`]);
  });
});
