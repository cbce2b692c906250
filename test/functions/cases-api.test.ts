import ExcelJS from 'exceljs';
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, type Aws } from './ingest-harness.js';
import { resetTables, runAll, startRunsAws } from './runs-harness.js';
import {
  act,
  AS_OF,
  call,
  caseStoreOn,
  casePath,
  casesEvent,
  CLERK,
  GROUPS,
  hoursBefore,
  IT,
  LEAD,
  post,
  REVIEWER,
  seedLedger,
} from './cases-harness.js';
import { CaseStore } from '../../lib/adapters/cases/case-store.js';
import { runAuditCommand } from '../../lib/cli/audit-command.js';
import { chain } from '../../lib/core/cases/audit-chain.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import { BUCKET, CASE_EVENTS_TABLE } from '../../lib/declarations/tables.js';
import { handler as casesApi } from '../../functions/cases/cases-api.js';
import { renderReport } from '../../lib/adapters/runs/run-report.js';
import { daysToNow } from '../support/clock.js';

// The cases API through its real handler on the embedded DynamoDB and S3, after real runs.

let aws: Aws;
let endpoint: string;

const store = (): CaseStore => caseStoreOn(aws.dynamo);

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

beforeAll(async () => {
  aws = await startRunsAws();
  endpoint = process.env.STOCKTALLY_DYNAMODB_ENDPOINT ?? '';
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  await resetTables(aws);
  await seedLedger();
  await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
});

/** Proposes on the RED case as the clerk and has it approved by the reviewer and the lead. */
async function approveRed(): Promise<void> {
  expect((await act(GROUPS.red, CLERK, { type: 'start-review' })).statusCode).toBe(200);
  const proposed = await act(GROUPS.red, CLERK, {
    type: 'propose',
    resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0042' },
    rootCause: { code: 'missing-voucher' },
  });
  expect(proposed.statusCode).toBe(200);
  expect((await act(GROUPS.red, REVIEWER, { type: 'approve' })).statusCode).toBe(200);
  expect((await act(GROUPS.red, LEAD, { type: 'approve' })).body.case.state).toBe('AWAITING_BOOKS');
}

