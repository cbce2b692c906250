import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drop, lambdaContext, type Aws } from './ingest-harness.js';
import { runAll, startRunsAws } from './runs-harness.js';
import { casesEvent, CLERK, LEAD } from './cases-harness.js';
import { runReconcile } from '../../lib/cli/reconcile-command.js';
import { runVouchers } from '../../lib/cli/vouchers-command.js';
import { groupKeyOf } from '../../lib/core/cases/case-id.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { Caller } from '../../lib/core/cases/roles.js';
import { DEFAULT_SETTINGS } from '../../lib/core/reconcile/settings.js';
import type { VoucherWithStatus } from '../../lib/core/vouchers/voucher-status.js';
import { voucherGroups, type UnpricedMovement, type Voucher } from '../../lib/core/vouchers/vouchers.js';
import { ENV } from '../../lib/declarations/tables.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as vouchersApi } from '../../functions/vouchers/vouchers-api.js';
import { sampleDir } from '../support/acceptance.js';
import { tempDir } from '../support/temp.js';

// GET /v1/vouchers through its real handler on the embedded DynamoDB and S3, after the NDJSON
// sample (with its unit and cost tables, in Asia/Shanghai) came in through the S3 drops and a close
// run opened its cases: the same vouchers as `stocktally vouchers` on the same files.

const SAMPLE = sampleDir('sample-2');
const AS_OF = '2026-11-02T00:00:00.000Z';
const ZONE = 'Asia/Shanghai';
const DROPS = {
  'uom.csv': 'incoming/uom/uom.csv',
  'costs.csv': 'incoming/costs/costs.csv',
  'wms.ndjson': 'incoming/wms/wms.ndjson',
  'finance.ndjson': 'incoming/finance/finance.ndjson',
};

let aws: Aws;
const out = tempDir('stocktally-vouchers-api-');

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  text: string;
}

/** `null`: no verified caller at all. */
async function get(query: Record<string, string>, who: Caller | null = CLERK): Promise<Answer> {
  const result = (await vouchersApi(
    casesEvent('GET', '/v1/vouchers', who ?? undefined, { query }),
    lambdaContext(),
  )) as {
    statusCode: number;
    headers?: Record<string, string>;
    body: string;
  };
  return { statusCode: result.statusCode, headers: result.headers ?? {}, text: result.body };
}

interface ApiVouchers {
  period: string | null;
  vouchers: VoucherWithStatus[];
  unpriced: UnpricedMovement[];
}

async function getJson(query: Record<string, string>): Promise<ApiVouchers> {
  const answer = await get(query);
  expect(answer.statusCode, answer.text).toBe(200);
  return JSON.parse(answer.text) as ApiVouchers;
}

function cliOutput(period: string | undefined): {
  vouchers: Voucher[];
  unpriced: UnpricedMovement[];
  csv: string;
} {
  const dir = join(out, period ?? 'all');
  return {
    ...(JSON.parse(readFileSync(join(dir, 'vouchers.json'), 'utf8')) as {
      vouchers: Voucher[];
      unpriced: UnpricedMovement[];
    }),
    csv: readFileSync(join(dir, 'vouchers.csv'), 'utf8'),
  };
}

const withoutStatus = (v: VoucherWithStatus): Voucher => {
  const { status: _s, caseIds: _c, ...voucher } = v;
  return voucher;
};

beforeAll(async () => {
  process.env[ENV.timeZone] = ZONE;
  aws = await startRunsAws();
  for (const [file, key] of Object.entries(DROPS)) {
    await s3Drop(await drop(aws, key, readFileSync(join(SAMPLE, file))), lambdaContext());
  }
  await runAll({ runId: 'close-vouchers', mode: 'close', asOf: AS_OF });
  for (const period of [undefined, '2026-10']) {
    await runVouchers({
      help: false,
      quiet: true,
      wms: join(SAMPLE, 'wms.ndjson'),
      costs: join(SAMPLE, 'costs.csv'),
      workflow: undefined,
      period,
      timeZone: ZONE,
      out: join(out, period ?? 'all'),
    });
  }
});

afterAll(async () => {
  delete process.env[ENV.timeZone];
  await aws?.stop();
});

