// `npm run bench`: generates data sets of the given sizes (cached in bench/data/<size>/), runs the bundled
// CLI on each as a child process, measures wall time and peak RSS, and checks the answer against the
// generator's truth.json the way /work/shared/acceptance/check.py does.
//
//   node --expose-gc dist/bench.js [--sizes 100000,1m] [--keep] [--format csv|ndjson] [--seed N]
//                                  [--malformed-every N] [--timeout SECONDS]
//                                  [--peer PATH | --no-peer] [--pairs 3] [--peer-size 1m]
//
// --keep keeps each run's output directory (its path is printed) instead of deleting it.
// Then, side by side (bench/peer.ts), the DuckDB peer (default ../shared/peers/peer-duckdb.mjs, its
// dependency installed once in bench/data/peer when it has none) and the CLI on the same plain CSV set
// (--peer-size documents, no malformed rows: the peer refuses them), --pairs alternated pairs, medians.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AS_OF, generate, type GenerateResult } from './generate.js';
import { diagnosisBacktest, type BacktestRow } from './diagnosis.js';
import { preparePeer, sideBySide } from './peer.js';

const USAGE = `Usage: node --expose-gc dist/bench.js [--sizes 100000,1000000] [--keep] [--format csv|ndjson]
                                    [--seed N] [--malformed-every N] [--timeout SECONDS]
                                    [--peer PATH | --no-peer] [--pairs 3] [--peer-size 1m]`;

interface Options {
  sizes: number[];
  keep: boolean;
  format: 'csv' | 'ndjson';
  seed: number;
  malformedEvery: number;
  timeoutSeconds: number;
  /** The DuckDB peer's script, or undefined (--no-peer). */
  peer: string | undefined;
  pairs: number;
  peerSize: number;
}

interface Meta {
  options: { generator: string; documents: number; seed: number; format: string; malformedEvery: number };
  result: GenerateResult;
}

interface Row {
  documents: number;
  wmsRows?: number;
  financeRows?: number;
  inputBytes?: number;
  wallSeconds?: number;
  peakRssKiB?: number;
  exact?: boolean;
  notes: string[];
}

