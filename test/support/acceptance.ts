import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The public acceptance samples as test fixtures (copied from ../shared/acceptance: data files and
 * truths), so the suite is the same on every machine, and the comparison check.py makes, done here.
 * Only the run of ../shared's own checker skips where that folder is absent.
 */
export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'acceptance');
export const sampleDir = (name: string): string => join(FIXTURES, name);

const SHARED_CHECK = join(process.cwd(), '..', 'shared', 'acceptance', 'check.py');
export const hasSharedCheck = existsSync(SHARED_CHECK) && spawnSync('python3', ['--version']).status === 0;

interface Truth {
  discrepancies: { kind: string; warehouseId: string; sku: string; documentRef: string }[];
  rejected: { file: string; line: number }[];
  groupsSeen?: number;
}

export interface TruthComparison {
  missed: string[];
  spurious: string[];
  rejectedMissed: string[];
  rejectedExtra: string[];
  groupsSeen: { expected: number; got: number | undefined } | null;
}

const groupOf = (d: {
  kind?: unknown;
  warehouseId?: unknown;
  sku?: unknown;
  documentRef?: unknown;
}): string => JSON.stringify([d.kind, d.warehouseId, d.sku, d.documentRef]);

/** What check.py compares: kinds per group as a multiset, rejected rows by file and line, groupsSeen. */
export function compareWithTruth(truthDir: string, outDir: string): TruthComparison {
  const truth = JSON.parse(readFileSync(join(truthDir, 'truth.json'), 'utf8')) as Truth;
  const got = JSON.parse(readFileSync(join(outDir, 'discrepancies.json'), 'utf8')) as Record<
    string,
    unknown
  >[];
  const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
    rejected: { file: string; line: number }[];
    groupsSeen?: number;
  };
  const want = truth.discrepancies.map(groupOf);
  const have = got.map(groupOf);
  const rowOf = (r: { file: string; line: number }) => `${basename(r.file)}:${r.line}`;
  const wantRows = new Set(truth.rejected.map(rowOf));
  const haveRows = new Set(summary.rejected.map(rowOf));
  return {
    missed: bagMinus(want, have),
    spurious: bagMinus(have, want),
    rejectedMissed: [...wantRows].filter((r) => !haveRows.has(r)),
    rejectedExtra: [...haveRows].filter((r) => !wantRows.has(r)),
    groupsSeen:
      truth.groupsSeen === undefined || truth.groupsSeen === summary.groupsSeen
        ? null
        : { expected: truth.groupsSeen, got: summary.groupsSeen },
  };
}

export const EXACT: TruthComparison = {
  missed: [],
  spurious: [],
  rejectedMissed: [],
  rejectedExtra: [],
  groupsSeen: null,
};

function bagMinus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  const out: string[] = [];
  for (const k of a) {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

/** ../shared's check.py on an output: its last line and exit status. */
export function sharedCheck(truthDir: string, outDir: string): { last: string; status: number | null } {
  const run = spawnSync('python3', [SHARED_CHECK, truthDir, outDir], { encoding: 'utf8' });
  return { last: run.stdout.trim().split('\n').at(-1) ?? '', status: run.status };
}
