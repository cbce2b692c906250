import { UpdateItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditCommand } from '../../lib/cli/audit-command.js';
import { runStart } from '../../lib/cli/start-command.js';
import { CASE_EVENTS_TABLE } from '../../lib/declarations/tables.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/standins/embedded-aws.js';
import { tempDir } from '../support/temp.js';

// `stocktally start --demo` with the real handlers on the embedded DynamoDB and S3; while it runs,
// a RED case of the demo run is worked from OPEN to AWAITING_BOOKS through the local API by
// different people, each with their own token (the books, not a person, then close it), and its
// trail is checked.

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Step {
  who: string;
  what: string;
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely
  body: any;
  text: string;
}

const TOKEN = 'walk-test-token';
const steps: Step[] = [];
let users: { username: string; roles: string[]; token: string }[] = [];
const audit: { status: number; text: string }[] = [];
let startStatus: number;
const out = capture();

async function call(api: string, who: string, method: string, path: string, body?: unknown): Promise<Step> {
  const token = who === 'local' ? TOKEN : `${TOKEN}.${who}`;
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV
  }
  const step = { who, what: `${method} ${path}`, status: response.status, body: parsed, text };
  steps.push(step);
  return step;
}

async function walk(dataDir: string): Promise<void> {
  const { api, dynamodb } = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as {
    api: string;
    dynamodb: string;
  };
  users = (await call(api, 'chen.it', 'GET', '/local/users')).body;
  const listed = await call(api, 'li.finance', 'GET', '/v1/cases?severity=RED&kind=MISSING_IN_FINANCE');
  const caseId = listed.body.items[0].caseId as string;
  const act = (who: string, body: unknown) => call(api, who, 'POST', `/v1/cases/${caseId}/actions`, body);
  await call(api, 'li.finance', 'GET', `/v1/cases/${caseId}`);
  await act('li.finance', { type: 'start-review' });
  await act('li.finance', {
    type: 'propose',
    resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0151' },
    rootCause: { code: 'missing-voucher' },
  });
  await act('li.finance', { type: 'approve' });
  await act('zhao.reviewer', { type: 'approve' });
  await act('wang.lead', { type: 'approve', comment: '入库单已核对' });
  await call(api, 'li.finance', 'GET', '/v1/journal-entries?period=2026-10&format=csv');
  await act('li.finance', { type: 'close' });
  await call(api, 'chen.it', 'GET', `/v1/cases/${caseId}/trail`);
  await call(api, 'zhao.reviewer', 'GET', '/v1/periods/2026-10/close-check');
  await call(api, 'nobody', 'GET', '/v1/cases');
  await call(api, 'zhao.reviewer', 'GET', '/v1/vouchers?period=2026-10');
  await call(api, 'zhao.reviewer', 'GET', '/v1/vouchers?period=2026-10&format=csv');

  const verify = async () => {
    const o = capture();
    const status = await runAuditCommand(['verify', '--data', dataDir], {
      out: o.stream,
      err: capture().stream,
    });
    audit.push({ status, text: o.text() });
  };
  await verify();
  // Tamper with the approval of the reviewer, straight in the embedded DynamoDB.
  const client = new DynamoDBClient({
    endpoint: dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const groupKey = Buffer.from(caseId, 'base64url').toString('utf8');
  await client.send(
    new UpdateItemCommand({
      TableName: CASE_EVENTS_TABLE.localName,
      Key: { pk: { S: `case#${groupKey}` }, sk: { S: 'e#00000004' } },
      UpdateExpression: 'SET #at = :at',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':at': { S: '2026-10-31T23:59:59.000Z' } },
    }),
  );
  client.destroy();
  await verify();
  await call(api, 'chen.it', 'GET', `/v1/cases/${caseId}/trail`);
}

describe('a RED case of the demo worked end to end through the local API', () => {
  const saved = { secret: process.env.STOCKTALLY_WEBHOOK_SECRET, token: process.env.STOCKTALLY_TOKEN };
  const dataDir = join(tempDir('stocktally-walk-'), 'data');

  beforeAll(async () => {
    process.env.STOCKTALLY_WEBHOOK_SECRET = 'walk-secret';
    process.env.STOCKTALLY_TOKEN = TOKEN;
    startStatus = await runStart(['--demo', '--port', '0', '--data', dataDir], {
      out: out.stream,
      err: capture().stream,
      stopped: async () => {
        await walk(dataDir);
        return 'walk done';
      },
    });
  }, 180_000);
  afterAll(() => {
    for (const [name, value] of [
      ['STOCKTALLY_WEBHOOK_SECRET', saved.secret],
      ['STOCKTALLY_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const step = (what: RegExp, who?: string): Step => {
    const found = steps.find((s) => what.test(s.what) && (who === undefined || s.who === who));
    if (found === undefined) throw new Error(`no step ${what}`);
    return found;
  };
  const actions = () => steps.filter((s) => s.what.endsWith('/actions'));

  it('starts the demo, prints the users with their tokens, and opens a case per discrepancy', () => {
    expect(startStatus).toBe(0);
    // 16 RED: Shanghai's RED from 30,000 (config/settings.yaml) makes its 35,617.88 one RED.
    expect(out.text()).toMatch(/cases {4}22 opened \(RED 16\), one per discrepancy/);
    expect(out.text()).toContain(`li.finance     finance-specialist   ${TOKEN}.li.finance`);
    expect(users.map((u) => u.username)).toEqual([
      'local',
      'wang.lead',
      'li.finance',
      'zhao.reviewer',
      'chen.it',
    ]);
  });

  it('takes the case from OPEN to AWAITING_BOOKS by three people, refusing the proposer’s own approval and a person’s close', () => {
    const [review, propose, ownApproval, reviewerApproval, leadApproval, close] = actions();

    expect(review).toMatchObject({ who: 'li.finance', status: 200, body: { case: { state: 'IN_REVIEW' } } });
    expect(propose).toMatchObject({
      status: 200,
      body: {
        case: { state: 'PROPOSED', proposal: { requirements: [['finance-reviewer'], ['warehouse-lead']] } },
      },
    });
    expect(ownApproval).toMatchObject({
      who: 'li.finance',
      status: 403,
      body: { code: 'proposer_cannot_approve' },
    });
    expect(reviewerApproval).toMatchObject({
      who: 'zhao.reviewer',
      status: 200,
      body: { case: { state: 'PROPOSED' } },
    });
    expect(leadApproval).toMatchObject({
      who: 'wang.lead',
      status: 200,
      body: { case: { state: 'AWAITING_BOOKS', overdue: false, rootCause: { code: 'missing-voucher' } } },
    });
    expect(close).toMatchObject({ who: 'li.finance', status: 409, body: { code: 'awaiting_books' } });
    expect(new Set([propose?.who, reviewerApproval?.who, leadApproval?.who]).size).toBe(3);
  });

  it('exports the approved entry as an ERP CSV that balances', () => {
    const csv = step(/journal-entries/);
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]?.['借方金额 Debit']).toBe(step(/GET \/v1\/cases\/[^/]+$/).body.moneyAtStake);
    expect(rows[1]?.['贷方金额 Credit']).toBe(rows[0]?.['借方金额 Debit']);
  });

  it('answers the vouchers of the demo on the local route, each with its status, and their ERP CSV', () => {
    const json = step(/v1\/vouchers\?period=2026-10$/);
    expect(json.status).toBe(200);
    const vouchers = json.body.vouchers as { voucherId: string; status: string; caseIds: string[] }[];
    expect(vouchers.length).toBeGreaterThan(0);
    expect(new Set(vouchers.map((v) => v.status))).toEqual(new Set(['proposed', 'posted', 'differs']));
    expect(vouchers.filter((v) => v.status === 'differs').some((v) => v.caseIds.length > 0)).toBe(true);
    const csv = step(/vouchers\?.*format=csv$/);
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      '凭证号',
      '日期',
      '会计期间',
      '摘要',
      '科目编码',
      '科目名称',
      '借方金额',
      '贷方金额',
    ]);
    expect(new Set(rows.map((r) => r['凭证号']))).toEqual(new Set(vouchers.map((v) => v.voucherId)));
  });

  it('keeps a verified trail until an event is changed in DynamoDB, and audit verify names the link', () => {
    const [clean, tampered] = [
      steps.filter((s) => s.what.endsWith('/trail'))[0],
      steps.filter((s) => s.what.endsWith('/trail'))[1],
    ];
    expect(clean?.body.verified).toBe(true);
    expect(clean?.body.events.map((e: { type: string }) => e.type)).toEqual([
      'open',
      'start-review',
      'propose',
      'approve',
      'approve',
      'export',
    ]);
    expect(audit[0]).toMatchObject({ status: 0, text: expect.stringContaining('every chain verified') });
    expect(tampered?.body).toMatchObject({ verified: false, brokenAt: { seq: 4, reason: 'hash' } });
    expect(audit[1]?.status).toBe(1);
    const worked = step(/GET \/v1\/cases\/[^/]+$/).body as { caseId: string; groupKey: string };
    expect(audit[1]?.text).toContain(
      `BROKEN case ${worked.caseId} (${worked.groupKey}) at event 4: hash mismatch`,
    );
    // October's close opened 22 cases, November's live view 4 more (the demo's first November receipts).
    expect(audit[1]?.text).toContain('1 of 26 chains broken');
  });

  it('answers the period-close gate with the RED cases still open', () => {
    const check = step(/close-check/).body;
    expect(check).toMatchObject({ period: '2026-10', canClose: false });
    // 16 RED cases, one of them worked to awaiting the books: 15 still block the close.
    expect(check.blockers).toHaveLength(15);
    expect(step(/GET \/v1\/cases$/, 'nobody').status).toBe(401);
  });
});