// dist/bench.js -> the checkout; bench/run.ts (under a TS loader) -> the same.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'stocktally.js');

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  const n = m === null ? NaN : Number(m[1]) * ({ k: 1e3, m: 1e6 }[(m[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`not a document count: ${text}`);
  return n;
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number: ${text}`);
  return Number(text);
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      keep: { type: 'boolean' },
      format: { type: 'string' },
      seed: { type: 'string' },
      'malformed-every': { type: 'string' },
      timeout: { type: 'string' },
      peer: { type: 'string' },
      'no-peer': { type: 'boolean' },
      pairs: { type: 'string' },
      'peer-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'ndjson') throw new Error(`--format must be csv or ndjson: ${format}`);
  return {
    sizes: (values.sizes ?? '100000,1000000').split(',').map(parseSize),
    keep: values.keep === true,
    format,
    seed: wholeNumber('seed', values.seed, 20261102),
    // A few malformed rows per file, as the acceptance data has, without drowning the run in them.
    malformedEvery: wholeNumber('malformed-every', values['malformed-every'], 50_000),
    timeoutSeconds: wholeNumber('timeout', values.timeout, 3600),
    peer:
      values['no-peer'] === true
        ? undefined
        : path.resolve(values.peer ?? path.join(ROOT, '..', 'shared', 'peers', 'peer-duckdb.mjs')),
    pairs: Math.max(1, wholeNumber('pairs', values.pairs, 3)),
    peerSize: parseSize(values['peer-size'] ?? '1m'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Data sets

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

/**
 * A hash of a small probe set made with the same seed and format: when the generator's code changes what
 * it writes, cached data sets stop matching and are made again (no version number to forget to bump).
 */
async function generatorFingerprint(opts: Options): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stocktally-bench-probe-'));
  try {
    const r = await generate({
      documents: 500,
      seed: opts.seed,
      outDir: dir,
      format: opts.format,
      malformedEvery: 7,
    });
    const hash = createHash('sha256');
    for (const f of [r.files.wms, r.files.finance, r.files.uom, path.join(dir, 'truth.json')]) {
      hash.update(await readFile(f));
    }
    return hash.digest('hex').slice(0, 16);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function dataSet(
  opts: Options,
  documents: number,
  fingerprint: string,
): Promise<{ dir: string; result: GenerateResult }> {
  const dir = path.join(
    ROOT,
    'bench',
    'data',
    (opts.format === 'csv' ? String(documents) : `${documents}-ndjson`) +
      (opts.malformedEvery === 0 ? '-plain' : ''),
  );
  const options: Meta['options'] = {
    generator: fingerprint,
    documents,
    seed: opts.seed,
    format: opts.format,
    malformedEvery: opts.malformedEvery,
  };
  const metaFile = path.join(dir, 'meta.json');
  if (existsSync(metaFile)) {
    try {
      const meta = (await readJson(metaFile)) as Meta;
      const files = [meta.result.files.wms, meta.result.files.finance, meta.result.files.uom];
      if (
        JSON.stringify(meta.options) === JSON.stringify(options) &&
        [...files, path.join(dir, 'truth.json')].every((f) => existsSync(f))
      ) {
        log(`${documents}: reusing ${path.relative(ROOT, dir)}`);
        return { dir, result: meta.result };
      }
    } catch {
      // Unreadable meta: generate afresh.
    }
  }
  // meta.json is written last, so an interrupted generation is never mistaken for a finished one.
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  const sampler = startSelfSampler();
  const result = await generate({
    documents,
    seed: opts.seed,
    outDir: dir,
    format: opts.format,
    malformedEvery: opts.malformedEvery,
  });
  const peak = sampler.stop();
  const seconds = (performance.now() - started) / 1000;
  await writeFile(metaFile, JSON.stringify({ options, result } satisfies Meta, null, 2) + '\n');
  log(
    `${documents}: generated ${path.relative(ROOT, dir)} in ${seconds.toFixed(1)} s, ` +
      `${(result.bytes / 1e6).toFixed(1)} MB, bench process peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
  return { dir, result };
}

/** Peak RSS of this process while generating (VmHWM covers its whole life, so sample instead). */
function startSelfSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Child process and its memory

async function procStatus(pid: number): Promise<{ hwm: number; rss: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { hwm: kib('VmHWM'), rss: kib('VmRSS') };
  } catch {
    return undefined; // gone already
  }
}

async function children(pid: number): Promise<number[]> {
  const out: number[] = [];
  try {
    for (const task of await readdir(`/proc/${pid}/task`)) {
      const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
      for (const c of text.split(' ')) if (/^\d+$/.test(c)) out.push(Number(c));
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

/**
 * Polls the process tree under `root` every 50 ms: the peak is the larger of any process's VmHWM and the
 * tree's summed VmRSS (the CLI may run workers as threads, which VmHWM covers, or as processes).
 */
function startTreeSampler(root: number, skipRoot: boolean): { stop: () => Promise<number> } {
  let peak = 0;
  let busy: Promise<void> = Promise.resolve();
  const sample = async (): Promise<void> => {
    const pids: number[] = [];
    const queue = [root];
    while (queue.length > 0 && pids.length < 1000) {
      const pid = queue.shift();
      if (pid === undefined) break;
      pids.push(pid);
      queue.push(...(await children(pid)));
    }
    let sum = 0;
    for (const pid of pids) {
      if (skipRoot && pid === root) continue;
      const s = await procStatus(pid);
      if (s === undefined) continue;
      peak = Math.max(peak, s.hwm);
      sum += s.rss;
    }
    peak = Math.max(peak, sum);
  };
  const timer = setInterval(() => {
    busy = busy.then(sample, sample);
  }, 50);
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
      return peak;
    },
  };
}

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  peakKiB: number;
  stderrTail: string;
  timedOut: boolean;
}

/** Runs node CLI ARGS, under GNU time when there is one (its %M sees the very end of the run). */
async function runCli(args: string[], timeoutSeconds: number): Promise<ChildRun> {
  const timeBin = '/usr/bin/time';
  const useTime = process.platform === 'linux' && existsSync(timeBin);
  const timeOut = path.join(os.tmpdir(), `stocktally-bench-time-${process.pid}-${Date.now()}.txt`);
  const command = useTime ? timeBin : process.execPath;
  const argv = useTime ? ['-f', '%M', '-o', timeOut, process.execPath, ...args] : args;
  const started = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const sampler = child.pid === undefined ? undefined : startTreeSampler(child.pid, useTime);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutSeconds * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', (e) => {
      stderr += String(e);
      resolve([null, null]);
    });
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  let peakKiB = (await sampler?.stop()) ?? 0;
  if (useTime) {
    const text = await readFile(timeOut, 'utf8').catch(() => '');
    await rm(timeOut, { force: true });
    const lines = text.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    if (/^\d+$/.test(last)) peakKiB = Math.max(peakKiB, Number(last));
  }
  return { code, signal, wallSeconds, peakKiB, stderrTail: stderr.trim(), timedOut };
}

