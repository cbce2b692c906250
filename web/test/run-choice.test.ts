import { describe, expect, it } from 'vitest';
import { companyRuns, headlineRun, isScoped, periodOfRun, runsOf, scopeText } from '../src/run-choice.js';
import type { RunBrief } from '../src/api.js';
import { periodRun } from '../src/context.js';
import { PERIODS, RUNS } from './run-fixtures.js';

describe('which run speaks for the company', () => {
  it('never takes a one-sku ad-hoc run for the headline, however recent', () => {
    expect(RUNS[0]?.runId).toBe('adhoc-20261125');
    expect(headlineRun(RUNS, undefined)?.runId).toBe('continuous-20261125');
    expect(companyRuns(RUNS).map((r) => r.runId)).toEqual([
      'continuous-20261125',
      'close-202610',
      'close-202609',
    ]);
    expect(RUNS.filter(isScoped).map(scopeText)).toEqual(['SKU-00065']);
    // Not even when it is the only run of its period.
    expect(headlineRun([RUNS[0]!], undefined)).toBeUndefined();
  });

  it('never heads the live view with a re-run of an earlier month’s close, however recent', () => {
    const rerun = { ...RUNS[3]!, runId: 'close-202609-again', startedAt: '2026-11-26T00:00:00.000Z' };
    const closesOnly = [rerun, RUNS[2]!, RUNS[3]!];
    // Started last, but as of 1 October: the close as of 1 November is the latest look.
    expect(headlineRun(closesOnly, undefined)?.runId).toBe('close-202610');
    // A continuous run is the live view whenever there is one.
    expect(headlineRun([rerun, ...RUNS], undefined)?.runId).toBe('continuous-20261125');
  });

  it('answers a period from its own runs: its latest unscoped close, or the one the periods API names', async () => {
    expect(runsOf(RUNS, '2026-10').map((r) => r.runId)).toEqual(['close-202610']);
    expect(headlineRun(RUNS, '2026-09')?.runId).toBe('close-202609');
    expect(headlineRun(RUNS, '2026-11')?.runId).toBe('continuous-20261125');
    expect(headlineRun(RUNS, '2026-08')).toBeUndefined();
    const ctx = { period: '2026-10', periods: () => Promise.resolve(PERIODS) };
    expect((await periodRun(ctx, RUNS, undefined))?.runId).toBe('close-202610');
    // A run asked for by id is shown whatever the period.
    expect((await periodRun(ctx, RUNS, 'adhoc-20261125'))?.runId).toBe('adhoc-20261125');
  });
});

describe('the period of a run that names none', () => {
  it('gives a continuous run the month of its asOf in its zone, and a close without a period none', () => {
    const live = { ...RUNS[1]!, period: undefined, summary: { ...RUNS[1]!.summary!, period: undefined } };
    const close = { ...RUNS[2]!, period: undefined, summary: { ...RUNS[2]!.summary!, period: undefined } };
    expect(periodOfRun(live as RunBrief)).toBe('2026-11');
    // 16:30 UTC on 31 October is already 1 November in Shanghai, still October in UTC.
    const late = { ...live, asOf: '2026-10-31T16:30:00.000Z' };
    expect(periodOfRun(late as RunBrief)).toBe('2026-11');
    expect(periodOfRun({ ...late, summary: { ...late.summary, timezone: 'UTC' } } as RunBrief)).toBe(
      '2026-10',
    );
    // A close of everything stored is no period's close.
    expect(periodOfRun(close as RunBrief)).toBeUndefined();
    expect(headlineRun([close as RunBrief], '2026-10')).toBeUndefined();
  });
});
