// Runs benchmark (issue 5): a close run over N ingested documents on the local stack, the state machine
// the CDK stack synthesizes executed by aws-local-stepfunctions with the real handlers, against
// `stocktally reconcile` on the same files. Wall time, partitions, partitions/s and where the time
// goes (read, reconcile, write). The pipeline runs in this process as `stocktally start` runs it
// (dynalite in a process of its own, and s3rver). Not wired into `npm run bench`; build first (npm run build), then:
//
//   npx esbuild bench/runs.ts --bundle --platform=node --format=esm --target=node22 \
//     --outfile=dist/bench-runs.js --external:dynalite --external:s3rver --external:aws-local-stepfunctions \
//     --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
//   node dist/bench-runs.js [--documents 100000] [--concurrency 8]
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { RunRecord } from '../lib/core/runs/run-events.js';
import { BUCKET } from '../lib/declarations/tables.js';
import { startPipeline, type Pipeline } from '../lib/local/wiring/pipeline.js';
import { loadRealHandlers } from '../lib/local/wiring/real-handlers.js';
import { loadRealRunHandlers } from '../lib/local/wiring/real-run-handlers.js';
import { getRun, startRun } from '../lib/local/clients/run-client.js';
import { loadRunDefinitionFile, type AslDefinition } from '../lib/local/standins/state-machine.js';
import { AS_OF, generate } from './generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'bench-runs-token';
const run = promisify(execFile);

export interface RunsBenchOptions {
  documents?: number;
  /** The inline Map's MaxConcurrency for this bench (the stack's default is 8). */
  concurrency?: number;
  /** Keep the pipeline's data directory (for a look at the stored run). */
  keep?: boolean;
}

export interface RunsBenchRow {
  what: string;
  seconds: number;
  partitions: number;
  partitionsPerSecond: number;
  /** Read, reconcile and write, in seconds: summed over partitions for the run, wall for the CLI. */
  readS: number;
  reconcileS: number;
  writeS: number;
  discrepancies: number;
  note: string;
}

export interface RunsBenchResult {
  documents: number;
  rows: number;
  ingestSeconds: number;
  rowsPerSecond: number;
  table: RunsBenchRow[];
}

/** The data set `npm run bench` made (bench/data/N/), or a fresh one with the same generator seed. */
async function dataSet(documents: number) {
  const dir = path.join(ROOT, 'bench', 'data', String(documents));
  const files = {
    uom: path.join(dir, 'uom.csv'),
    wms: path.join(dir, 'wms.csv'),
    finance: path.join(dir, 'finance.csv'),
  };
  if (existsSync(path.join(dir, 'meta.json')) && Object.values(files).every((f) => existsSync(f))) {
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as {
      result: { wmsRows: number; financeRows: number };
    };
    return { rows: meta.result.wmsRows + meta.result.financeRows, files };
  }
  const out = mkdtempSync(path.join(tmpdir(), 'bench-runs-data-'));
  const result = await generate({
    documents,
    seed: 20261102,
    outDir: out,
    format: 'csv',
    malformedEvery: 50_000,
  });
  return { rows: result.wmsRows + result.financeRows, files: result.files };
}

/** Both sources (and the unit table first) through S3 drops, as the bulk path takes them. */
async function ingest(pipeline: Pipeline, files: Record<'uom' | 'wms' | 'finance', string>): Promise<void> {
  for (const kind of ['uom', 'wms', 'finance'] as const) {
    const key = `${BUCKET.incomingPrefix}${kind}/bench.csv`;
    const outcome = pipeline.trigger.nextOutcome(key, 60 * 60_000);
    await pipeline.s3Client.send(
      new PutObjectCommand({ Bucket: pipeline.bucket, Key: key, Body: readFileSync(files[kind]) }),
    );
    const result = await outcome;
    if (!result.ok) throw new Error(`ingest of ${key} failed: ${result.error ?? 'unknown'}`);
    const report = await pipeline.s3Client.send(
      new GetObjectCommand({ Bucket: pipeline.bucket, Key: `${BUCKET.ingestReportPrefix}${key}.json` }),
    );
    const counts = JSON.parse((await report.Body?.transformToString()) ?? '{}') as { accepted?: number };
    process.stderr.write(`  ingested ${kind}: ${counts.accepted ?? '?'} rows accepted\n`);
  }
}

/** The definition the stack synthesizes, with the bench's Map concurrency (the only change). */
function withConcurrency(definition: AslDefinition, concurrency: number | undefined): AslDefinition {
  if (concurrency === undefined) return definition;
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  const map = copy.States.ReconcilePartitions;
  if (map !== undefined) map.MaxConcurrency = concurrency;
  return copy;
}

