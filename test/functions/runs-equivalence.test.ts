import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, drop, lambdaContext, readReport, type Aws } from './ingest-harness.js';
import { apiEvent, runAll, startRunsAws } from './runs-harness.js';
import { runReconcile, type Summary } from '../../lib/cli/reconcile-command.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import { DEFAULT_SETTINGS } from '../../lib/core/reconcile/settings.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { tempDir } from '../support/temp.js';
import { compareWithTruth, EXACT, hasSharedCheck, sampleDir, sharedCheck } from '../support/acceptance.js';

// The public acceptance sample through the S3 drop path and a close run gives what
// `stocktally reconcile --period` gives on the same files (CONTRACT §7: a close as of 2 November
// closes November, its October open items carried), and still finds exactly the sample's truth.
const SAMPLE = sampleDir('sample');
const AS_OF = '2026-11-02T00:00:00.000Z';
const DROPS = {
  uom: 'incoming/uom/uom.csv',
  wms: 'incoming/wms/wms.csv',
  finance: 'incoming/finance/finance.csv',
};

let aws: Aws;
let run: RunRecord;
let shown: RunDiscrepancy[];
let ingestRejected: { file: string; line: number }[];
let cli: Summary;
let cliDiscrepancies: Discrepancy[];
const out = tempDir('stocktally-equivalence-');

async function allDiscrepancies(runId: string): Promise<RunDiscrepancy[]> {
  const items: RunDiscrepancy[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { limit: '7', ...(cursor === null ? {} : { cursor }) };
    const answer = answerOf(
      await runsApi(apiEvent('GET', `/v1/runs/${runId}/discrepancies`, { query }), lambdaContext()),
    );
    expect(answer.statusCode).toBe(200);
    items.push(...(answer.body.items as RunDiscrepancy[]));
    cursor = answer.body.cursor as string | null;
  } while (cursor !== null);
  return items;
}

beforeAll(async () => {
  aws = await startRunsAws();
  for (const [name, key] of Object.entries(DROPS)) {
    await s3Drop(await drop(aws, key, readFileSync(join(SAMPLE, `${name}.csv`))), lambdaContext());
  }
  ingestRejected = [];
  for (const key of Object.values(DROPS)) {
    const report = (await readReport(aws, key)) as { rejected: { file: string; line: number }[] };
    ingestRejected.push(...report.rejected);
  }
  ({ run } = await runAll({ runId: 'close-equivalence', mode: 'close', asOf: AS_OF }));
  shown = await allDiscrepancies(run.runId);
  cli = await runReconcile({
    wms: join(SAMPLE, 'wms.csv'),
    finance: join(SAMPLE, 'finance.csv'),
    uom: join(SAMPLE, 'uom.csv'),
    out: join(out, 'cli'),
    period: '2026-11',
    settings: { ...DEFAULT_SETTINGS, asOf: Date.parse(AS_OF) },
    workers: 0,
  });
  cliDiscrepancies = JSON.parse(
    readFileSync(join(out, 'cli', 'discrepancies.json'), 'utf8'),
  ) as Discrepancy[];
});

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await aws?.stop();
});

const groupAndKind = (d: { kind: string; groupKey: string }) => `${d.kind} ${d.groupKey}`;
const lineOf = (r: { file: string; line: number }) => `${basename(r.file)}:${r.line}`;

describe('a close run over the acceptance sample dropped through S3', () => {
  it('finishes SUCCEEDED over every partition', () => {
    expect(run.status).toBe('SUCCEEDED');
    expect(run.partitions).toHaveLength(64);
    expect(run.failures).toEqual([]);
  });

  it('finds exactly the discrepancy set of `stocktally reconcile`: same kinds, same groups', () => {
    expect(cliDiscrepancies.length).toBeGreaterThan(0);
    expect(shown.map(groupAndKind).sort()).toEqual(cliDiscrepancies.map(groupAndKind).sort());
  });

  it('shows the same figures for each discrepancy, every one NEW on a first run', () => {
    const figures = (d: Discrepancy) => {
      const { explanation: _e, rejectedRows: _r, ...rest } = d;
      return rest;
    };
    const byGroup = new Map(cliDiscrepancies.map((d) => [d.groupKey, figures(d)]));
    for (const d of shown) {
      const { state, firstSeen, lastSeen, ageBucket, ...discrepancy } = d;
      expect(figures(discrepancy)).toEqual(byGroup.get(d.groupKey));
      expect({ state, firstSeen, lastSeen, ageBucket }).toEqual({
        state: 'NEW',
        firstSeen: AS_OF,
        lastSeen: AS_OF,
        ageBucket: '0-1',
      });
    }
  });

  it('rejects the same rows, by file and line: the ingest reports plus the run', () => {
    const rejected = [...ingestRejected, ...(run.summary?.rejected ?? [])].map(lineOf).sort();
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected).toEqual(cli.rejected.map(lineOf).sort());
  });

  it('sums to the same summary figures', () => {
    const pick = (s: Summary | NonNullable<RunRecord['summary']>) => ({
      groupsSeen: s.groupsSeen,
      groupsMatched: s.groupsMatched,
      matchRate: s.matchRate,
      discrepancies: s.discrepancies,
      byKind: s.byKind,
      bySeverity: s.bySeverity,
      moneyAtStake: s.moneyAtStake,
      moneyAtStakeByKind: s.moneyAtStakeByKind,
    });
    expect(run.summary && pick(run.summary)).toEqual(pick(cli));
  });

  it('finds exactly the sample’s truth from the run’s output (and passes ../shared’s check.py where present)', () => {
    const dir = join(out, 'run');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'discrepancies.json'), JSON.stringify(shown, null, 2));
    const rejected = [...ingestRejected, ...(run.summary?.rejected ?? [])];
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...run.summary, rejected }, null, 2));
    expect(compareWithTruth(SAMPLE, dir)).toEqual(EXACT);
    if (hasSharedCheck) expect(sharedCheck(SAMPLE, dir).status).toBe(0);
  });
});