describe('cases opened by a run', () => {
  it('opens one case per discrepancy, owned by warehouse, and none twice when the run is done again', async () => {
    const first = await call('GET', '/v1/cases', CLERK, { query: { limit: '100' } });

    expect(first.statusCode).toBe(200);
    const byKey = new Map((first.body.items as { groupKey: string }[]).map((c) => [c.groupKey, c]));
    expect([...byKey.keys()].sort()).toEqual(Object.values(GROUPS).sort());
    expect(byKey.get(GROUPS.red)).toMatchObject({
      state: 'OPEN',
      owner: 'wang.lead',
      severity: 'RED',
      kind: 'MISSING_IN_FINANCE',
      version: 1,
      period: '2026-10',
    });
    expect(byKey.get(GROUPS.amount)).toMatchObject({
      owner: 'li.finance',
      severity: 'YELLOW',
      kind: 'AMOUNT_MISMATCH',
    });

    await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });

    const again = await call('GET', '/v1/cases', CLERK, { query: { limit: '100' } });
    expect(again.body.items).toHaveLength(4);
    for (const c of again.body.items as { version: number }[]) expect(c.version).toBe(1);
  });

  it('shows a case with its discrepancy facts, under an id that needs no escaping', async () => {
    const answer = await call('GET', casePath(GROUPS.slash), IT);

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({
      caseId: caseIdOf(GROUPS.slash),
      groupKey: GROUPS.slash,
      facts: {
        documentRef: 'PO/2026/001',
        warehouseId: 'WH-上海-02',
        expectedAmount: '125.00',
        state: 'NEW',
      },
      proposal: null,
      allowedActions: ['comment', 'start-review'],
    });
    expect(caseIdOf(GROUPS.slash)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('filters by state, severity, owner, warehouse and age, and pages with a cursor', async () => {
    const list = async (query: Record<string, string>) =>
      ((await call('GET', '/v1/cases', CLERK, { query })).body.items as { groupKey: string }[])
        .map((c) => c.groupKey)
        .sort();

    expect(await list({ severity: 'RED' })).toEqual([GROUPS.red]);
    expect(await list({ owner: 'wang.lead' })).toEqual([GROUPS.red, GROUPS.slash].sort());
    expect(await list({ warehouseId: 'WH-02', state: 'OPEN' })).toEqual([GROUPS.amount, GROUPS.lag].sort());
    expect(await list({ state: 'CLOSED' })).toEqual([]);
    expect(await list({ kind: 'AMOUNT_MISMATCH,TIMING_LAG' })).toEqual([GROUPS.amount, GROUPS.lag].sort());
    // Ages count from each discrepancy's firstSeen (the run's asOf) to now.
    const days = daysToNow(AS_OF);
    const bucket = days <= 1 ? '0-1' : days <= 7 ? '2-7' : days <= 30 ? '8-30' : '>30';
    const other = bucket === '0-1' ? '2-7' : '0-1';
    expect(await list({ age: bucket })).toHaveLength(4);
    expect(await list({ age: other })).toEqual([]);
    expect(await list({ age: `${other},${bucket}`, severity: 'RED,GREEN' })).toEqual(
      [GROUPS.lag, GROUPS.red].sort(),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', '/v1/cases', CLERK, {
        query: { limit: '1', ...(cursor === null ? {} : { cursor }) },
      });
      seen.push(...(page.body.items as { groupKey: string }[]).map((c) => c.groupKey));
      cursor = page.body.cursor as string | null;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(Object.values(GROUPS).sort());
  });

  it('answers 401 without identity, 404 for an unknown case, and 400 naming the field', async () => {
    expect((await call('GET', '/v1/cases', undefined)).statusCode).toBe(401);
    const bare = (await casesApi(
      casesEvent('GET', '/v1/periods/2026-10/close-check', undefined),
      lambdaContext(),
    )) as {
      statusCode: number;
      body: string;
    };
    expect(bare.statusCode).toBe(401);
    expect(JSON.parse(bare.body)).toMatchObject({ code: 'unauthenticated' });
    expect((await call('GET', '/v1/cases/not-a-case', CLERK)).statusCode).toBe(404);
    expect((await call('GET', casePath('WH-09|SKU-0|NONE'), CLERK)).statusCode).toBe(404);
    const bad = await act(GROUPS.red, CLERK, { type: 'propose', resolution: { action: 'adjust-price' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.message).toMatch(/resolution\.unitCost/);
    expect((await call('GET', '/v1/cases', CLERK, { query: { state: 'DONE' } })).body.message).toMatch(
      /^state/,
    );
    expect((await call('GET', '/v1/cases', CLERK, { query: { cursor: 'abc' } })).statusCode).toBe(400);
  });
});

describe('working a case through the API', () => {
  it('refuses the proposer’s approval with 403, takes two others, exports the entry and keeps a verified trail', async () => {
    await act(GROUPS.red, CLERK, { type: 'start-review' });
    await act(GROUPS.red, CLERK, {
      type: 'propose',
      resolution: { action: 'supplement-voucher', voucherRef: 'V-42' },
      rootCause: { code: 'missing-voucher' },
    });

    const own = await act(GROUPS.red, CLERK, { type: 'approve' });
    expect(own.statusCode).toBe(403);
    expect(own.body.code).toBe('proposer_cannot_approve');
    expect((await act(GROUPS.red, IT, { type: 'approve' })).statusCode).toBe(403);
    expect((await act(GROUPS.red, REVIEWER, { type: 'approve' })).body.case).toMatchObject({
      state: 'PROPOSED',
    });
    const approved = await act(GROUPS.red, LEAD, { type: 'approve', comment: '已核对入库单' });
    expect(approved.body.case.state).toBe('AWAITING_BOOKS');
    expect(approved.body.case.proposal.entry.lines).toEqual([
      expect.objectContaining({
        side: 'debit',
        accountCode: '1403',
        accountName: '原材料',
        amount: '60000.00',
      }),
      expect.objectContaining({
        side: 'credit',
        accountCode: '2202',
        accountName: '应付账款',
        amount: '60000.00',
      }),
    ]);

    const csv = await call('GET', '/v1/journal-entries', CLERK, {
      query: { period: '2026-10', format: 'csv' },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r['科目编码 Account code'], r['借方金额 Debit'], r['贷方金额 Credit']])).toEqual([
      ['1403', '60000.00', ''],
      ['2202', '', '60000.00'],
    ]);
    const json = await call('GET', '/v1/journal-entries', REVIEWER, { query: { period: '2026-10' } });
    expect(json.body.entries).toHaveLength(1);
    expect(json.body.entries[0]).toMatchObject({
      approvedBy: ['zhao.reviewer', 'wang.lead'],
      proposedBy: 'li.finance',
    });
    expect((await call('GET', '/v1/journal-entries', IT, { query: { period: '2026-10' } })).statusCode).toBe(
      403,
    );

    // Approved is not closed: the books decide, and nobody closes it while the group disagrees.
    const early = await act(GROUPS.red, REVIEWER, { type: 'close' });
    expect(early.statusCode).toBe(409);
    expect(early.body.code).toBe('awaiting_books');
    await post('/v1/entries', [
      {
        entryId: 'F-RED',
        warehouseId: 'WH-01',
        sku: 'SKU-1',
        type: 'RECEIPT',
        quantity: '600',
        amount: '60000.00',
        documentRef: 'PO-RED',
        postedAt: hoursBefore(119),
      },
    ]);
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    const closed = await call('GET', casePath(GROUPS.red), CLERK);
    expect(closed.body).toMatchObject({
      state: 'CLOSED',
      rootCause: { code: 'missing-voucher' },
      closed: { auto: true, by: 'stocktally', runId: 'close-2' },
      awaiting: null,
      exports: 2,
    });
    expect((await act(GROUPS.red, REVIEWER, { type: 'comment', text: 'after the fact' })).statusCode).toBe(
      409,
    );

    const trail = await call('GET', casePath(GROUPS.red, '/trail'), IT);
    expect(trail.body.verified).toBe(true);
    expect(
      (trail.body.events as { type: string; actor: { username: string } }[]).map(
        (e) => `${e.type} ${e.actor.username}`,
      ),
    ).toEqual([
      'open stocktally',
      'start-review li.finance',
      'propose li.finance',
      'approve zhao.reviewer',
      'approve wang.lead',
      'export li.finance',
      'export zhao.reviewer',
      'close stocktally',
    ]);
    expect(trail.body.events.at(-1).data).toMatchObject({
      runId: 'close-2',
      reason: 'run close-2 found the group agreeing',
    });
  });

  it('answers 409 when two people act on the same version at once', async () => {
    const current = await store().getCase(GROUPS.amount);
    if (current === undefined) throw new Error('no case');
    const draft = {
      type: 'comment' as const,
      at: AS_OF,
      actor: { userId: 'a', username: 'a', roles: [] },
      data: { text: 'one' },
    };

    const results = await Promise.allSettled([
      store().append(current, draft, 'WH-02|1403'),
      store().append(current, { ...draft, data: { text: 'two' } }, 'WH-02|1403'),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failure?.reason).toMatchObject({ kind: 'conflict', code: 'case_changed' });
    expect((await act(GROUPS.amount, CLERK, { type: 'comment', text: 'stale', version: 1 })).statusCode).toBe(
      409,
    );
    expect((await act(GROUPS.amount, CLERK, { type: 'comment', text: 'fresh', version: 2 })).statusCode).toBe(
      200,
    );
  });

  it('rolls a head forward over an event a writer appended before it stopped', async () => {
    const events = await store().eventsOf(GROUPS.slash);
    const stray = chain(events.at(-1), {
      groupKey: GROUPS.slash,
      type: 'assign',
      at: hoursBefore(-2),
      actor: { userId: 'sub-wang.lead', username: 'wang.lead', roles: ['warehouse-lead'] },
      data: { owner: 'zhao.reviewer', from: 'wang.lead' },
    });
    await aws.dynamo.send(
      new PutItemCommand({
        TableName: CASE_EVENTS_TABLE.localName,
        Item: {
          pk: { S: `case#${GROUPS.slash}` },
          sk: { S: 'e#00000002' },
          seq: { N: '2' },
          type: { S: stray.type },
          at: { S: stray.at },
          actor: { S: JSON.stringify(stray.actor) },
          data: { S: JSON.stringify(stray.data) },
          prevHash: { S: stray.prevHash },
          hash: { S: stray.hash },
        },
      }),
    );

    const answer = await call('GET', casePath(GROUPS.slash), CLERK);

    expect(answer.body).toMatchObject({ owner: 'zhao.reviewer', version: 2 });
    expect(await store().headOf(GROUPS.slash)).toEqual({ version: 2, lastHash: stray.hash });
  });
});

describe('a tampered trail', () => {
  it('reads verified false with the broken link, and audit verify names it and exits 1', async () => {
    await approveRed();
    const clean = capture();
    expect(
      await runAuditCommand(['verify', '--endpoint', endpoint], { out: clean.stream, err: capture().stream }),
    ).toBe(0);
    expect(clean.text()).toMatch(/audit verify: 4 cases, 8 events/);
    expect(clean.text()).toContain('every chain verified');
    const before = await store().eventsOf(GROUPS.red);
    const proposal = before[2];

    // Someone with table access makes the approved amount smaller, directly in DynamoDB.
    await aws.dynamo.send(
      new UpdateItemCommand({
        TableName: CASE_EVENTS_TABLE.localName,
        Key: { pk: { S: `case#${GROUPS.red}` }, sk: { S: 'e#00000003' } },
        UpdateExpression: 'SET #data = :data',
        ExpressionAttributeNames: { '#data': 'data' },
        ExpressionAttributeValues: {
          ':data': { S: JSON.stringify(proposal?.data).replaceAll('60000.00', '6000.00') },
        },
      }),
    );

    const trail = await call('GET', casePath(GROUPS.red, '/trail'), CLERK);
    expect(trail.body.verified).toBe(false);
    expect(trail.body.brokenAt).toMatchObject({
      groupKey: GROUPS.red,
      seq: 3,
      reason: 'hash',
      found: proposal?.hash,
    });
    expect(trail.body.brokenAt.expected).not.toBe(proposal?.hash);

    const out = capture();
    const status = await runAuditCommand(['verify', '--endpoint', endpoint], {
      out: out.stream,
      err: capture().stream,
    });
    expect(status).toBe(1);
    expect(out.text()).toContain(
      `BROKEN case ${caseIdOf(GROUPS.red)} (${GROUPS.red}) at event 3: hash mismatch`,
    );
    expect(out.text()).toContain(`found    ${proposal?.hash}`);
    expect(out.text()).toContain(`expected ${trail.body.brokenAt.expected}`);
    expect(out.text()).toContain('1 of 4 chains broken');
  });
});

describe('the period-close gate', () => {
  it('blocks on the open RED case and on a waiting proposal, and lets the period close once they are settled', async () => {
    const before = await call('GET', '/v1/periods/2026-10/close-check', CLERK);
    expect(before.body).toMatchObject({ period: '2026-10', canClose: false });
    expect(
      before.body.blockers.map((b: { groupKey: string; reason: string }) => `${b.groupKey} ${b.reason}`),
    ).toEqual([`${GROUPS.red} open-red-case`]);

    await act(GROUPS.amount, CLERK, { type: 'start-review' });
    await act(GROUPS.amount, CLERK, {
      type: 'propose',
      resolution: { action: 'adjust-price', unitCost: '10' },
      rootCause: { code: 'wrong-price' },
    });
    const waiting = await call('GET', '/v1/periods/2026-10/close-check', CLERK);
    expect(waiting.body.blockers.map((b: { reason: string }) => b.reason).sort()).toEqual([
      'open-red-case',
      'unapproved-proposal',
    ]);

    await approveRed();
    expect((await act(GROUPS.amount, REVIEWER, { type: 'approve' })).body.case.state).toBe('AWAITING_BOOKS');
    const after = await call('GET', '/v1/periods/2026-10/close-check', CLERK);
    expect(after.body).toMatchObject({ canClose: true, blockers: [] });
    expect((await call('GET', '/v1/periods/2026-13/close-check', CLERK)).statusCode).toBe(400);
  });
});

describe('freezing an account', () => {
  it('holds the automatic close of its cases until it is unfrozen', async () => {
    const frozen = await act(GROUPS.lag, LEAD, { type: 'freeze', reason: 'stock count in WH-02' });
    expect(frozen.body.case.account).toMatchObject({
      key: 'WH-02|1403',
      // The account's code and name as the workflow configuration maps it, for a person to read.
      code: '1403',
      name: '原材料',
      frozen: { by: 'wang.lead' },
    });
    expect(frozen.body.case.account.bookings.byType.RECEIPT).toEqual({
      debit: '1403 原材料',
      credit: '2202 应付账款',
    });

    // The receipt is booked: the next run finds the lag cleared, but the account is frozen.
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
    const held = await call('GET', casePath(GROUPS.lag), CLERK);
    expect(held.body).toMatchObject({
      state: 'OPEN',
      held: { account: 'WH-02|1403' },
      facts: { state: 'RESOLVED' },
    });

    const unfrozen = await act(GROUPS.amount, REVIEWER, { type: 'unfreeze', reason: 'count done' });
    expect(unfrozen.body.released).toEqual([GROUPS.lag]);
    const closed = await call('GET', casePath(GROUPS.lag), CLERK);
    expect(closed.body).toMatchObject({
      state: 'CLOSED',
      rootCause: { code: 'late-posting' },
      closed: { auto: true, by: 'stocktally' },
      held: null,
    });
  });

  it('closes a cleared lag by itself when nothing is frozen', async () => {
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

    expect((await call('GET', casePath(GROUPS.lag), CLERK)).body).toMatchObject({
      state: 'CLOSED',
      closed: { auto: true },
    });
    expect((await call('GET', casePath(GROUPS.red), CLERK)).body.state).toBe('OPEN');
  });
});

describe('the report of a run', () => {
  it('fills its cause / rectification / owner columns from the cases', async () => {
    await approveRed();
    await act(GROUPS.lag, LEAD, { type: 'comment', text: 'waiting for the invoice' });

    const keys = await renderReport('close-1');

    const object = await aws.s3.send(
      new GetObjectCommand({ Bucket: BUCKET.localName, Key: keys?.csv ?? '' }),
    );
    const rows = parse((await object.Body?.transformToString('utf8')) ?? '', {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    const row = (groupKey: string) => rows.find((r) => r['分组键 Group key'] === groupKey) ?? {};
    expect(row(GROUPS.red)).toMatchObject({
      '处理状态 Status': '已审批待入账 approved, awaiting the books',
      '原因 Cause': '凭证缺失 missing-voucher',
      '负责人 Owner': 'wang.lead',
      '整改措施 Rectification': expect.stringMatching(
        /^补录凭证 supplement-voucher ST-202610-[0-9a-f]{8}-3 60000\.00 \(已审批 approved\)$/,
      ),
    });
    expect(row(GROUPS.amount)).toMatchObject({
      '处理状态 Status': '待处理 open',
      '负责人 Owner': 'li.finance',
      '原因 Cause': '',
    });
    // The approved RED case waits for the books by the day its approval set; the rest are due by
    // their severity (issue 19): the XLSX summary's cause, progress and owner tables count them.
    expect(row(GROUPS.red)['到期日 Due']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const xlsx = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET.localName, Key: keys?.xlsx ?? '' }));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(
      Buffer.from(await xlsx.Body!.transformToByteArray()) as unknown as ExcelJS.Buffer,
    );
    const summary = new Map<string, ExcelJS.Row>();
    workbook.getWorksheet('汇总 Summary')!.eachRow((r) => summary.set(String(r.getCell(1).value), r));
    expect(summary.get('凭证缺失 missing-voucher')?.getCell(2).value).toBe(1);
    expect(summary.get('凭证缺失 missing-voucher')?.getCell(3).value).toBe(60000);
    expect(summary.get('已审批待入账 approved, awaiting the books')?.getCell(2).value).toBe(1);
    expect(summary.get('wang.lead')?.getCell(2).value).toBeGreaterThanOrEqual(1);
  });
});

describe('cases closed by the books (CONTRACT section 8)', () => {
  const lagBooked = {
    entryId: 'F-LAG',
    warehouseId: 'WH-02',
    sku: 'SKU-3',
    type: 'RECEIPT',
    quantity: '10',
    amount: '500.00',
    documentRef: 'PO-LAG',
    postedAt: hoursBefore(1),
  };

  it('ends a difference that stays only through an approved accept-difference, with its write-off in the journal', async () => {
    await act(GROUPS.amount, CLERK, { type: 'start-review' });
    const refused = await act(GROUPS.amount, CLERK, { type: 'close', rootCause: { code: 'wrong-price' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.body.code).toBe('difference_persists');
    expect(refused.body.message).toMatch(/accept-difference/);

    const proposed = await act(GROUPS.amount, CLERK, {
      type: 'propose',
      resolution: { action: 'accept-difference', reason: 'supplier surcharge, not recoverable' },
      rootCause: { code: 'wrong-price' },
    });
    expect(proposed.body.case.proposal.entry.lines).toEqual([
      expect.objectContaining({ side: 'debit', accountCode: '6602', amount: '100.00' }),
      expect.objectContaining({ side: 'credit', accountCode: '1403', amount: '100.00' }),
    ]);
    const accepted = await act(GROUPS.amount, REVIEWER, { type: 'approve' });
    expect(accepted.body.case).toMatchObject({
      state: 'ACCEPTED',
      accepted: { kind: 'AMOUNT_MISMATCH', moneyAtStake: '100.00', by: 'zhao.reviewer' },
      awaiting: null,
      allowedActions: [],
    });
    const journal = await call('GET', '/v1/journal-entries', REVIEWER, { query: { period: '2026-10' } });
    expect(journal.body.entries.map((e: { entry: { action: string } }) => e.entry.action)).toEqual([
      'accept-difference',
    ]);

    // The same difference in the next run leaves it accepted; another one reopens it.
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    expect((await call('GET', casePath(GROUPS.amount), CLERK)).body.state).toBe('ACCEPTED');
    await post('/v1/entries', [
      {
        entryId: 'F-AMT-2',
        warehouseId: 'WH-02',
        sku: 'SKU-4',
        type: 'RECEIPT',
        quantity: '0',
        amount: '50.00',
        documentRef: 'PO-AMT',
        postedAt: hoursBefore(1),
      },
    ]);
    await runAll({ runId: 'close-3', mode: 'close', asOf: hoursBefore(-2) });
    expect((await call('GET', casePath(GROUPS.amount), CLERK)).body).toMatchObject({
      state: 'OPEN',
      accepted: null,
      proposal: null,
    });
  });

  it('closes an approval at once when a run already found the group agreeing, naming that run', async () => {
    await act(GROUPS.lag, CLERK, { type: 'start-review' });
    await post('/v1/entries', [lagBooked]);
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    expect((await call('GET', casePath(GROUPS.lag), CLERK)).body).toMatchObject({
      state: 'IN_REVIEW',
      facts: { state: 'RESOLVED' },
    });
    await act(GROUPS.lag, CLERK, {
      type: 'propose',
      resolution: { action: 'accept-timing' },
      rootCause: { code: 'late-posting' },
    });

    const approved = await act(GROUPS.lag, REVIEWER, { type: 'approve' });

    expect(approved.statusCode).toBe(200);
    expect(approved.body.event.type).toBe('approve');
    expect(approved.body.case).toMatchObject({ state: 'CLOSED', closed: { auto: true, runId: 'close-2' } });
  });

  it('reopens a closed case when a later run finds its group disagreeing again', async () => {
    await post('/v1/entries', [lagBooked]);
    await runAll({ runId: 'close-2', mode: 'close', asOf: hoursBefore(-1) });
    expect((await call('GET', casePath(GROUPS.lag), CLERK)).body.state).toBe('CLOSED');

    // A second receipt on the same document: the group disagrees again.
    await post('/v1/movements', [
      {
        eventId: 'E-LAG-2',
        warehouseId: 'WH-02',
        sku: 'SKU-3',
        type: 'RECEIPT',
        quantity: '5',
        documentRef: 'PO-LAG',
        occurredAt: hoursBefore(0.5),
        unitCost: '50',
      },
    ]);
    await runAll({ runId: 'close-3', mode: 'close', asOf: hoursBefore(-2) });

    const reopened = await call('GET', casePath(GROUPS.lag), CLERK);
    expect(reopened.body).toMatchObject({ state: 'OPEN', closed: null });
    const trail = await call('GET', casePath(GROUPS.lag, '/trail'), CLERK);
    expect(trail.body.events.map((e: { type: string }) => e.type)).toEqual(['open', 'close', 'reopen']);
    expect(trail.body.events.at(-1).data).toMatchObject({ runId: 'close-3' });
  });

  it('refuses new proposals on the cases of a frozen account with 409 until it is unfrozen', async () => {
    await act(GROUPS.lag, LEAD, { type: 'freeze', reason: 'stock count in WH-02' });
    await act(GROUPS.amount, CLERK, { type: 'start-review' });
    const shown = await call('GET', casePath(GROUPS.amount), CLERK);
    expect(shown.body.account.frozen).toMatchObject({ by: 'wang.lead' });
    expect(shown.body.allowedActions).not.toContain('propose');

    const proposal = {
      type: 'propose',
      resolution: { action: 'adjust-price', unitCost: '10' },
      rootCause: { code: 'wrong-price' },
    };
    const refused = await act(GROUPS.amount, CLERK, proposal);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toMatchObject({ code: 'account_frozen' });
    expect(refused.body.message).toContain('WH-02|1403');

    await act(GROUPS.amount, REVIEWER, { type: 'unfreeze', reason: 'count done' });
    expect((await act(GROUPS.amount, CLERK, proposal)).body.case.state).toBe('PROPOSED');
  });
});
