import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerOf,
  byKind,
  drop,
  lambdaContext,
  readObject,
  readReport,
  scanAll,
  storedRecord,
  webhookEvent,
  type Aws,
} from './ingest-harness.js';
import { apiEvent, runAll, startRunsAws } from './runs-harness.js';
import { closedPeriod } from '../../lib/core/shared/period.js';
import { ZoneClock } from '../../lib/core/shared/zone-clock.js';
import { casesEvent, CLERK } from './cases-harness.js';
import { runReconcile, type Summary } from '../../lib/cli/reconcile-command.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { DEFAULT_SETTINGS } from '../../lib/core/reconcile/settings.js';
import type { RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import type { VoucherWithStatus } from '../../lib/core/vouchers/voucher-status.js';
import { BUCKET, ENV } from '../../lib/declarations/tables.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { handler as vouchersApi } from '../../functions/vouchers/vouchers-api.js';
import { tempDir } from '../support/temp.js';

// Currencies, accounts, unified codes and the cost variance in the pipeline, through the real
// handlers on the embedded DynamoDB and S3: the reference tables dropped under incoming/rates/ and
// incoming/codes/, the stack's rules in the functions' environment, and a close run that finds what
// `stocktally reconcile --rates --accounts --codes --costs --variance-compensates` finds on the
// same files. GET /v1/vouchers judges each voucher by the same rules, a page at a time.

const AS_OF = '2026-11-02T00:00:00.000Z';
const dir = tempDir('stocktally-rules-pipeline-');

const FILES = {
  'wms.csv': [
    'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost',
    // Worth 497.00: booked in USD as 70, which converts at 7.1 to exactly that.
    'E1,WH-01,SKU-1,RECEIPT,7,EA,PO-USD,2026-10-05T08:00:00Z,71',
    // Worth 70.00: booked as USD 70, 497.00 once converted.
    'E2,WH-01,SKU-2,RECEIPT,7,EA,PO-70,2026-10-05T08:00:00Z,10',
    // Booked in USD before any rate: the entry is rejected, so finance lacks it.
    'E3,WH-01,SKU-3,RECEIPT,1,EA,PO-EARLY,2026-09-20T08:00:00Z,10',
    // Booked to 1405, an account a receipt never books.
    'E4,WH-01,SKU-4,RECEIPT,2,EA,PO-ACCT,2026-10-05T08:00:00Z,50',
    // Booked under the ERP's material number and plant code.
    'E5,WH-01,SKU-5,RECEIPT,10,EA,PO-MAT,2026-10-05T08:00:00Z,100',
    // At standard 10.00 in the WMS, at the periodic average 10.80 in finance.
    'E6,WH-01,SKU-6,RECEIPT,100,EA,PO-6,2026-10-05T08:00:00Z,',
    'E7,WH-01,SKU-6,SHIPMENT,60,EA,SO-6,2026-10-20T08:00:00Z,',
  ],
  'finance.csv': [
    'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account',
    'F1,WH-01,SKU-1,RECEIPT,7,EA,70,USD,PO-USD,2026-10-06,1403',
    'F2,WH-01,SKU-2,RECEIPT,7,EA,70,USD,PO-70,2026-10-06,1403',
    'F3,WH-01,SKU-3,RECEIPT,1,EA,1.5,USD,PO-EARLY,2026-09-21,1403',
    'F4,WH-01,SKU-4,RECEIPT,2,EA,100,CNY,PO-ACCT,2026-10-06,1405',
    'F5,1000,MAT-5,RECEIPT,10,EA,1000,CNY,PO-MAT,2026-10-06,1403',
    'F6,WH-01,SKU-6,RECEIPT,100,EA,1080.00,CNY,PO-6,2026-10-05,1403',
    'F7,WH-01,SKU-6,SHIPMENT,60,EA,648.00,CNY,SO-6,2026-10-20,6401',
  ],
  'rates.csv': ['currency,date,rate', 'USD,2026-10-01,7.1', 'EUR,2026-10-01,7.7'],
  'codes.csv': ['kind,source,from,to', 'sku,finance,MAT-5,SKU-5', 'warehouse,finance,1000,WH-01'],
  'costs.csv': ['warehouseId,sku,standardCost,effectiveFrom', '*,SKU-6,10.00,2026-10-01'],
};
const path = (name: keyof typeof FILES) => join(dir, name);
const text = (name: keyof typeof FILES) => FILES[name].join('\n') + '\n';

const RULES = { [ENV.checkAccounts]: 'true', [ENV.varianceCompensates]: 'true' };

let aws: Aws;
let run: RunRecord;
let shown: RunDiscrepancy[];
let cli: Summary;
let cliDiscrepancies: Discrepancy[];

async function discrepanciesOf(runId: string): Promise<RunDiscrepancy[]> {
  const answer = answerOf(
    await runsApi(
      apiEvent('GET', `/v1/runs/${runId}/discrepancies`, { query: { limit: '100' } }),
      lambdaContext(),
    ),
  );
  expect(answer.statusCode).toBe(200);
  return answer.body.items as RunDiscrepancy[];
}

async function vouchers(query: Record<string, string>) {
  const result = (await vouchersApi(
    casesEvent('GET', '/v1/vouchers', CLERK, { query }),
    lambdaContext(),
  )) as {
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
  };
  return result;
}

beforeAll(async () => {
  for (const name of Object.keys(FILES) as (keyof typeof FILES)[]) writeFileSync(path(name), text(name));
  Object.assign(process.env, RULES);
  aws = await startRunsAws();
  // The reference tables first, then the ledgers: records are stored under the codes in force.
  for (const kind of ['rates', 'codes', 'costs', 'wms', 'finance'] as const) {
    const name = `${kind}.csv` as keyof typeof FILES;
    await s3Drop(await drop(aws, `incoming/${kind}/${name}`, text(name)), lambdaContext());
  }
  ({ run } = await runAll({ runId: 'close-rules', mode: 'close', asOf: AS_OF }));
  shown = await discrepanciesOf(run.runId);
  const out = join(dir, 'cli');
  cli = await runReconcile({
    wms: path('wms.csv'),
    finance: path('finance.csv'),
    rates: path('rates.csv'),
    codes: path('codes.csv'),
    costs: path('costs.csv'),
    accounts: join(process.cwd(), 'config', 'workflow.yaml'),
    varianceCompensates: true,
    out,
    // A close as of its AS_OF closes the month before that instant (CONTRACT §7).
    period: closedPeriod(AS_OF, new ZoneClock('UTC')),
    settings: { ...DEFAULT_SETTINGS, asOf: Date.parse(AS_OF) },
    workers: 0,
  });
  cliDiscrepancies = JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Discrepancy[];
});

afterAll(async () => {
  for (const name of Object.keys(RULES)) delete process.env[name];
  await aws?.stop();
});

describe('the reference table drops', () => {
  it('keeps the rates and the code mapping under tables/, each drop reporting the table it became', async () => {
    expect(await readReport(aws, 'incoming/rates/rates.csv')).toMatchObject({
      source: 'rates',
      accepted: 2,
      rejected: [],
      table: { key: BUCKET.ratesTableKey, replaced: false, rows: 2 },
    });
    expect(await readReport(aws, 'incoming/codes/codes.csv')).toMatchObject({
      source: 'codes',
      accepted: 2,
      table: {
        key: BUCKET.codesTableKey,
        rows: 2,
        note: expect.stringContaining('records stored before keep their codes'),
      },
    });
    expect(await readObject(aws, BUCKET.ratesTableKey)).toBe(text('rates.csv'));
  });

  it('refuses a code table that maps one code two ways, naming both rows, and keeps the one in force', async () => {
    const key = 'incoming/codes/clash.csv';
    await s3Drop(
      await drop(
        aws,
        key,
        [...FILES['codes.csv'], 'sku,wms,X,Y', 'sku,finance,MAT-5,SKU-9', 'sku,erp,A,B'].join('\n'),
      ),
      lambdaContext(),
    );
    const report = await readReport(aws, key);
    expect(report).toMatchObject({ source: 'codes', accepted: 0 });
    expect(report.table).toBeUndefined();
    expect(report.rejected).toEqual([
      {
        file: key,
        line: 5,
        field: 'from',
        reason: `${key}: finance sku "MAT-5" is mapped two ways, to "SKU-5" at line 2 and to "SKU-9" at line 5; the code table is refused (one code, one meaning)`,
      },
      { file: key, line: 6, field: 'source', reason: 'source must be wms or finance: "erp"' },
    ]);
    expect(await readObject(aws, BUCKET.codesTableKey)).toBe(text('codes.csv'));
  });

  it('rejects a rate row naming its field, and a table drop that is not CSV', async () => {
    const key = 'incoming/rates/bad.csv';
    await s3Drop(
      await drop(aws, key, 'currency,date,rate\nusd,2026-10-01,7\nUSD,2026-10-01,7.1\n'),
      lambdaContext(),
    );
    expect((await readReport(aws, key)).rejected).toEqual([
      { file: key, line: 2, field: 'currency', reason: 'currency is not an ISO 4217 code: "usd"' },
    ]);
    await s3Drop(await drop(aws, 'incoming/codes/codes.ndjson', '{}\n'), lambdaContext());
    expect((await readReport(aws, 'incoming/codes/codes.ndjson')).rejected).toEqual([
      expect.objectContaining({ reason: 'the file a codes table must be .csv' }),
    ]);
    // The rates table in force is the last usable drop: that one, with its one good row, until the
    // whole table is sent again.
    expect(await readObject(aws, BUCKET.ratesTableKey)).toContain('USD,2026-10-01,7.1');
    await s3Drop(await drop(aws, 'incoming/rates/rates-again.csv', text('rates.csv')), lambdaContext());
    expect(await readReport(aws, 'incoming/rates/rates-again.csv')).toMatchObject({
      table: { replaced: true, previousRows: 1, rows: 2 },
    });
  });
});

describe('codes at ingest', () => {
  it('stores a dropped finance line under the unified codes', async () => {
    const versions = byKind(await scanAll(aws)).versions.map(storedRecord);
    expect(versions.find((r) => r.entryId === 'F5')).toMatchObject({ sku: 'SKU-5', warehouseId: 'WH-01' });
  });

  it('stores a webhook line under the unified codes too', async () => {
    const body = JSON.stringify([
      {
        entryId: 'W1',
        warehouseId: '1000',
        sku: 'MAT-5',
        type: 'RECEIPT',
        quantity: '1',
        amount: '100',
        documentRef: 'PO-WEBHOOK',
        postedAt: '2026-11-01',
      },
    ]);
    const answer = answerOf(await webhook(webhookEvent(body, { path: '/v1/entries' }), lambdaContext()));
    expect(answer.body).toMatchObject({ accepted: 1, rejected: [] });
    const versions = byKind(await scanAll(aws)).versions.map(storedRecord);
    expect(versions.find((r) => r.entryId === 'W1')).toMatchObject({ sku: 'SKU-5', warehouseId: 'WH-01' });
  });
});

describe('a close run with the rules on', () => {
  it('converts, checks accounts and compensates as the CLI does: same kinds, same groups, same figures', () => {
    expect(run.status).toBe('SUCCEEDED');
    const kindOf = (d: { kind: string; groupKey: string }) => `${d.kind} ${d.groupKey}`;
    expect(shown.map(kindOf).sort()).toEqual([
      'ACCOUNT_MISMATCH WH-01|SKU-4|PO-ACCT',
      'AMOUNT_MISMATCH WH-01|SKU-2|PO-70',
      'MISSING_IN_FINANCE WH-01|SKU-3|PO-EARLY',
    ]);
    expect(cliDiscrepancies.map(kindOf).sort()).toEqual(shown.map(kindOf).sort());
    const figures = (d: Discrepancy) => {
      const { explanation: _e, explanationZh: _z, rejectedRows: _r, ...rest } = d;
      return rest;
    };
    const byGroup = new Map(cliDiscrepancies.map((d) => [d.groupKey, figures(d)]));
    for (const d of shown) {
      const { state: _s, firstSeen: _f, lastSeen: _l, ageBucket: _a, ...discrepancy } = d;
      expect(figures(discrepancy)).toEqual(byGroup.get(d.groupKey));
    }
    // The original currency and amount beside the converted ones (a rates table is in force).
    expect(shown.find((d) => d.documentRef === 'PO-70')).toMatchObject({
      financeAmount: '497.00',
      currency: 'USD',
      originalAmount: '70.00',
    });
  });

  it('rejects the entry without a rate in effect, naming the currency and the date', () => {
    const reasons = (run.summary?.rejected ?? []).map((r) => [r.line, r.reason]);
    expect(reasons).toEqual([
      [4, expect.stringMatching(/^currency USD has no rate to CNY in effect on 2026-09-21/)],
    ]);
    expect(cli.rejected.map((r) => [r.line, r.reason])).toEqual(reasons);
  });

  it('finds the cost variance’s lines AMOUNT_MISMATCH once the setting is off again', async () => {
    delete process.env[ENV.varianceCompensates];
    try {
      const { run: off } = await runAll({ runId: 'close-rules-no-variance', mode: 'close', asOf: AS_OF });
      const found = (await discrepanciesOf(off.runId)).filter((d) => d.sku === 'SKU-6');
      expect(found.map((d) => [d.documentRef, d.kind, d.expectedAmount, d.financeAmount])).toEqual([
        ['PO-6', 'AMOUNT_MISMATCH', '1000.00', '1080.00'],
        ['SO-6', 'AMOUNT_MISMATCH', '600.00', '648.00'],
      ]);
    } finally {
      process.env[ENV.varianceCompensates] = 'true';
    }
  });
});

describe('GET /v1/vouchers under the same rules', () => {
  it('marks the misbooked receipt’s voucher differs and the converted one posted', async () => {
    const answer = await vouchers({ period: '2026-10' });
    expect(answer.statusCode).toBe(200);
    const { vouchers: found } = JSON.parse(answer.body) as { vouchers: VoucherWithStatus[] };
    const status = (ref: string) => found.find((v) => v.documentRef === ref)?.status;
    expect([status('PO-ACCT'), status('PO-USD'), status('PO-70'), status('PO-MAT'), status('PO-6')]).toEqual([
      'differs',
      'posted',
      'differs',
      'posted',
      'posted',
    ]);
  });

  it('hands a period out a page at a time: the pages join to the whole answer, JSON and CSV', async () => {
    const whole = JSON.parse((await vouchers({ period: '2026-10' })).body) as {
      vouchers: VoucherWithStatus[];
      cursor: string | null;
    };
    expect(whole.cursor).toBeNull();
    const paged: VoucherWithStatus[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = JSON.parse(
        (await vouchers({ period: '2026-10', limit: '2', ...(cursor === null ? {} : { cursor }) })).body,
      ) as { vouchers: VoucherWithStatus[]; cursor: string | null };
      expect(page.vouchers.length).toBeLessThanOrEqual(2);
      paged.push(...page.vouchers);
      cursor = page.cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(Math.ceil(whole.vouchers.length / 2));
    expect(paged).toEqual(whole.vouchers);

    const csvWhole = (await vouchers({ period: '2026-10', format: 'csv' })).body;
    const first = await vouchers({ period: '2026-10', format: 'csv', limit: '3' });
    const next = first.headers?.['x-stocktally-cursor'];
    expect(next).toEqual(expect.any(String));
    const rest = await vouchers({ period: '2026-10', format: 'csv', cursor: next ?? '' });
    expect(rest.headers?.['x-stocktally-cursor']).toBeUndefined();
    expect(first.body + rest.body.slice(rest.body.indexOf('\n') + 1)).toBe(csvWhole);
  });

  it('refuses a cursor it did not hand out, and a limit out of range', async () => {
    for (const [query, field] of [
      [{ cursor: 'not a cursor' }, 'cursor'],
      [{ cursor: Buffer.from('{"x":1}').toString('base64url') }, 'cursor'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '5001' }, 'limit'],
    ] as const) {
      const answer = await vouchers(query);
      expect(answer.statusCode).toBe(400);
      expect(JSON.parse(answer.body).message).toContain(field);
    }
  });
});
