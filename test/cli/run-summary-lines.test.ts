import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../lib/cli/run-command.js';
import type { RunRecord } from '../../lib/core/runs/run-events.js';

const run = (extra: Partial<RunRecord>): RunRecord => ({
  runId: 'close-1',
  status: 'FAILED',
  mode: 'close',
  asOf: '2026-11-02T00:00:00.000Z',
  summary: null,
  failures: [],
  partitions: [0, 1],
  startedAt: '2026-11-02T00:00:01.000Z',
  finishedAt: '2026-11-02T00:00:03.500Z',
  timings: {},
  ...extra,
});

describe('the run summary `stocktally run` prints', () => {
  it('names the step a failed run stopped in, with the message of its cause', () => {
    const lines = summaryLines(
      run({
        failure: {
          step: 'SummarizeRun',
          error: 'Error',
          cause: '{"errorType":"Error","errorMessage":"the runs table is gone","trace":[]}',
        },
      }),
    );

    expect(lines[0]).toBe(
      'run close-1: FAILED  (close, as of 2026-11-02T00:00:00.000Z, 2 partitions, 2.5 s)',
    );
    expect(lines).toContain('  FAILED in SummarizeRun: Error: the runs table is gone');
  });

  it('says nothing of a failure a run did not have', () => {
    const lines = summaryLines(run({ status: 'SUCCEEDED' }));

    expect(lines.some((line) => line.includes('FAILED'))).toBe(false);
  });
});
