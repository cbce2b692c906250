import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, drop, lambdaContext, readReport, type Aws } from './ingest-harness.js';
import { apiEvent, runAll, startRunsAws } from './runs-harness.js';
import { call, caseStoreOn, CLERK } from './cases-harness.js';
import { runReconcile } from '../../lib/cli/reconcile-command.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { RunDiscrepancy, RunRecord } from '../../lib/core/runs/run-events.js';
import { DEFAULT_SETTINGS } from '../../lib/core/reconcile/settings.js';
import { settingsOfRun, type RunSettings } from '../../lib/core/reconcile/settings-config.js';
import { PeriodStore } from '../../lib/adapters/periods/period-store.js';
import { RECORDS_TABLE } from '../../lib/declarations/tables.js';
import { handler as s3Drop } from '../../functions/ingest/s3-drop.js';
import { handler as runsApi } from '../../functions/runs/runs-api.js';
import { tempDir } from '../support/temp.js';
import { compareWithTruth, EXACT, sampleDir } from '../support/acceptance.js';

// CONTRACT §7 in the pipeline: three months (../shared/acceptance/sample-periods) dropped through S3;
// the close run of each month finds exactly that month's truth and equals `reconcile --period`;
// the live view (a continuous run) equals `reconcile --period <its month> --as-of <its asOf>`; and a
// close of an earlier month run after the live view has moved on is a snapshot that changes no case.
const SAMPLE = sampleDir('sample-periods');
const MONTHS = ['2026-09', '2026-10', '2026-11'] as const;
const LIVE_AS_OF = '2026-11-20T00:00:00.000Z';

let aws: Aws;
const ingestRejected: { file: string; line: number }[] = [];
const out = tempDir('stocktally-periods-');

async function allDiscrepancies(runId: string): Promise<RunDiscrepancy[]> {
  const items: RunDiscrepancy[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { limit: '500', ...(cursor === null ? {} : { cursor }) };
    const answer = answerOf(
      await runsApi(apiEvent('GET', `/v1/runs/${runId}/discrepancies`, { query }), lambdaContext()),
    );
    items.push(...(answer.body.items as RunDiscrepancy[]));
    cursor = answer.body.cursor as string | null;
  } while (cursor !== null);
  return items;
}

/**
 * `reconcile --period` with the settings the run recorded (config/settings.yaml: WH-上海-02's RED
 * from 30,000 among them), so the two judge by the same thresholds.
 */
async function cli(period: string, used: RunSettings | undefined, asOf?: string): Promise<Discrepancy[]> {
  const dir = join(out, `cli-${period}-${asOf ?? 'end'}`);
  await runReconcile({
    wms: join(SAMPLE, 'wms.csv'),
    finance: join(SAMPLE, 'finance.csv'),
    uom: join(SAMPLE, 'uom.csv'),
    out: dir,
    period,
    settings: settingsOfRun(used, asOf ?? nextMonthStart(period), DEFAULT_SETTINGS.timeZone),
    workers: 0,
  });
  return JSON.parse(readFileSync(join(dir, 'discrepancies.json'), 'utf8')) as Discrepancy[];
}

function nextMonthStart(period: string): string {
  const [y = 0, m = 1] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString();
}

/** The figures a run and the CLI share: the lifecycle and the pipeline's diagnosis aside. */
function figures(d: Partial<RunDiscrepancy>): Record<string, unknown> {
  const {
    state: _s,
    firstSeen: _f,
    lastSeen: _l,
    ageBucket: _a,
    resolvedAt: _r,
    explanation: _e,
    explanationZh: _z,
    rejectedRows: _rr,
    suggestedMatches: _sm,
    predictedCause: _pc,
    clearingProbability: _cp,
    ...rest
  } = d;
  return rest;
}

