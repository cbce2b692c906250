import { GetObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { pdfText } from '../report/pdf-inspect.js';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, entry, lambdaContext, movement, webhookEvent, type Aws } from './ingest-harness.js';
import { apiEvent, runAll, startRunsAws } from './runs-harness.js';
import { reportKeys, type ReportedRun } from '../../lib/adapters/runs/report-keys.js';
import { BUCKET, ENV, RECORDS_TABLE, RUNS_TABLE } from '../../lib/declarations/tables.js';
import { Api } from '../../lib/stacks/api.js';
import { Data } from '../../lib/stacks/data.js';
import { Runs } from '../../lib/stacks/runs.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { Storage } from '../../lib/stacks/storage.js';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { PROJECT_ROOT, testStack } from '../stacks/cdk-context.js';
import { arnJoin, logicalIdOf, statementsFor, statementsOf } from '../stacks/iam-statements.js';

// The report of a run (issue 6, item 4): rendered to S3 at the end of the run by the real handlers on
// the embedded DynamoDB and S3, and handed out as presigned links by GET /v1/runs/{runId}/report.
const AS_OF = '2026-11-02T00:00:00.000Z';
const RUN_ID = 'close-report';
const PREVIOUS_ID = 'close-october';

let aws: Aws;
let run: ReportedRun;

const call = async (path: string, query: Record<string, string> = {}) =>
  (await runsApi(apiEvent('GET', path, { query }), lambdaContext())) as {
    statusCode: number;
    headers?: Record<string, string>;
    body?: string;
  };

