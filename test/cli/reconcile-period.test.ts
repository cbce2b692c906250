import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePeriods } from '../../bench/generate-periods.js';
import { DiscrepancySchema, SummarySchema } from '../../lib/core/contract/output-schemas.js';
import { tempDir } from '../support/temp.js';

// `stocktally reconcile --period` (CONTRACT §7) end to end on the bundled CLI, against the truths of
// the public three-month sample (2026-09..11), copied into test/fixtures so no ../shared is needed.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');
const SAMPLE = join(process.cwd(), 'test', 'fixtures', 'acceptance', 'sample-periods');
const PERIODS = ['2026-09', '2026-10', '2026-11'] as const;

interface Truth {
  period: string;
  args: string[];
  discrepancies: { kind: string; warehouseId: string; sku: string; documentRef: string }[];
  rejected: { file: string; line: number }[];
  groupsSeen: number;
}

interface Found {
  kind: string;
  warehouseId: string;
  sku: string;
  documentRef: string;
  groupKey: string;
  carriedFrom?: string | null;
  ageDays?: number;
  latestEventAt: string | null;
  latestPostingAt: string | null;
  unitCostSource: string | null;
  unitCost: string | null;
  expectedAmount: string | null;
  explanation: string;
}

interface SummaryFile {
  asOf: string;
  period?: string;
  groupsSeen: number;
  groupsMatched: number;
  discrepancies: number;
  rejected: { file: string; line: number }[];
  inputs: { wms: { afterCutOff?: number }; finance: { afterCutOff?: number } };
  run?: unknown;
}

function tmp(): string {
  return tempDir('stocktally-period-');
}

function reconcile(out: string, ...args: string[]) {
  return reconcileIn(SAMPLE, out, ...args);
}

function reconcileIn(dir: string, out: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [
      CLI,
      'reconcile',
      '--wms',
      join(dir, 'wms.csv'),
      '--finance',
      join(dir, 'finance.csv'),
      '--uom',
      join(dir, 'uom.csv'),
      ...args,
      '--out',
      out,
      '--quiet',
      '--no-report',
    ],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return {
    found: JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Found[],
    summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SummaryFile,
  };
}

const truthOf = (period: string): Truth =>
  JSON.parse(readFileSync(join(SAMPLE, period, 'truth.json'), 'utf8')) as Truth;

const kindsPerGroup = (list: readonly Omit<Truth['discrepancies'][number], never>[]): string[] =>
  list.map((d) => `${d.kind} ${d.warehouseId}|${d.sku}|${d.documentRef}`).sort();

/** Each month's run, made once and shared by the tests that read it. */
const runs = new Map<string, ReturnType<typeof reconcile>>();
function monthRun(period: string): ReturnType<typeof reconcile> {
  let run = runs.get(period);
  if (run === undefined) {
    run = reconcile(tmp(), ...truthOf(period).args);
    runs.set(period, run);
  }
  return run;
}

