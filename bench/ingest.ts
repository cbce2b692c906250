// Ingest benchmark: rows/s of the S3 drop path and of the webhooks into the embedded DynamoDB, and the
// peak RSS of the ingest function while it streams a large drop. The real handlers run in this process,
// as in a Lambda container; dynalite and s3rver run in child processes, as DynamoDB and S3 are remote
// services, so this process's RSS is the function's own. Not wired into `npm run bench`; run it with:
//
//   npx esbuild bench/ingest.ts --bundle --platform=node --format=esm --target=node22 \
//     --outfile=dist/bench-ingest.js \
//     --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
//   node dist/bench-ingest.js [--drop-rows 200000] [--large-rows 1000000] [--large-full] [--webhook-batches 50]
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, Context, S3Event } from 'aws-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RecordSink } from '../lib/core/records/record-sink.js';
import { signBody } from '../lib/core/ingest/signature.js';
import { ZoneClock } from '../lib/core/shared/zone-clock.js';
import { BUCKET, ENV, RECORDS_TABLE, TABLES } from '../lib/declarations/tables.js';
import { createTableInput } from '../lib/local/standins/embedded-aws.js';
import { toAwsRecord } from '../lib/local/standins/s3-trigger.js';
import { generate } from './generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const SECRET = 'bench-secret';
/** WMS rows per generated document, measured on the 100k and 1M data sets. */
const ROWS_PER_DOCUMENT = 1.244;

export interface IngestBenchOptions {
  dropRows?: number;
  largeRows?: number;
  webhookBatches?: number;
  webhookBatchSize?: number;
  /** Also write the large file through the whole path (slow: dynalite slows down as it fills). */
  largeFull?: boolean;
}