async function closeRun(pipeline: Pipeline): Promise<{ record: RunRecord; seconds: number }> {
  const client = { api: pipeline.api, token: TOKEN };
  const began = performance.now();
  const runId = await startRun(client, { mode: 'close', asOf: AS_OF });
  const execution = pipeline.runs?.execution(runId);
  if (execution === undefined) throw new Error(`run ${runId} has no local execution`);
  await execution.done;
  const seconds = (performance.now() - began) / 1000;
  if (execution.status !== 'SUCCEEDED') throw new Error(`run ${runId}: ${execution.error ?? 'failed'}`);
  return { record: await getRun(client, runId), seconds };
}

async function reconcileFiles(files: Record<'uom' | 'wms' | 'finance', string>, partitions: number) {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-runs-cli-'));
  try {
    const began = performance.now();
    await run(process.execPath, [
      path.join(ROOT, 'dist', 'stocktally.js'),
      'reconcile',
      '--wms',
      files.wms,
      '--finance',
      files.finance,
      '--uom',
      files.uom,
      '--as-of',
      AS_OF,
      '--out',
      out,
      '--no-report',
      '--quiet',
    ]);
    const seconds = (performance.now() - began) / 1000;
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
      discrepancies: number;
      run: { partitions: number; phasesMs: { read: number; reconcile: number; write: number } };
    };
    return { seconds, summary, partitions: summary.run.partitions ?? partitions };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const ms = (n: number | undefined) => (n ?? 0) / 1000;

export async function benchRuns(options: RunsBenchOptions = {}): Promise<RunsBenchResult> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const documents = options.documents ?? 100_000;
  const data = await dataSet(documents);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-runs-'));
  const pipeline = await startPipeline({
    dataDir,
    port: 0,
    webhookSecret: 'bench-runs-secret',
    token: TOKEN,
    loadHandlers: loadRealHandlers,
    runs: {
      loadHandlers: loadRealRunHandlers,
      definition: withConcurrency(loadRunDefinitionFile().definition, options.concurrency),
    },
  });
  try {
    process.stderr.write(`runs bench: ${documents} documents (${data.rows} rows) into the local stack\n`);
    const ingestBegan = performance.now();
    await ingest(pipeline, data.files);
    const ingestSeconds = (performance.now() - ingestBegan) / 1000;

    const { record, seconds } = await closeRun(pipeline);
    const t = record.timings as Record<string, number | undefined>;
    const partitions = record.partitions.length;
    const cli = await reconcileFiles(data.files, partitions);
    const p = cli.summary.run.phasesMs;
    const table: RunsBenchRow[] = [
      {
        what: `close run, local state machine (Map ${options.concurrency ?? 8} at once)`,
        seconds,
        partitions,
        partitionsPerSecond: partitions / seconds,
        readS: ms(t.readMs),
        reconcileS: ms(t.reconcileMs),
        writeS: ms(t.writeMs),
        discrepancies: record.summary?.discrepancies ?? -1,
        note: `list ${ms(t.listMs).toFixed(2)} s, summarize ${ms(t.summarizeMs).toFixed(2)} s; phases summed over partitions`,
      },
      {
        what: 'stocktally reconcile, same files',
        seconds: cli.seconds,
        partitions: cli.partitions,
        partitionsPerSecond: cli.partitions / cli.seconds,
        readS: p.read / 1000,
        reconcileS: p.reconcile / 1000,
        writeS: p.write / 1000,
        discrepancies: cli.summary.discrepancies,
        note: 'reads CSV files; phases are wall time',
      },
    ];
    return { documents, rows: data.rows, ingestSeconds, rowsPerSecond: data.rows / ingestSeconds, table };
  } finally {
    await pipeline.stop();
    if (options.keep !== true) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatRunsBench(result: RunsBenchResult): string {
  const header = [
    '',
    'wall s',
    'partitions',
    'partitions/s',
    'read s',
    'reconcile s',
    'write s',
    'discrepancies',
    'note',
  ];
  const rows = result.table.map((r) => [
    r.what,
    r.seconds.toFixed(2),
    String(r.partitions),
    r.partitionsPerSecond.toFixed(1),
    r.readS.toFixed(2),
    r.reconcileS.toFixed(2),
    r.writeS.toFixed(2),
    String(r.discrepancies),
    r.note,
  ]);
  const [run, cli] = result.table;
  const lines = [
    `${result.documents} documents, ${result.rows} rows; ingest (S3 drops) ${result.ingestSeconds.toFixed(1)} s, ${result.rowsPerSecond.toFixed(0)} rows/s`,
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (run !== undefined && cli !== undefined)
    lines.push(`run / reconcile: ${(run.seconds / cli.seconds).toFixed(2)}x`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  benchRuns({
    ...(values.documents === undefined ? {} : { documents: Number(values.documents) }),
    ...(values.concurrency === undefined ? {} : { concurrency: Number(values.concurrency) }),
    keep: values.keep === true,
  }).then(
    (result) => {
      process.stdout.write(`${formatRunsBench(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