// ---------------------------------------------------------------------------------------------------------
// Correctness, as /work/shared/acceptance/check.py counts it

interface Truth {
  discrepancies: { kind: string; warehouseId: string; sku: string; documentRef: string }[];
  rejected: { file: string; line: number }[];
}

interface Verdict {
  exact: boolean;
  missed: number;
  spurious: number;
  rejectedFound: number;
  rejectedWanted: number;
  extraRejected: number;
  examples: string[];
}

function counter(items: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function keyOf(d: unknown): string | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const r = d as Record<string, unknown>;
  if (r.kind === undefined || r.kind === null) return undefined;
  return JSON.stringify([r.kind, r.warehouseId, r.sku, r.documentRef]);
}

/**
 * The CLI writes one discrepancy per line (`[`, `{...},`, ..., `{...}`, `]`): read it line by line,
 * since at 10M documents the file is larger than the longest string V8 can hold. Any other layout
 * falls back to one JSON.parse, and a truncated file fails either way.
 */
async function readDiscrepancies(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let first = true;
  let closed = false;
  for await (const raw of lines) {
    const line = raw.trim();
    if (first) {
      first = false;
      if (line !== '[') return JSON.parse(await readFile(file, 'utf8')) as unknown[];
      continue;
    }
    if (line === ']') {
      closed = true;
      continue;
    }
    if (line !== '') out.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
  }
  if (!closed) throw new Error('the array is never closed');
  return out;
}

async function verdict(truthFile: string, outDir: string): Promise<Verdict> {
  const truth = (await readJson(truthFile)) as Truth;
  for (const f of ['discrepancies.json', 'summary.json']) {
    if (!existsSync(path.join(outDir, f)))
      throw new Error(`${f} missing: the CLI exited 0 without finishing its output`);
  }
  let got: unknown[];
  try {
    got = await readDiscrepancies(path.join(outDir, 'discrepancies.json'));
  } catch (e) {
    throw new Error(`discrepancies.json is not valid JSON (cut short?): ${(e as Error).message}`);
  }
  const want = counter(
    truth.discrepancies.map((d) => JSON.stringify([d.kind, d.warehouseId, d.sku, d.documentRef])),
  );
  const have = counter(got.map(keyOf).filter((k): k is string => k !== undefined));
  let missed = 0;
  let spurious = 0;
  const examples: string[] = [];
  for (const [k, n] of want) {
    const lack = n - (have.get(k) ?? 0);
    if (lack > 0) {
      missed += lack;
      if (examples.length < 3) examples.push(`missed ${k}`);
    }
  }
  for (const [k, n] of have) {
    const extra = n - (want.get(k) ?? 0);
    if (extra > 0) {
      spurious += extra;
      if (examples.length < 6) examples.push(`spurious ${k}`);
    }
  }
  const summary = (await readJson(path.join(outDir, 'summary.json'))) as { rejected?: unknown };
  const seen = new Set<string>();
  for (const r of Array.isArray(summary.rejected) ? (summary.rejected as unknown[]) : []) {
    const rec = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    seen.add(`${path.basename(String(rec.file ?? ''))}:${Number(rec.line ?? -1)}`);
  }
  let rejectedFound = 0;
  for (const r of truth.rejected) {
    if (seen.has(`${r.file}:${r.line}`)) rejectedFound++;
    else if (examples.length < 8) examples.push(`rejected row not reported: ${r.file}:${r.line}`);
  }
  const extraRejected = Math.max(0, seen.size - rejectedFound);
  return {
    exact: missed === 0 && spurious === 0 && rejectedFound === truth.rejected.length && extraRejected === 0,
    missed,
    spurious,
    rejectedFound,
    rejectedWanted: truth.rejected.length,
    extraRejected,
    examples,
  };
}

