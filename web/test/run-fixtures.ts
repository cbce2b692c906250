import type { PeriodList, PeriodView, RunBrief } from '../src/api.js';

/**
 * Runs and periods as GET /v1/runs and GET /v1/periods answer them (lib/api): two closes, a
 * continuous run and a one-sku ad-hoc run whose 0 % match rate must never become the headline.
 */
const summary = (
  matchRate: string,
  groupsSeen: number,
  money: string,
  period?: string,
): NonNullable<RunBrief['summary']> =>
  ({
    groupsSeen,
    groupsMatched: Math.round(groupsSeen * Number(matchRate)),
    matchRate,
    discrepancies: groupsSeen - Math.round(groupsSeen * Number(matchRate)),
    byKind: {},
    bySeverity: { RED: 1, YELLOW: 2, GREEN: 3 },
    moneyAtStake: { total: money, RED: money, YELLOW: '0.00', GREEN: '0.00' },
    rejected: 0,
    conflicts: 0,
    timezone: 'Asia/Shanghai',
    ...(period === undefined ? {} : { period }),
  }) as unknown as NonNullable<RunBrief['summary']>;

const run = (runId: string, mode: RunBrief['mode'], asOf: string, extra: Partial<RunBrief>): RunBrief => ({
  runId,
  status: 'SUCCEEDED',
  mode,
  asOf,
  startedAt: asOf,
  finishedAt: asOf,
  partitions: 64,
  failures: 0,
  summary: null,
  ...extra,
});

/** Newest first, as the API lists them. */
export const RUNS: RunBrief[] = [
  run('adhoc-20261125', 'continuous', '2026-11-25T08:00:00.000Z', {
    scope: { skus: ['SKU-00065'] },
    summary: summary('0', 1, '52618.54'),
  }),
  run('continuous-20261125', 'continuous', '2026-11-25T07:45:00.000Z', {
    period: '2026-11',
    summary: summary('0.9712', 3000, '120000.50', '2026-11'),
  }),
  run('close-202610', 'close', '2026-11-01T00:00:00.000Z', {
    period: '2026-10',
    summary: summary('0.9920', 2500, '8000.25', '2026-10'),
  }),
  run('close-202609', 'close', '2026-10-01T00:00:00.000Z', {
    period: '2026-09',
    summary: summary('0.8800', 2400, '300000.00', '2026-09'),
  }),
];

const period = (p: Partial<PeriodView> & { period: string }): PeriodView => ({
  status: 'open',
  lastCloseRunId: null,
  lockedAt: null,
  lockedBy: null,
  override: null,
  groupsSeen: 0,
  discrepancies: 0,
  errorRate: null,
  moneyAtStake: null,
  closeDays: null,
  lateArrivals: 0,
  ...p,
});

/**
 * The seed's KPIs: August locked 15 days after its end at a 12 % error rate, September 2 days after
 * at 0.8 % (over a failing check, with a reason); October closed, not locked; November never closed.
 */
export const PERIODS: PeriodList = {
  items: [
    period({ period: '2026-11' }),
    period({
      period: '2026-10',
      status: 'open',
      lastCloseRunId: 'close-202610',
      groupsSeen: 2500,
      discrepancies: 20,
      errorRate: '0.008',
      moneyAtStake: '8000.25',
    }),
    period({
      period: '2026-09',
      status: 'locked',
      lastCloseRunId: 'close-202609',
      lockedAt: '2026-10-03T02:00:00.000Z',
      lockedBy: 'zhao.reviewer',
      override: '盘点差异已另行审批',
      groupsSeen: 2400,
      discrepancies: 19,
      errorRate: '0.008',
      moneyAtStake: '300000.00',
      closeDays: 2,
      lateArrivals: 3,
    }),
    period({
      period: '2026-08',
      status: 'locked',
      lastCloseRunId: 'close-202608',
      lockedAt: '2026-09-03T02:00:00.000Z',
      lockedBy: 'zhao.reviewer',
      groupsSeen: 2300,
      discrepancies: 276,
      errorRate: '0.12',
      moneyAtStake: '310000.00',
      closeDays: 15,
    }),
  ],
};