const byGroup = (list: Partial<RunDiscrepancy>[]) =>
  Object.fromEntries(
    list.map((d) => [d.groupKey, figures(d)]).sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

beforeAll(async () => {
  aws = await startRunsAws();
  const drops = {
    uom: 'incoming/uom/uom.csv',
    wms: 'incoming/wms/wms.csv',
    finance: 'incoming/finance/finance.csv',
  };
  for (const [name, key] of Object.entries(drops)) {
    await s3Drop(await drop(aws, key, readFileSync(join(SAMPLE, `${name}.csv`))), lambdaContext());
    ingestRejected.push(
      ...((await readReport(aws, key)) as { rejected: { file: string; line: number }[] }).rejected,
    );
  }
});

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await aws?.stop();
});

describe('close runs of three months over one store', () => {
  const closes = new Map<string, { run: RunRecord; shown: RunDiscrepancy[] }>();

  it('gives the live view of the month holding a continuous run’s asOf', async () => {
    const { run } = await runAll({ runId: 'continuous-live', mode: 'continuous', asOf: LIVE_AS_OF });
    expect(run).toMatchObject({ status: 'SUCCEEDED', period: '2026-11' });
    expect(run.snapshot).toBeUndefined();
    const shown = await allDiscrepancies(run.runId);
    expect(byGroup(shown.filter((d) => d.state !== 'RESOLVED'))).toEqual(
      byGroup(await cli('2026-11', run.settings, LIVE_AS_OF)),
    );
  });

  it.each(MONTHS)(
    'closes %s exactly as its truth and `reconcile --period` say, whatever else is stored',
    async (period) => {
      const { run } = await runAll({
        runId: `close-${period}`,
        mode: 'close',
        period,
        asOf: nextMonthStart(period),
      });
      expect(run).toMatchObject({ status: 'SUCCEEDED', period });
      expect(run.work?.recordsRead).toBeGreaterThan(0);
      const shown = await allDiscrepancies(run.runId);
      closes.set(period, { run, shown });

      const dir = join(out, `run-${period}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'discrepancies.json'), JSON.stringify(shown));
      writeFileSync(
        join(dir, 'summary.json'),
        JSON.stringify({ ...run.summary, rejected: [...ingestRejected, ...(run.summary?.rejected ?? [])] }),
      );
      expect(compareWithTruth(join(SAMPLE, period), dir)).toEqual({ ...EXACT, groupsSeen: null });
      expect(byGroup(shown)).toEqual(byGroup(await cli(period, run.settings)));
    },
  );

  it('shows each month as its latest close in GET /v1/periods figures', async () => {
    const periods = await new PeriodStore(aws.dynamo, RECORDS_TABLE.localName).list();
    for (const month of MONTHS) {
      const close = closes.get(month)?.run;
      expect(periods.find((p) => p.period === month)?.lastClose).toMatchObject({
        runId: close?.runId,
        groupsSeen: close?.summary?.groupsSeen,
        discrepancies: close?.summary?.discrepancies,
      });
    }
  });

  it('records a close of an earlier month run again as a snapshot: the same answer, no case touched', async () => {
    const cases = caseStoreOn(aws.dynamo);
    const before = await cases.casesOfPeriod('2026-10');
    const listedBefore = (await call('GET', '/v1/cases', CLERK, { query: { limit: '500' } })).body.items;
    const { run } = await runAll({
      runId: 'close-2026-10-again',
      mode: 'close',
      period: '2026-10',
      asOf: nextMonthStart('2026-10'),
    });
    expect(run).toMatchObject({ status: 'SUCCEEDED', snapshot: true });
    const shown = await allDiscrepancies(run.runId);
    expect(byGroup(shown)).toEqual(byGroup(closes.get('2026-10')?.shown ?? []));
    expect(await cases.casesOfPeriod('2026-10')).toEqual(before);
    // And the cases API lists the very same cases as before (a close of September run after it too).
    await runAll({
      runId: 'close-2026-09-again',
      mode: 'close',
      period: '2026-09',
      asOf: nextMonthStart('2026-09'),
    });
    const listedAfter = (await call('GET', '/v1/cases', CLERK, { query: { limit: '500' } })).body.items;
    expect(listedBefore.length).toBeGreaterThan(0);
    expect(listedAfter).toEqual(listedBefore);
  });
});
