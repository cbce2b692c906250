// The DuckDB peer beside `stocktally reconcile`, in one bench run (issue 21): the same plain CSV files
// through both, alternated pair by pair, each a child of this process, timed by GNU time where there
// is one (wall and CPU seconds, peak RSS). Only a ratio measured in one run means anything on a shared
// machine: the table gives medians and the ratio ours / peer.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Measured {
  wallSeconds: number;
  cpuSeconds: number | undefined;
  peakMiB: number | undefined;
}

export interface SideBySideOptions {
  cli: string;
  /** peer-duckdb.mjs, with @duckdb/node-api installed beside it (see preparePeer). */
  peer: string;
  files: { wms: string; finance: string; uom: string };
  asOf: string;
  pairs: number;
  timeoutSeconds: number;
}

export interface SideBySide {
  ours: Measured[];
  peer: Measured[];
  table: string;
}

/**
 * The peer ready to run: where it lies when its dependency is installed there, else a copy of its
 * folder in `cacheDir` with `npm install` run once (shared/ may be read-only). Undefined when there
 * is no peer or it cannot be installed.
 */
export function preparePeer(
  script: string,
  cacheDir: string,
  log: (line: string) => void,
): string | undefined {
  if (!existsSync(script)) return undefined;
  const installed = (dir: string) => existsSync(path.join(dir, 'node_modules', '@duckdb', 'node-api'));
  if (installed(path.dirname(script))) return script;
  const copy = path.join(cacheDir, path.basename(script));
  if (!installed(cacheDir)) {
    mkdirSync(cacheDir, { recursive: true });
    cpSync(path.dirname(script), cacheDir, { recursive: true });
    log(`installing the peer's dependencies in ${cacheDir} ...`);
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: cacheDir, stdio: 'inherit' });
    if (npm.status !== 0 || !installed(cacheDir)) return undefined;
  }
  return copy;
}

/** Runs `node ARGS` under GNU time: wall, user + system CPU and peak RSS (threads included). */
async function measure(
  args: string[],
  timeoutSeconds: number,
): Promise<Measured & { code: number | null; stderr: string }> {
  const timeBin = '/usr/bin/time';
  const useTime = process.platform === 'linux' && existsSync(timeBin);
  const timeOut = path.join(os.tmpdir(), `stocktally-bench-peer-${process.pid}-${Date.now()}.txt`);
  const command = useTime ? timeBin : process.execPath;
  const argv = useTime ? ['-f', '%U %S %M', '-o', timeOut, process.execPath, ...args] : args;
  const started = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  let cpuSeconds: number | undefined;
  let peakMiB: number | undefined;
  if (useTime) {
    const text = await readFile(timeOut, 'utf8').catch(() => '');
    await rm(timeOut, { force: true });
    const last = text.trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) ([\d.]+) (\d+)$/.exec(last);
    if (m !== null) {
      cpuSeconds = Number(m[1]) + Number(m[2]);
      peakMiB = Number(m[3]) / 1024;
    }
  }
  return { wallSeconds, cpuSeconds, peakMiB, code, stderr };
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function figure(xs: (number | undefined)[]): number | undefined {
  return median(xs.filter((x): x is number => x !== undefined));
}

/** The table: medians of each side, then ours / peer. */
export function sideBySideTable(ours: readonly Measured[], peer: readonly Measured[]): string {
  const cells = (m: readonly Measured[]) => [
    figure(m.map((r) => r.wallSeconds)),
    figure(m.map((r) => r.cpuSeconds)),
    figure(m.map((r) => r.peakMiB)),
  ];
  const a = cells(ours);
  const b = cells(peer);
  const show = (x: number | undefined, digits: number) =>
    x === undefined
      ? '—'
      : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  // Each pair ran side by side: the ratio is the median of the pairs' ratios, steadier than a ratio
  // of medians when the machine's load drifts between pairs.
  const pairRatio = (of: (m: Measured) => number | undefined) =>
    figure(
      ours.map((m, i) => {
        const x = of(m);
        const p = peer[i];
        const y = p === undefined ? undefined : of(p);
        return x === undefined || y === undefined || y === 0 ? undefined : x / y;
      }),
    );
  const ratio = [
    pairRatio((m) => m.wallSeconds),
    pairRatio((m) => m.cpuSeconds),
    pairRatio((m) => m.peakMiB),
  ];
  const rows = [
    ['', 'wall s (median)', 'CPU s', 'peak RSS MiB'],
    [`stocktally reconcile (${ours.length} runs)`, show(a[0], 2), show(a[1], 2), show(a[2], 0)],
    [`DuckDB peer (${peer.length} runs)`, show(b[0], 2), show(b[1], 2), show(b[2], 0)],
    ['ratio (median of pairs)', show(ratio[0], 2), show(ratio[1], 2), show(ratio[2], 2)],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    '| ' +
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|') + '|';
  const [header, ...body] = rows;
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}

/** `pairs` alternated runs of ours and the peer on the same files (ours first, then the peer). */
export async function sideBySide(o: SideBySideOptions, log: (line: string) => void): Promise<SideBySide> {
  const ours: Measured[] = [];
  const peer: Measured[] = [];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'stocktally-bench-pair-'));
  const inputs = [
    '--wms',
    o.files.wms,
    '--finance',
    o.files.finance,
    '--uom',
    o.files.uom,
    '--as-of',
    o.asOf,
  ];
  try {
    for (let i = 0; i < o.pairs; i++) {
      const oursOut = path.join(scratch, `ours-${i}`);
      const peerOut = path.join(scratch, `peer-${i}`);
      const a = await measure(
        [o.cli, 'reconcile', ...inputs, '--out', oursOut, '--quiet', '--no-report'],
        o.timeoutSeconds,
      );
      if (a.code !== 0) throw new Error(`stocktally exited with ${a.code ?? 'a signal'}: ${a.stderr.trim()}`);
      const b = await measure([o.peer, ...inputs, '--out', peerOut], o.timeoutSeconds);
      if (b.code !== 0) throw new Error(`the peer exited with ${b.code ?? 'a signal'}: ${b.stderr.trim()}`);
      ours.push(a);
      peer.push(b);
      log(
        `pair ${i + 1}/${o.pairs}: stocktally ${a.wallSeconds.toFixed(2)} s (CPU ${a.cpuSeconds?.toFixed(2) ?? '?'}), ` +
          `peer ${b.wallSeconds.toFixed(2)} s (CPU ${b.cpuSeconds?.toFixed(2) ?? '?'})`,
      );
      await rm(oursOut, { recursive: true, force: true });
      await rm(peerOut, { recursive: true, force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { ours, peer, table: sideBySideTable(ours, peer) };
}