// ---------------------------------------------------------------------------------------------------------

function log(line: string): void {
  process.stderr.write(line + '\n');
}

async function benchSize(opts: Options, documents: number, fingerprint: string): Promise<Row> {
  const row: Row = { documents, notes: [] };
  const { dir, result } = await dataSet(opts, documents, fingerprint);
  row.wmsRows = result.wmsRows;
  row.financeRows = result.financeRows;
  row.inputBytes = result.bytes;
  globalThis.gc?.();
  if (!existsSync(CLI)) {
    row.notes.push(`${path.relative(ROOT, CLI)} not found: build the CLI first (npm run build)`);
    return row;
  }
  const out = await mkdtemp(path.join(os.tmpdir(), `stocktally-bench-${documents}-`));
  try {
    const run = await runCli(
      [
        CLI,
        'reconcile',
        '--wms',
        result.files.wms,
        '--finance',
        result.files.finance,
        '--uom',
        result.files.uom,
        '--as-of',
        AS_OF,
        '--out',
        out,
        '--quiet',
        '--no-report',
      ],
      opts.timeoutSeconds,
    );
    row.wallSeconds = run.wallSeconds;
    row.peakRssKiB = run.peakKiB > 0 ? run.peakKiB : undefined;
    if (run.timedOut) {
      row.notes.push(`CLI killed after ${opts.timeoutSeconds} s`);
      return row;
    }
    if (run.code !== 0) {
      const last = run.stderrTail.split('\n').filter(Boolean).slice(-3).join(' | ');
      row.notes.push(`CLI exited with ${run.code ?? run.signal ?? 'no status'}${last ? `: ${last}` : ''}`);
      return row;
    }
    try {
      const v = await verdict(path.join(dir, 'truth.json'), out);
      row.exact = v.exact;
      if (!v.exact) {
        row.notes.push(
          `missed ${v.missed}, spurious ${v.spurious}, rejected ${v.rejectedFound}/${v.rejectedWanted}, ` +
            `extra rejected ${v.extraRejected}`,
          ...v.examples.map((e) => `  ${e}`),
        );
      }
    } catch (e) {
      row.notes.push(`cannot check the output: ${(e as Error).message}`);
    }
    return row;
  } finally {
    if (opts.keep) log(`${documents}: output kept in ${out}`);
    else await rm(out, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const header = [
    'documents',
    'WMS rows',
    'finance rows',
    'input MB',
    'wall s',
    'rows/s',
    'peak RSS MiB',
    'exact',
  ];
  const dash = '—';
  const body = rows.map((r) => {
    const rowsTotal = (r.wmsRows ?? 0) + (r.financeRows ?? 0);
    return [
      r.documents.toLocaleString('en-US'),
      r.wmsRows?.toLocaleString('en-US') ?? dash,
      r.financeRows?.toLocaleString('en-US') ?? dash,
      r.inputBytes === undefined ? dash : (r.inputBytes / 1e6).toFixed(1),
      r.wallSeconds === undefined ? dash : r.wallSeconds.toFixed(2),
      r.wallSeconds === undefined ? dash : Math.round(rowsTotal / r.wallSeconds).toLocaleString('en-US'),
      r.peakRssKiB === undefined ? dash : (r.peakRssKiB / 1024).toFixed(0),
      r.exact === undefined ? 'error' : r.exact ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  // Numbers right-aligned, the first and last columns left-aligned.
  const left = (i: number): boolean => i === 0 || i === header.length - 1;
  const line = (cells: string[]): string =>
    '| ' +
    cells.map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (left(i) ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|') + '|';
  return [line(header), rule, ...body.map(line)].join('\n');
}

function backtestTable(rows: readonly BacktestRow[]): string {
  const header = ['backtest', 'figure', 'model', 'baseline'];
  const body = rows.map((r) => [r.backtest, r.figure, r.model, r.baseline]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  return [
    line(header),
    '|' + widths.map((w) => ` ${'-'.repeat(w)} `).join('|') + '|',
    ...body.map(line),
  ].join('\n');
}

/** The side-by-side table against the DuckDB peer (issue 21); false when it could not be made. */
async function peerSideBySide(opts: Options): Promise<boolean> {
  if (opts.peer === undefined) return true;
  const peer = preparePeer(opts.peer, path.join(ROOT, 'bench', 'data', 'peer'), log);
  if (peer === undefined) {
    process.stdout.write(
      `\nno DuckDB peer at ${opts.peer} (or its dependency would not install): --no-peer skips it\n`,
    );
    return false;
  }
  try {
    const plain = { ...opts, format: 'csv' as const, malformedEvery: 0 };
    const { result } = await dataSet(plain, opts.peerSize, await generatorFingerprint(plain));
    log(`side by side with the DuckDB peer: ${opts.pairs} alternated pairs ...`);
    const pairs = await sideBySide(
      {
        cli: CLI,
        peer,
        files: result.files,
        asOf: AS_OF,
        pairs: opts.pairs,
        timeoutSeconds: opts.timeoutSeconds,
      },
      log,
    );
    process.stdout.write(
      `\nSide by side, ${opts.peerSize.toLocaleString('en-US')} documents (plain CSV, ${result.wmsRows.toLocaleString('en-US')} WMS + ` +
        `${result.financeRows.toLocaleString('en-US')} finance rows, --no-report), ${opts.pairs} alternated pairs:\n\n` +
        pairs.table +
        '\n',
    );
    return true;
  } catch (e) {
    process.stdout.write(`side by side with the peer failed: ${(e as Error).message}\n`);
    return false;
  }
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    log(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const rows: Row[] = [];
  const fingerprint = await generatorFingerprint(opts);
  for (const documents of opts.sizes) {
    try {
      rows.push(await benchSize(opts, documents, fingerprint));
    } catch (e) {
      rows.push({ documents, notes: [`failed: ${(e as Error).message}`] });
    }
  }
  process.stdout.write('\n' + table(rows) + '\n');
  for (const r of rows) for (const note of r.notes) process.stdout.write(`${r.documents}: ${note}\n`);
  const peerOk = await peerSideBySide(opts);
  // CONTRACT §11's backtest: suggested matches, predicted causes, clearing probabilities.
  let backtest: BacktestRow[] = [];
  try {
    log('diagnosis backtest ...');
    backtest = await diagnosisBacktest(CLI, opts.seed);
    process.stdout.write('\n' + backtestTable(backtest) + '\n');
  } catch (e) {
    process.stdout.write(`diagnosis backtest failed: ${(e as Error).message}\n`);
  }
  return rows.every((r) => r.exact === true) && backtest.length > 0 && peerOk ? 0 : 1;
}

process.exitCode = await main();