export interface IngestBenchRow {
  path: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Peak RSS of this process during the step, MiB; the first and second half, to show it flat. */
  peakRssMiB: number;
  firstHalfPeakMiB: number;
  secondHalfPeakMiB: number;
  /** CPU used during the step as a share of one core: the function's process, and dynalite's. */
  functionCpuPercent: number;
  dynamoCpuPercent: number;
  note: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function child(script: string, args: string[]): ChildProcess {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  proc.unref();
  return proc;
}

async function until(ready: () => Promise<unknown>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await ready();
      return;
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

interface Stand {
  /** CPU seconds used so far by the dynalite process (Linux /proc), or NaN. */
  dynamoCpu(): number;
  dynamo: DynamoDBClient;
  s3: S3Client;
  /** Empty tables for the next step (the handlers' clients keep their endpoints). */
  reset(): Promise<void>;
  stop(): void;
}

/** A fresh dynalite and s3rver, each in its own process, with the declared tables and bucket. */
async function startStandIns(): Promise<Stand> {
  const [dynamoPort, s3Port] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'stocktally-bench-s3-'));
  const dynalite = child(path.join(ROOT, 'node_modules/dynalite/cli.js'), [
    '--host',
    '127.0.0.1',
    '--port',
    String(dynamoPort),
    '--createTableMs',
    '0',
  ]);
  const s3rver = child(path.join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), [
    '-d',
    dir,
    '-a',
    '127.0.0.1',
    '-p',
    String(s3Port),
    '-s',
  ]);
  const common = { region: 'us-east-1', credentials: CREDENTIALS };
  const dynamo = new DynamoDBClient({ ...common, endpoint: `http://127.0.0.1:${dynamoPort}` });
  const s3 = new S3Client({
    ...common,
    endpoint: `http://127.0.0.1:${s3Port}`,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await until(() => dynamo.send(new ListTablesCommand({})));
  await until(() => s3.send(new CreateBucketCommand({ Bucket: BUCKET.localName })));
  const reset = async () => {
    const existing = new Set((await dynamo.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const table of TABLES) {
      if (existing.has(table.localName)) {
        await dynamo.send(new DeleteTableCommand({ TableName: table.localName }));
        await until(async () => {
          const described = await dynamo.send(new DescribeTableCommand({ TableName: table.localName })).then(
            () => true,
            () => false,
          );
          if (described) throw new Error(`${table.localName} is still being deleted`);
        });
      }
      await dynamo.send(new CreateTableCommand(createTableInput(table)));
    }
  };
  await reset();
  Object.assign(process.env, {
    [RECORDS_TABLE.env]: RECORDS_TABLE.localName,
    [BUCKET.env]: BUCKET.localName,
    [ENV.dynamodbEndpoint]: `http://127.0.0.1:${dynamoPort}`,
    [ENV.s3Endpoint]: `http://127.0.0.1:${s3Port}`,
    [ENV.webhookSecret]: SECRET,
  });
  return {
    dynamoCpu: () => cpuSecondsOf(dynalite.pid),
    dynamo,
    s3,
    reset,
    stop() {
      dynamo.destroy();
      s3.destroy();
      dynalite.kill();
      s3rver.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** utime + stime of a process in seconds, from /proc (Linux); NaN elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Measure {
  rows: number;
  seconds: number;
  peak: number;
  firstHalf: number;
  secondHalf: number;
  /** CPU seconds of this process (the function) and of dynalite during the step. */
  cpu: number;
  dynamoCpu: number;
}

/** Samples this process's RSS while `work` runs, and the CPU both sides used. */
async function measured(stand: Stand, work: () => Promise<number>): Promise<Measure> {
  const cpu0 = process.cpuUsage();
  const dynamo0 = stand.dynamoCpu();
  const samples: { at: number; rss: number }[] = [];
  const sample = () => samples.push({ at: performance.now(), rss: process.memoryUsage.rss() });
  const timer = setInterval(sample, 25);
  const start = performance.now();
  sample();
  const rows = await work();
  sample();
  clearInterval(timer);
  const end = performance.now();
  const mid = (start + end) / 2;
  const peakOf = (list: typeof samples) => Math.max(0, ...list.map((s) => s.rss)) / 1024 / 1024;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpu: (cpu.user + cpu.system) / 1e6,
    dynamoCpu: stand.dynamoCpu() - dynamo0,
    rows,
    seconds: (end - start) / 1000,
    peak: peakOf(samples),
    firstHalf: peakOf(samples.filter((s) => s.at < mid)),
    secondHalf: peakOf(samples.filter((s) => s.at >= mid)),
  };
}

/** A Lambda context whose remaining time runs down from `budgetMs`, as a real invocation's does. */
function context(budgetMs = 15 * 60_000): Context {
  const deadline = Date.now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
    memoryLimitInMB: '1024',
    awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
    logGroupName: 'bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A cached generated WMS CSV of about `rows` data rows. */
async function wmsFile(rows: number): Promise<{ file: string; rows: number }> {
  const documents = Math.ceil(rows / ROWS_PER_DOCUMENT);
  const outDir = path.join(ROOT, 'bench', 'data', `ingest-${documents}`);
  const file = path.join(outDir, 'wms.csv');
  const meta = path.join(outDir, 'rows.json');
  if (!existsSync(meta)) {
    const result = await generate({ documents, seed: 20261102, outDir, format: 'csv' });
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(meta, JSON.stringify({ rows: result.wmsRows })),
    );
  }
  return { file, rows: (JSON.parse(readFileSync(meta, 'utf8')) as { rows: number }).rows };
}

function s3Event(key: string, etag: string): S3Event {
  return {
    Records: [
      toAwsRecord({ eventName: 'ObjectCreated:Put' }, BUCKET.localName, { key, size: 0, eTag: etag }),
    ],
  };
}

/** Uploads a generated WMS drop of about `rows` rows to incoming/wms/ and returns its event. */
async function upload(
  stand: Stand,
  rows: number,
): Promise<{ key: string; etag: string; event: S3Event; mb: number }> {
  const data = await wmsFile(rows);
  const key = `incoming/wms/bench-${rows}.csv`;
  const size = statSync(data.file).size;
  const put = await stand.s3.send(
    new PutObjectCommand({
      Bucket: BUCKET.localName,
      Key: key,
      Body: createReadStream(data.file),
      ContentLength: size,
    }),
  );
  const etag = (put.ETag ?? '').replace(/"/g, '');
  return { key, etag, event: s3Event(key, etag), mb: size / 1e6 };
}

/** The S3 drop function end to end: stream, validate, idempotent writes, checkpoints, report. */
async function benchDrop(stand: Stand, label: string, rows: number): Promise<IngestBenchRow> {
  await stand.reset();
  const { handler } = await import('../functions/ingest/s3-drop.js');
  const drop = await upload(stand, rows);
  let accepted = 0;
  let invocations = 0;
  const m = await measured(stand, async () => {
    // As the Lambda service retries a failed asynchronous invocation: each try gets 15 fresh minutes.
    for (;;) {
      invocations++;
      try {
        await handler(drop.event, context());
        break;
      } catch (error) {
        if ((error as { name?: string }).name !== 'DropIncompleteError' || invocations >= 10) throw error;
      }
    }
    const report = await stand.s3.send(
      new GetObjectCommand({ Bucket: BUCKET.localName, Key: `${BUCKET.ingestReportPrefix}${drop.key}.json` }),
    );
    const parsed = JSON.parse((await report.Body?.transformToString()) ?? '{}') as {
      accepted: number;
      rows: number;
    };
    accepted = parsed.accepted;
    return parsed.rows;
  });
  return row(label, m, `${accepted} accepted, ${drop.mb.toFixed(0)} MB, ${invocations} invocation(s)`);
}

/** The same drop with a store that keeps nothing: the function's own ceiling (read, decode, parse, hash). */
async function benchDropWithoutStore(stand: Stand, rows: number): Promise<IngestBenchRow> {
  await stand.reset();
  const { ingestDrop } = await import('../lib/app/ingest/drop-ingest.js');
  const { checkpointStore, objectStore } = await import('../lib/adapters/ingest/containers.js');
  const { canonicalText, contentHash } = await import('../lib/core/records/content-hash.js');
  const drop = await upload(stand, rows);
  const discard: RecordSink = {
    write: async (records) => {
      for (const r of records) contentHash(canonicalText(r));
      return { accepted: records.length, duplicates: 0, conflicts: [] };
    },
  };
  const deps = {
    objects: objectStore(),
    records: discard,
    checkpoints: checkpointStore(),
    zone: new ZoneClock('UTC'),
    now: () => new Date(),
  };
  const m = await measured(stand, async () => {
    const report = await ingestDrop(
      { bucket: BUCKET.localName, key: drop.key, etag: drop.etag },
      deps,
      () => 900_000,
    );
    return report?.rows ?? 0;
  });
  return row(`S3 drop, ~${rows} rows, hashed, not stored`, m, `the function alone, ${drop.mb.toFixed(0)} MB`);
}

function movementBatch(batch: number, size: number): string {
  const records = [];
  for (let i = 0; i < size; i++) {
    const n = batch * size + i;
    records.push({
      eventId: `W${String(n).padStart(9, '0')}`,
      warehouseId: n % 7 === 0 ? 'WH-上海-02' : `WH-${String(n % 10).padStart(2, '0')}`,
      sku: `SKU-${String(n % 40_000).padStart(5, '0')}`,
      type: n % 3 === 0 ? 'SHIPMENT' : 'RECEIPT',
      quantity: String(1 + (n % 500)),
      uom: 'EA',
      documentRef: `DOC-${String(Math.floor(n / 2)).padStart(7, '0')}`,
      occurredAt: '2026-10-13T17:23:00Z',
      unitCost: '12.50',
    });
  }
  return JSON.stringify(records);
}

function webhookEvent(body: string, id: number): APIGatewayProxyEventV2 {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    routeKey: 'POST /v1/movements',
    rawPath: '/v1/movements',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'x-stocktally-timestamp': timestamp,
      'x-stocktally-signature': signBody(SECRET, timestamp, body),
    },
    isBase64Encoded: false,
    body,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/v1/movements',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: `bench-${id}`,
      routeKey: 'POST /v1/movements',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
  };
}

async function benchWebhooks(
  stand: Stand,
  batches: number,
  size: number,
  inFlight: number,
): Promise<IngestBenchRow> {
  await stand.reset();
  {
    const { handler } = await import('../functions/ingest/webhook.js');
    const bodies = Array.from({ length: batches }, (_, b) => movementBatch(b, size));
    let accepted = 0;
    let next = 0;
    const m = await measured(stand, async () => {
      const lane = async () => {
        while (next < bodies.length) {
          const b = next++;
          const answer = (await handler(webhookEvent(bodies[b] ?? '[]', b), context())) as {
            statusCode: number;
            body: string;
          };
          if (answer.statusCode !== 200)
            throw new Error(`webhook answered ${answer.statusCode}: ${answer.body}`);
          accepted += (JSON.parse(answer.body) as { accepted: number }).accepted;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
      return batches * size;
    });
    return row(`webhook, ${size} records/request, ${inFlight} in flight`, m, `${accepted} accepted`);
  }
}

function row(label: string, m: Measure, note: string): IngestBenchRow {
  return {
    functionCpuPercent: (100 * m.cpu) / m.seconds,
    dynamoCpuPercent: (100 * m.dynamoCpu) / m.seconds,
    path: label,
    rows: m.rows,
    seconds: m.seconds,
    rowsPerSecond: m.rows / m.seconds,
    peakRssMiB: m.peak,
    firstHalfPeakMiB: m.firstHalf,
    secondHalfPeakMiB: m.secondHalf,
    note,
  };
}

const COLUMNS = [
  ['path', 52],
  ['rows', 8],
  ['s', 7],
  ['rows/s', 7],
  ['peak RSS MiB', 12],
  ['1st half', 8],
  ['2nd half', 8],
  ['fn CPU', 6],
  ['dynalite CPU', 12],
  ['note', 0],
] as const;

function printLine(cells: string[]): void {
  process.stdout.write(
    cells
      .map((c, i) => c.padEnd(COLUMNS[i]?.[1] ?? 0))
      .join('  ')
      .trimEnd() + '\n',
  );
}

function printHeader(): void {
  printLine(COLUMNS.map(([name]) => name));
  printLine(COLUMNS.map(([name, width]) => '-'.repeat(Math.max(width, name.length))));
}

function printRow(r: IngestBenchRow): void {
  printLine([
    r.path,
    String(r.rows),
    r.seconds.toFixed(1),
    r.rowsPerSecond.toFixed(0),
    r.peakRssMiB.toFixed(0),
    r.firstHalfPeakMiB.toFixed(0),
    r.secondHalfPeakMiB.toFixed(0),
    `${r.functionCpuPercent.toFixed(0)}%`,
    Number.isNaN(r.dynamoCpuPercent) ? 'n/a' : `${r.dynamoCpuPercent.toFixed(0)}%`,
    r.note,
  ]);
}

export async function benchIngest(options: IngestBenchOptions = {}): Promise<IngestBenchRow[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const dropRows = options.dropRows ?? 200_000;
  const largeRows = options.largeRows ?? 1_000_000;
  const batches = options.webhookBatches ?? 50;
  const size = options.webhookBatchSize ?? 1_000;
  const results: IngestBenchRow[] = [];
  const stand = await startStandIns();
  const step = async (run: () => Promise<IngestBenchRow>) => {
    const result = await run();
    results.push(result);
    printRow(result);
  };
  printHeader();
  try {
    await step(() => benchDrop(stand, `S3 drop, CSV, ~${dropRows} rows`, dropRows));
    await step(() => benchDropWithoutStore(stand, dropRows));
    await step(() => benchWebhooks(stand, batches, size, 1));
    await step(() => benchWebhooks(stand, batches, size, 4));
    if (largeRows > 0) {
      await step(() => benchDropWithoutStore(stand, largeRows));
      if (options.largeFull === true)
        await step(() => benchDrop(stand, `S3 drop, CSV, ~${largeRows} rows`, largeRows));
    }
  } finally {
    stand.stop();
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      'drop-rows': { type: 'string' },
      'large-rows': { type: 'string' },
      'webhook-batches': { type: 'string' },
      'large-full': { type: 'boolean' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  benchIngest({
    dropRows: num(values['drop-rows']),
    largeRows: num(values['large-rows']),
    webhookBatches: num(values['webhook-batches']),
    largeFull: values['large-full'] === true,
  }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
