import { describe, expect, it } from 'vitest';
import { nextCron, nextScheduledRuns } from '../src/schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('the next scheduled closes, in the configured time zone', () => {
  it('puts the daily close at the next local midnight: Shanghai midnight is 16:00 UTC', () => {
    expect(
      new Date(nextCron('cron(0 0 * * ? *)', 'Asia/Shanghai', at('2026-11-25T20:07:00Z'))!).toISOString(),
    ).toBe('2026-11-26T16:00:00.000Z');
    expect(new Date(nextCron('cron(0 0 * * ? *)', 'UTC', at('2026-11-25T20:07:00Z'))!).toISOString()).toBe(
      '2026-11-26T00:00:00.000Z',
    );
  });

  it('never answers the moment itself: a close due now is the next one', () => {
    expect(new Date(nextCron('cron(0 0 * * ? *)', 'UTC', at('2026-11-26T00:00:00Z'))!).toISOString()).toBe(
      '2026-11-27T00:00:00.000Z',
    );
  });

  it('puts the weekly close on Monday and the monthly close on the first, across a DST change', () => {
    // Wednesday 2026-11-25: the next Monday is the 30th.
    expect(new Date(nextCron('cron(0 0 ? * MON *)', 'UTC', at('2026-11-25T20:00:00Z'))!).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    // New York leaves daylight time on 2026-11-01: midnight on the 1st is still EDT (UTC-4).
    expect(
      new Date(nextCron('cron(0 0 1 * ? *)', 'America/New_York', at('2026-10-15T12:00:00Z'))!).toISOString(),
    ).toBe('2026-11-01T04:00:00.000Z');
    expect(
      new Date(nextCron('cron(0 0 1 * ? *)', 'America/New_York', at('2026-11-15T12:00:00Z'))!).toISOString(),
    ).toBe('2026-12-01T05:00:00.000Z');
  });

  it('lists the three closes of lib/declarations/runs.ts soonest first, leaving the rate schedule out', () => {
    const runs = nextScheduledRuns('UTC', at('2026-11-25T20:00:00Z'));
    expect(runs).toEqual([
      { name: 'dailyClose', at: '2026-11-26T00:00:00.000Z' },
      { name: 'weeklyClose', at: '2026-11-30T00:00:00.000Z' },
      { name: 'monthlyClose', at: '2026-12-01T00:00:00.000Z' },
    ]);
  });
});