describe('reconcile --period on the three-month sample', () => {
  it.each(PERIODS)('finds exactly the truth of %s: kinds per group, rejected rows, groupsSeen', (period) => {
    const truth = truthOf(period);
    expect(truth.args).toEqual(['--period', period]);
    const { found, summary } = monthRun(period);

    expect(kindsPerGroup(found)).toEqual(kindsPerGroup(truth.discrepancies));
    const lines = (rows: readonly { file: string; line: number }[]) =>
      rows.map((r) => `${r.file}:${r.line}`).sort();
    expect(lines(summary.rejected)).toEqual(lines(truth.rejected));
    expect(summary.groupsSeen).toBe(truth.groupsSeen);
    expect(summary.groupsMatched + summary.discrepancies).toBe(summary.groupsSeen);
  });

  it('names the period and takes asOf at its end, the first instant of the next month', () => {
    expect(monthRun('2026-09').summary).toMatchObject({
      period: '2026-09',
      asOf: '2026-10-01T00:00:00.000Z',
    });
    expect(monthRun('2026-11').summary).toMatchObject({
      period: '2026-11',
      asOf: '2026-12-01T00:00:00.000Z',
    });
    // November is the last month: its cut-off leaves nothing out; September's leaves two months out.
    expect(monthRun('2026-11').summary.inputs.wms.afterCutOff).toBe(0);
    expect(monthRun('2026-09').summary.inputs.wms.afterCutOff).toBeGreaterThan(600);
  });

  it('carries an earlier open item forward with the period it comes from and its age', () => {
    const { found } = monthRun('2026-11');
    const november = Date.parse('2026-11-01T00:00:00Z');
    const at = (iso: string | null) => (iso === null ? -Infinity : Date.parse(iso));
    const latest = (d: Found) => Math.max(at(d.latestEventAt), at(d.latestPostingAt));
    const carried = found.filter((d) => d.carriedFrom !== null);
    expect(carried.length).toBeGreaterThan(0);
    for (const d of carried) {
      expect(latest(d)).toBeLessThan(november);
      expect(['2026-09', '2026-10']).toContain(d.carriedFrom);
      // A cut-off difference was reported in its own period and is never carried.
      expect(d.explanation).not.toContain('cut-off');
      expect(d.explanation).toContain(`open item carried forward from ${d.carriedFrom}`);
      expect(d.ageDays).toBeGreaterThanOrEqual(30);
    }
    // A September item still open at the end of November is more than 61 days old.
    const september = carried.filter((d) => d.carriedFrom === '2026-09');
    expect(september.length).toBeGreaterThan(0);
    for (const d of september) expect(d.ageDays).toBeGreaterThanOrEqual(61);
    for (const d of found.filter((x) => x.carriedFrom === null)) {
      expect(latest(d)).toBeGreaterThanOrEqual(november);
      expect(d.explanation).not.toContain('carried forward');
    }
  });

  it('clears an earlier group that agrees, and reports a cut-off difference only in the period of its latest record', () => {
    const september = monthRun('2026-09').found;
    const october = monthRun('2026-10').found;
    const cutOffs = september.filter((d) => d.kind === 'TIMING_LAG' && d.explanation.includes('cut-off'));
    // A September cut-off pair has its latest record in September: reported there, then cleared.
    for (const d of cutOffs) {
      expect(october.find((x) => x.groupKey === d.groupKey)).toBeUndefined();
    }
    const octoberKeys = new Set(october.map((d) => d.groupKey));
    const carriedIntoOctober = october.filter((d) => d.carriedFrom === '2026-09').map((d) => d.groupKey);
    // Every item carried into October was reported in September.
    const septemberKeys = new Set(september.map((d) => d.groupKey));
    for (const key of carriedIntoOctober) expect(septemberKeys.has(key)).toBe(true);
    expect(octoberKeys.size).toBe(october.length);
  });

  it("prices at the periodic weighted average of the period of the group's latest record", () => {
    // AVG-2610 has no WMS cost and no standard cost: October's finance lines of the item price it.
    const d = monthRun('2026-10').found.find((x) => x.sku === 'AVG-2610');
    expect(d).toMatchObject({ kind: 'AMOUNT_MISMATCH', unitCostSource: 'average' });
    expect(d?.explanation).toContain('periodic weighted average finance cost of 2026-10');
  });

  it('writes files the data dictionary describes, the period fields included', () => {
    const out = tmp();
    const { found } = reconcile(out, '--period', '2026-11');
    const summary: unknown = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const parsed = SummarySchema.strict().safeParse(summary);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data).toEqual(summary);
    for (const d of found) {
      const one = DiscrepancySchema.strict().safeParse(d);
      expect(one.error?.issues).toBeUndefined();
      expect(one.data).toEqual(d);
    }
  });

  it('gives the same files in this thread with one partition as on worker threads with 64', () => {
    const a = tmp();
    const b = tmp();
    reconcile(a, '--period', '2026-10', '--partitions', '1', '--workers', '0');
    reconcile(b, '--period', '2026-10', '--partitions', '64', '--workers', '2');
    const sorted = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'discrepancies.json'), 'utf8')) as unknown[])
        .map((x) => JSON.stringify(x))
        .sort();
    expect(sorted(b)).toEqual(sorted(a));
    const figures = (dir: string) => {
      const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
      delete s.run;
      return s;
    };
    expect(figures(b)).toEqual(figures(a));
    const header = readFileSync(join(a, 'discrepancies.csv'), 'utf8').split('\n')[0];
    expect(header).toContain('financePeriod,carriedFrom,ageDays,');
  });
});

