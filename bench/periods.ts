// `reconcile --period` on several generated months (bench/generate-periods.ts): wall time with and without
// --period (median of --repeat runs), and, given --peer (the DuckDB peer, peer-duckdb.mjs, installed where it
// lies), the peer's time on the same files, alternated run by run, and with --compare a differential check:
// kinds per group and groupsSeen of every month, ours against the peer's. The peer refuses a CSV row with too
// few fields, so sets meant for it take --malformed-every 0 (timing) or a count its other bad rows cover.
// Built by `npm run build`:
//
//   node dist/bench-periods.js [--documents-per-month 20000] [--months 2026-09,2026-10,2026-11]
//       [--timezone UTC] [--seed N] [--malformed-every N] [--repeat 3] [--periods 2026-10,...]
//       [--peer PATH] [--compare] [--keep]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ZoneClock } from '../lib/core/shared/zone-clock.js';
import { generatePeriods, type PeriodsResult } from './generate-periods.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'stocktally.js');

interface Options {
  documentsPerMonth: number;
  months: string[];
  timeZone: string;
  seed: number;
  malformedEvery: number;
  repeat: number;
  peer: string | undefined;
  compare: boolean;
  keep: boolean;
  /** The months to run with --period (default: every month generated). */
  periods: string[];
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'documents-per-month': { type: 'string' },
      months: { type: 'string' },
      timezone: { type: 'string' },
      seed: { type: 'string' },
      'malformed-every': { type: 'string' },
      repeat: { type: 'string' },
      peer: { type: 'string' },
      compare: { type: 'boolean' },
      keep: { type: 'boolean' },
      periods: { type: 'string' },
    },
  });
  const whole = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number: ${text}`);
    return Number(text);
  };
  const months = (values.months ?? '2026-09,2026-10,2026-11').split(',');
  return {
    documentsPerMonth: whole('documents-per-month', values['documents-per-month'], 20_000),
    months,
    periods: values.periods === undefined ? months : values.periods.split(',').filter((p) => p !== 'none'),
    timeZone: values.timezone ?? 'UTC',
    seed: whole('seed', values.seed, 20261201),
    malformedEvery: whole('malformed-every', values['malformed-every'], 50_000),
    repeat: Math.max(1, whole('repeat', values.repeat, 3)),
    peer: values.peer === undefined ? undefined : path.resolve(values.peer),
    compare: values.compare === true,
    keep: values.keep === true,
  };
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

/** Wall seconds, CPU seconds (user + system, steadier than wall time on a shared machine) and peak RSS. */
async function run(
  args: string[],
): Promise<{ seconds: number; cpu: number | undefined; peakMiB: number | undefined }> {
  const time = '/usr/bin/time';
  const useTime = existsSync(time);
  const started = performance.now();
  const child = spawn(
    useTime ? time : process.execPath,
    useTime ? ['-f', '%M %U %S', process.execPath, ...args] : args,
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const lines = stderr.trim().split('\n');
  const measured = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1] ?? '');
  if (code !== 0) throw new Error(`${path.basename(args[0] ?? '')} exited with ${code}: ${stderr.trim()}`);
  return {
    seconds,
    cpu: measured === null ? undefined : Number(measured[2]) + Number(measured[3]),
    peakMiB: measured === null ? undefined : Number(measured[1]) / 1024,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

interface Outcome {
  kinds: Map<string, string>;
  groupsSeen: number;
}

async function outcome(dir: string): Promise<Outcome> {
  const found = JSON.parse(await readFile(path.join(dir, 'discrepancies.json'), 'utf8')) as {
    kind: string;
    warehouseId: string;
    sku: string;
    documentRef: string;
  }[];
  const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as {
    groupsSeen: number;
  };
  return {
    kinds: new Map(found.map((d) => [`${d.warehouseId}|${d.sku}|${d.documentRef}`, d.kind])),
    groupsSeen: summary.groupsSeen,
  };
}

/** Groups whose kind differs (or that only one side reports), and the groupsSeen of each. */
function differences(ours: Outcome, peer: Outcome): string[] {
  const out: string[] = [];
  for (const [key, kind] of ours.kinds) {
    const theirs = peer.kinds.get(key);
    if (theirs !== kind) out.push(`${key}: ours ${kind}, peer ${theirs ?? '(agrees or not seen)'}`);
  }
  for (const [key, kind] of peer.kinds) {
    if (!ours.kinds.has(key)) out.push(`${key}: ours (agrees or not seen), peer ${kind}`);
  }
  if (ours.groupsSeen !== peer.groupsSeen)
    out.push(`groupsSeen: ours ${ours.groupsSeen}, peer ${peer.groupsSeen}`);
  return out;
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  if (!existsSync(CLI)) throw new Error('dist/stocktally.js not found: npm run build first');
  const dir = path.join(
    ROOT,
    'bench',
    'data',
    `periods-${opts.documentsPerMonth}x${opts.months.length}-${opts.months[0] ?? ''}-${opts.timeZone.replace('/', '_')}-${opts.seed}-m${opts.malformedEvery}`,
  );
  let data: PeriodsResult;
  if (existsSync(path.join(dir, 'periods.json'))) {
    data = JSON.parse(await readFile(path.join(dir, 'periods.json'), 'utf8')) as PeriodsResult;
    log(`reusing ${path.relative(ROOT, dir)}`);
  } else {
    const started = performance.now();
    data = await generatePeriods({
      months: opts.months,
      documentsPerMonth: opts.documentsPerMonth,
      seed: opts.seed,
      outDir: dir,
      timeZone: opts.timeZone,
      malformedEvery: opts.malformedEvery,
    });
    log(`generated ${path.relative(ROOT, dir)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  log(
    `${(opts.documentsPerMonth * opts.months.length).toLocaleString('en-US')} documents: ` +
      `${data.wmsRows.toLocaleString('en-US')} WMS rows, ${data.financeRows.toLocaleString('en-US')} finance rows, ` +
      `${(data.bytes / 1e6).toFixed(0)} MB`,
  );
  const zone = new ZoneClock(opts.timeZone);
  const last = opts.months[opts.months.length - 1] ?? '';
  const endOfLast = new Date(zone.periodBounds(last).end).toISOString();
  const inputs = ['--wms', data.files.wms, '--finance', data.files.finance, '--uom', data.files.uom];
  const modes: { label: string; args: string[] }[] = [
    { label: `no --period (as of ${endOfLast})`, args: ['--as-of', endOfLast] },
    ...opts.periods.map((p) => ({ label: `--period ${p}`, args: ['--period', p] })),
  ];
  const rows: string[][] = [];
  const problems: string[] = [];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'stocktally-bench-periods-'));
  try {
    for (const [m, mode] of modes.entries()) {
      const ours: number[] = [];
      const oursCpu: number[] = [];
      const peer: number[] = [];
      const peerCpu: number[] = [];
      let oursPeak = 0;
      const oursOut = path.join(scratch, `ours-${m}`);
      const peerOut = path.join(scratch, `peer-${m}`);
      for (let i = 0; i < opts.repeat; i++) {
        const common = [...inputs, ...mode.args, '--timezone', opts.timeZone];
        const a = await run([CLI, 'reconcile', ...common, '--out', oursOut, '--quiet', '--no-report']);
        ours.push(a.seconds);
        if (a.cpu !== undefined) oursCpu.push(a.cpu);
        oursPeak = Math.max(oursPeak, a.peakMiB ?? 0);
        if (opts.peer !== undefined) {
          const b = await run([opts.peer, ...common, '--out', peerOut]);
          peer.push(b.seconds);
          if (b.cpu !== undefined) peerCpu.push(b.cpu);
        }
      }
      const cpu = (xs: number[]) => (xs.length === 0 ? '—' : median(xs).toFixed(1));
      const row = [
        mode.label,
        median(ours).toFixed(2),
        cpu(oursCpu),
        oursPeak > 0 ? oursPeak.toFixed(0) : '—',
      ];
      if (opts.peer !== undefined) {
        row.push(median(peer).toFixed(2), cpu(peerCpu), (median(ours) / median(peer)).toFixed(2));
        row.push(peerCpu.length === 0 ? '—' : (median(oursCpu) / median(peerCpu)).toFixed(2));
      }
      if (opts.compare && opts.peer !== undefined) {
        const diff = differences(await outcome(oursOut), await outcome(peerOut));
        row.push(diff.length === 0 ? 'same' : `${diff.length} differ`);
        problems.push(...diff.slice(0, 10).map((d) => `${mode.label}: ${d}`));
      }
      rows.push(row);
      log(
        `${mode.label}: ours ${ours.map((s) => s.toFixed(2)).join(', ')} s${peer.length > 0 ? `; peer ${peer.map((s) => s.toFixed(2)).join(', ')} s` : ''}`,
      );
    }
  } finally {
    if (opts.keep) log(`outputs kept in ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
  const header = [`run (median of ${opts.repeat})`, 'stocktally s', 'CPU s', 'peak MiB'];
  if (opts.peer !== undefined) header.push('peer s', 'peer CPU s', 'ratio wall', 'ratio CPU');
  if (opts.compare && opts.peer !== undefined) header.push('kinds & groupsSeen vs peer');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  process.stdout.write(
    [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n') +
      '\n',
  );
  for (const p of problems) process.stdout.write(p + '\n');
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main();
