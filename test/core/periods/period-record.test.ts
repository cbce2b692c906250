import { describe, expect, it } from 'vitest';
import {
  closeDays,
  ratePercent,
  errorRate,
  periodView,
  type PeriodRecord,
} from '../../../lib/core/periods/period-record.js';
import { decideLock } from '../../../lib/core/periods/period-lock.js';
import type { CloseCheck } from '../../../lib/core/cases/close-check.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

const SHANGHAI = new ZoneClock('Asia/Shanghai');
const CLOSED: PeriodRecord = {
  period: '2026-10',
  lastClose: {
    runId: 'r1',
    finishedAt: '2026-11-01T00:10:00.000Z',
    groupsSeen: 3,
    discrepancies: 1,
    moneyAtStake: '12.50',
  },
  lock: null,
};
const passing: CloseCheck = {
  period: '2026-10',
  canClose: true,
  cases: {} as CloseCheck['cases'],
  blockers: [],
};
const failing: CloseCheck = {
  ...passing,
  canClose: false,
  blockers: [
    {
      caseId: 'c',
      groupKey: 'W|S|D',
      state: 'OPEN',
      severity: 'RED',
      owner: 'o',
      moneyAtStake: '1',
      reason: 'open-red-case',
      message: 'm',
    },
  ],
};

describe('period figures', () => {
  it('gives the error rate exactly to six places, never a float', () => {
    expect(errorRate(1, 3)).toBe('0.333333');
    expect(errorRate(2, 3)).toBe('0.666667');
    expect(errorRate(12, 100)).toBe('0.12');
    expect(errorRate(0, 0)).toBe('0');
  });

  it('counts close days from the first instant of the next month in the zone', () => {
    // 2026-11-01T00:00 in Shanghai is 2026-10-31T16:00Z.
    expect(closeDays('2026-10', '2026-10-31T16:00:00.000Z', SHANGHAI)).toBe(0);
    expect(closeDays('2026-10', '2026-11-02T15:59:59.000Z', SHANGHAI)).toBe(1);
    expect(closeDays('2026-10', '2026-11-15T16:00:00.000Z', SHANGHAI)).toBe(15);
    expect(closeDays('2026-10', '2026-10-20T00:00:00.000Z', SHANGHAI)).toBe(0);
  });

  it('shows a locked period with its close days and late arrivals', () => {
    const view = periodView(
      { ...CLOSED, lock: { at: '2026-11-02T16:00:00.000Z', by: 'zhao', runId: 'r1', override: null } },
      2,
      SHANGHAI,
    );
    expect(view).toMatchObject({ status: 'locked', closeDays: 2, lateArrivals: 2, errorRate: '0.333333' });
  });
});

describe('decideLock', () => {
  const at = '2026-11-03T00:00:00.000Z';

  it('freezes the latest close run when the close-check passes, with no override kept', () => {
    expect(decideLock(CLOSED, passing, { by: 'zhao', at, override: 'not needed' })).toEqual({
      ok: true,
      lock: { at, by: 'zhao', runId: 'r1', override: null },
    });
  });

  it('needs a reason while the check fails; blank is no reason', () => {
    expect(decideLock(CLOSED, failing, { by: 'zhao', at })).toMatchObject({ ok: false, why: 'close-check' });
    expect(decideLock(CLOSED, failing, { by: 'zhao', at, override: '  ' })).toMatchObject({
      ok: false,
      why: 'close-check',
    });
    expect(decideLock(CLOSED, failing, { by: 'zhao', at, override: ' CFO approved ' })).toMatchObject({
      ok: true,
      lock: { override: 'CFO approved' },
    });
  });

  it('refuses a period never closed, or locked already', () => {
    expect(decideLock(undefined, passing, { by: 'zhao', at })).toMatchObject({
      ok: false,
      why: 'not-closed',
    });
    const locked = { ...CLOSED, lock: { at, by: 'x', runId: 'r1', override: null } };
    expect(decideLock(locked, passing, { by: 'zhao', at })).toMatchObject({ ok: false, why: 'locked' });
  });
});

describe('ratePercent', () => {
  it('shows a rate as a percentage to two places, exactly', () => {
    expect(ratePercent('0.12')).toBe('12.00 %');
    expect(ratePercent('0.008')).toBe('0.80 %');
    expect(ratePercent('0.333333')).toBe('33.33 %');
    expect(ratePercent('0.000049')).toBe('0.00 %');
  });
});