async function stored(key: string): Promise<Buffer> {
  const answer = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET.localName, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

beforeAll(async () => {
  aws = await startRunsAws();
  // WMS receipts without finance entries and finance entries without movements: discrepancies;
  // and three rows the webhooks reject (a quantity that is no number, an unknown type).
  const movements = [
    ...Array.from({ length: 40 }, (_, n) => movement(n)),
    movement(900, { quantity: 'ten' }),
    movement(901, { type: 'GIFT' }),
  ];
  const entries = [...Array.from({ length: 10 }, (_, n) => entry(1000 + n)), entry(1900, { amount: 'x' })];
  for (const [path, body] of [
    ['/v1/movements', movements],
    ['/v1/entries', entries],
  ] as const) {
    const answer = answerOf(await webhook(webhookEvent(JSON.stringify(body), { path }), lambdaContext()));
    expect(answer.body.accepted).toBe(body.length - (path === '/v1/movements' ? 2 : 1));
  }
  // October's close first: the report of the November close sets its figures beside its own.
  await runAll({ runId: PREVIOUS_ID, mode: 'close', period: '2026-10', asOf: '2026-11-01T00:00:00.000Z' });
  run = (await runAll({ runId: RUN_ID, mode: 'close', asOf: AS_OF })).run as ReportedRun;
}, 120_000);
afterAll(async () => {
  await aws?.stop();
});

describe('the report of a run', () => {
  it('writes reports/<runId>/report.{pdf,xlsx,csv} at the end of the run and lists their keys on the run', async () => {
    const keys = reportKeys(RUN_ID);
    expect(keys).toEqual({
      pdf: `reports/${RUN_ID}/report.pdf`,
      xlsx: `reports/${RUN_ID}/report.xlsx`,
      csv: `reports/${RUN_ID}/report.csv`,
    });
    expect(run.reports).toEqual(keys);
    const got = await call(`/v1/runs/${RUN_ID}`);
    expect((JSON.parse(got.body ?? '{}') as ReportedRun).reports).toEqual(keys);

    expect((await stored(keys.pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await stored(keys.xlsx)).subarray(0, 2).toString('latin1')).toBe('PK');
    const csv = (await stored(keys.csv)).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(run.summary?.discrepancies).toBeGreaterThan(0);
    expect(csv.trim().split('\n').length).toBe((run.summary?.discrepancies ?? 0) + 1);
  });

  it('fills what a controller signs: sources, rejected rows, company, period, comparison, analysis, sign-off', async () => {
    const keys = reportKeys(RUN_ID);
    const text = (await pdfText(await stored(keys.pdf))).map((p) => p.text).join(' ');
    // The company and who signs come from the workflow configuration (config/workflow.yaml).
    expect(text).toContain('示例商贸有限公司 Example Trading Co., Ltd.');
    expect(text).toContain('财务经理 Financial controller');
    expect(text).toContain('wang.lead');
    // A close without a period closes the one holding the instant before its asOf (CONTRACT §7).
    expect(text).toMatch(/会计期间 Period 2026-11/);
    // The data sources: the two webhook deliveries, their rows and what they rejected.
    expect(text).toMatch(/WMS出入库记录 WMS movements webhook \(1 批 deliveries\) 42 40 2/);
    expect(text).toMatch(/财务分录 Finance entries webhook \(1 批 deliveries\) 11 10 1/);
    expect(text).toContain('拒收行 Rejected input rows 3 行 rows');
    expect(text).toContain('quantity');
    // October's close beside November's.
    expect(text).toContain(`本期 2026-11 / 上期 2026-10 (${PREVIOUS_ID})`);
    for (const section of [
      '原因分析 Cause analysis',
      '整改进度 Rectification progress',
      '责任人追踪 Owners and due dates',
    ]) {
      expect(text).toContain(section);
    }

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await stored(keys.xlsx)) as unknown as ExcelJS.Buffer);
    const rows = new Map<string, ExcelJS.Row>();
    workbook.getWorksheet('汇总 Summary')!.eachRow((row) => rows.set(String(row.getCell(1).value), row));
    expect(rows.get('公司 Company')!.getCell(2).value).toBe('示例商贸有限公司 Example Trading Co., Ltd.');
    expect(rows.get('拒收行 Rejected rows')!.getCell(2).value).toBe(3);
    expect(workbook.getWorksheet('拒收行 Rejected rows')!.rowCount).toBe(4);
  });

  it('answers 302 to a presigned link on the embedded S3 that returns exactly the stored bytes', async () => {
    const answer = await call(`/v1/runs/${RUN_ID}/report`, { format: 'xlsx' });
    expect(answer.statusCode).toBe(302);
    const location = answer.headers?.location ?? '';
    expect(location).toContain(process.env[ENV.s3Endpoint] ?? 'missing endpoint');
    expect(location).toContain(`report.xlsx`);
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('3600');
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(await stored(reportKeys(RUN_ID).xlsx))).toBe(true);

    const pdf = await call(`/v1/runs/${RUN_ID}/report`);
    expect(pdf.statusCode).toBe(302);
    expect(new URL(pdf.headers?.location ?? '').pathname).toMatch(/report\.pdf$/);
  });

  it('refuses a link once it has expired', async () => {
    const answer = await call(`/v1/runs/${RUN_ID}/report`, { format: 'csv', expiresIn: '1' });
    expect(answer.statusCode).toBe(302);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const fetched = await fetch(answer.headers?.location ?? '');
    expect(fetched.status).toBe(403);
  });

  it('takes the default lifetime from STOCKTALLY_REPORT_LINK_SECONDS', async () => {
    process.env.STOCKTALLY_REPORT_LINK_SECONDS = '600';
    try {
      const answer = await call(`/v1/runs/${RUN_ID}/report`, { format: 'csv' });
      expect(new URL(answer.headers?.location ?? '').searchParams.get('X-Amz-Expires')).toBe('600');
    } finally {
      delete process.env.STOCKTALLY_REPORT_LINK_SECONDS;
    }
  });

  it('refuses a lifetime over 7 days (400 naming expiresIn) and an unknown format', async () => {
    const tooLong = await call(`/v1/runs/${RUN_ID}/report`, { expiresIn: '604801' });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('expiresIn');
    const week = await call(`/v1/runs/${RUN_ID}/report`, { expiresIn: '604800' });
    expect(week.statusCode).toBe(302);
    const format = await call(`/v1/runs/${RUN_ID}/report`, { format: 'docx' });
    expect(format.statusCode).toBe(400);
    expect(format.body).toContain('format');
  });

  it('answers 404 for an unknown run', async () => {
    const answer = await call('/v1/runs/no-such-run/report', { format: 'pdf' });
    expect(answer.statusCode).toBe(404);
  });
});

describe('the report permissions', () => {
  it('lets the runs API role s3:GetObject only under reports/', () => {
    const stack = testStack();
    const stage = stageOf('dev');
    const data = new Data(stack, 'Data', { stage });
    const storage = new Storage(stack, 'Storage', { stage });
    const runs = new Runs(stack, 'Runs', {
      stage,
      projectRoot: PROJECT_ROOT,
      records: data.table(RECORDS_TABLE),
      runs: data.table(RUNS_TABLE),
      bucket: storage.bucket,
      api: new Api(stack, 'Api', { stage }),
      partitions: 64,
      timeZone: 'Asia/Shanghai',
    });
    const template = Template.fromStack(stack);
    const bucket = logicalIdOf(storage.bucket, stack);
    expect(statementsFor(statementsOf(template, runs.functions.runsApi.role), 's3')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: arnJoin(bucket, '/reports/*') },
    ]);
  });
});