describe('reconcile without --period', () => {
  // The recorded hashes include CONTRACT §11's suggestedMatches (an empty list on each one-sided
  // row here, and its CSV column): the files are otherwise byte for byte those of before periods.
  it('writes byte for byte what it wrote before periods existed', () => {
    const expected = JSON.parse(readFileSync(join(SAMPLE, 'no-period', 'expected.json'), 'utf8')) as {
      args: string[];
      sha256: Record<string, string>;
      kinds: string[];
    };
    const out = tmp();
    const { found, summary } = reconcile(out, ...expected.args);
    // The readable check first, so a difference shows which groups moved.
    expect(found.map((d) => `${d.kind} ${d.groupKey}`)).toEqual(expected.kinds);
    for (const [file, sha] of Object.entries(expected.sha256)) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(out, file)))
          .digest('hex'),
        file,
      ).toBe(sha);
    }
    delete summary.run;
    const before = JSON.parse(readFileSync(join(SAMPLE, 'no-period', 'summary.json'), 'utf8')) as unknown;
    expect(JSON.stringify(summary)).toBe(JSON.stringify(before));
  });
});

describe('reconcile --period on generated months', () => {
  it('reads the books as they stood at the end of P: files cut at its end give the same files', async () => {
    const dir = tmp();
    await generatePeriods({
      months: ['2026-09', '2026-10', '2026-11'],
      documentsPerMonth: 400,
      seed: 7,
      outDir: dir,
      timeZone: 'Asia/Shanghai',
    });
    // The same rows less those dated at or after October's end in Shanghai (2026-10-31T16:00Z).
    const cut = tmp();
    const end = Date.parse('2026-10-31T16:00:00Z');
    for (const file of ['wms.csv', 'finance.csv']) {
      const [header = '', ...rows] = readFileSync(join(dir, file), 'utf8').split(/(?<=\n)/);
      const dated = (row: string) => Date.parse(/\d{4}-\d\d-\d\dT[\d:]{8}Z/.exec(row)?.[0] ?? '');
      const kept = rows.filter((row) => dated(row) < end);
      expect(kept.length).toBeLessThan(rows.length);
      writeFileSync(join(cut, file), header + kept.join(''));
    }
    writeFileSync(join(cut, 'uom.csv'), readFileSync(join(dir, 'uom.csv')));
    const args = ['--period', '2026-10', '--timezone', 'Asia/Shanghai'];
    const whole = reconcileIn(dir, join(dir, 'out'), ...args);
    const part = reconcileIn(cut, join(cut, 'out'), ...args);
    expect(whole.found.length).toBeGreaterThan(20);
    expect(whole.found.some((d) => d.carriedFrom === '2026-09')).toBe(true);
    expect(readFileSync(join(cut, 'out', 'discrepancies.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'out', 'discrepancies.json'), 'utf8'),
    );
    expect(part.summary.groupsSeen).toBe(whole.summary.groupsSeen);
    expect(part.summary.inputs.wms.afterCutOff).toBe(0);
    expect(whole.summary.inputs.wms.afterCutOff).toBeGreaterThan(0);
  });

  it('generates the same bytes from the same options', async () => {
    const [a, b] = [tmp(), tmp()];
    const options = { months: ['2026-12', '2027-01'], documentsPerMonth: 300, seed: 3, malformedEvery: 40 };
    await generatePeriods({ ...options, outDir: a });
    await generatePeriods({ ...options, outDir: b });
    for (const file of ['wms.csv', 'finance.csv', 'uom.csv']) {
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file).toBe(true);
    }
    // The manifest names where it wrote; everything else in it is the same.
    const manifest = (dir: string) => {
      const m = JSON.parse(readFileSync(join(dir, 'periods.json'), 'utf8')) as Record<string, unknown>;
      delete m.files;
      return m;
    };
    expect(manifest(b)).toEqual(manifest(a));
  });
});