describe('GET /v1/vouchers answers what `stocktally vouchers` writes for the same records', () => {
  it('gives the same vouchers, ids and lines, and the same unpriced movements, for a period and for all', async () => {
    for (const period of ['2026-10', undefined]) {
      const cli = cliOutput(period);
      const api = await getJson(period === undefined ? {} : { period });
      expect(api.period).toBe(period ?? null);
      expect(cli.vouchers.length).toBeGreaterThan(100);
      expect(api.vouchers.map(withoutStatus)).toEqual(cli.vouchers);
      expect(api.unpriced).toEqual(cli.unpriced);
    }
  });

  it('gives the CLI’s vouchers.csv byte for byte as the CSV export', async () => {
    const answer = await get({ period: '2026-10', format: 'csv' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="vouchers-2026-10.csv"');
    expect(answer.text).toBe(cliOutput('2026-10').csv);
  });
});

describe('each voucher’s status follows the reconciliation of its groups', () => {
  it('is posted, proposed or differs exactly as the groups of its lines reconcile, naming the cases', async () => {
    // What `stocktally reconcile` finds on the same files: the groups that disagree.
    const reconciled = join(out, 'reconcile');
    const summary = await runReconcile({
      wms: join(SAMPLE, 'wms.ndjson'),
      finance: join(SAMPLE, 'finance.ndjson'),
      uom: join(SAMPLE, 'uom.csv'),
      costs: join(SAMPLE, 'costs.csv'),
      out: reconciled,
      settings: { ...DEFAULT_SETTINGS, asOf: Date.parse(AS_OF), timeZone: ZONE },
      workers: 0,
    });
    const disagreeing = new Set(
      (JSON.parse(readFileSync(join(reconciled, 'discrepancies.json'), 'utf8')) as Discrepancy[]).map(
        (d) => d.groupKey,
      ),
    );
    const rejectedFinance = new Set(
      summary.rejected.filter((r) => r.source === 'finance').map((r) => r.line),
    );
    const booked = new Set<string>();
    readFileSync(join(SAMPLE, 'finance.ndjson'), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (rejectedFinance.has(i + 1) || line.trim() === '') return;
        const e = JSON.parse(line) as { warehouseId: string; sku: string; documentRef: string };
        booked.add(`${e.warehouseId}|${e.sku}|${e.documentRef}`);
      });

    const { vouchers } = await getJson({ period: '2026-10' });
    const seen = { proposed: 0, posted: 0, differs: 0 };
    for (const v of vouchers) {
      seen[v.status]++;
      const groups = voucherGroups(v);
      if (v.status === 'proposed') expect(groups.some((g) => booked.has(g))).toBe(false);
      else expect(groups.some((g) => booked.has(g))).toBe(true);
      if (v.status === 'posted') expect(groups.some((g) => disagreeing.has(g))).toBe(false);
      if (v.status === 'differs') {
        expect(groups.some((g) => disagreeing.has(g))).toBe(true);
        // The close run opened a case for every discrepancy: each disagreeing group's case is named.
        expect(v.caseIds.map((id) => groupKeyOf(id)).sort()).toEqual(
          groups.filter((g) => disagreeing.has(g)).sort(),
        );
      } else expect(v.caseIds).toEqual([]);
    }
    expect(seen.proposed).toBeGreaterThan(0);
    expect(seen.posted).toBeGreaterThan(0);
    expect(seen.differs).toBeGreaterThan(0);
  });

  it('filters by status and warehouse', async () => {
    const all = await getJson({ period: '2026-10' });
    const differs = await getJson({ period: '2026-10', status: 'differs' });
    expect(differs.vouchers).toEqual(all.vouchers.filter((v) => v.status === 'differs'));
    const some = await getJson({ period: '2026-10', status: 'posted,proposed', warehouseId: 'WH-上海-02' });
    expect(some.vouchers.length).toBeGreaterThan(0);
    expect(some.vouchers).toEqual(
      all.vouchers.filter((v) => v.status !== 'differs' && v.warehouseId === 'WH-上海-02'),
    );
    expect(some.unpriced.every((u) => u.warehouseId === 'WH-上海-02')).toBe(true);
  });
});

describe('the edge of GET /v1/vouchers', () => {
  it('is 401 without a verified caller, for any role otherwise', async () => {
    expect((await get({ period: '2026-10' }, null)).statusCode).toBe(401);
    expect((await get({ period: '2026-10' }, LEAD)).statusCode).toBe(200);
  });

  it('refuses a malformed query with the field named', async () => {
    for (const [query, field] of [
      [{ period: '2026-13' }, 'period'],
      [{ format: 'xml' }, 'format'],
      [{ status: 'booked' }, 'status'],
      [{ page: '2' }, 'query'],
    ] as const) {
      const answer = await get(query);
      expect(answer.statusCode).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'invalid_request' });
      expect(JSON.parse(answer.text).message).toContain(field);
    }
  });
});
