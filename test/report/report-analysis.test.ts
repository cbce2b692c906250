import { describe, expect, it } from 'vitest';
import { buildReportModel, reportPeriod, type WorkflowNote } from '../../lib/core/report/report-model.js';
import { foldDeliveries } from '../../lib/core/report/report-inputs.js';
import type { IngestReport } from '../../lib/core/ingest/drop.js';
import { discrepancy, summaryOf } from './factories.js';

// The parts of the report a controller reads before signing (issue 19, part 3): the detail's
// order, cause analysis, rectification progress, owners and due days, the period, the comparison
// with the previous period and the data sources. The summary's asOf is 2026-11-02T00:00Z, in UTC.
const RUN = { runId: 'run-1' };

describe('the order of the detail', () => {
  it('lists RED before YELLOW before GREEN, each by money at stake, largest first, and keeps N of them', () => {
    const list = [
      discrepancy({ severity: 'GREEN', moneyAtStake: '900.00', documentRef: 'G-900' }),
      discrepancy({ severity: 'RED', moneyAtStake: '60000.00', documentRef: 'R-60000' }),
      discrepancy({ severity: 'YELLOW', moneyAtStake: '7000.00', documentRef: 'Y-7000' }),
      discrepancy({ severity: 'RED', moneyAtStake: '90000.01', documentRef: 'R-90000' }),
      discrepancy({ severity: 'YELLOW', moneyAtStake: '49999.99', documentRef: 'Y-49999' }),
      // Apart only in the last cent, beyond what a double holds: the exact amounts decide.
      discrepancy({ severity: 'GREEN', moneyAtStake: '90071992547409.92', documentRef: 'G-big-2' }),
      discrepancy({ severity: 'GREEN', moneyAtStake: '90071992547409.91', documentRef: 'G-big-1' }),
    ];
    const all = buildReportModel(RUN, summaryOf(list), list);
    expect(all.detail.map((r) => r.documentRef)).toEqual([
      'R-90000',
      'R-60000',
      'Y-49999',
      'Y-7000',
      'G-big-2',
      'G-big-1',
      'G-900',
    ]);
    expect(all.detailOmitted).toBe(0);

    const three = buildReportModel(RUN, summaryOf(list), list, { detailCount: 3 });
    expect(three.detail.map((r) => r.documentRef)).toEqual(['R-90000', 'R-60000', 'Y-49999']);
    expect(three.detailOmitted).toBe(4);
  });
});

describe('cause analysis, rectification progress and owners', () => {
  const red = discrepancy({ severity: 'RED', moneyAtStake: '80000.00' });
  const redOld = Object.assign(discrepancy({ severity: 'RED', moneyAtStake: '55000.00' }), {
    firstSeen: '2026-10-30T08:00:00.000Z',
  });
  const yellow = Object.assign(discrepancy({ severity: 'YELLOW', moneyAtStake: '6000.00' }), {
    firstSeen: '2026-10-31T08:00:00.000Z',
  });
  const awaiting = discrepancy({ severity: 'YELLOW', moneyAtStake: '9000.00' });
  const closed = discrepancy({ severity: 'GREEN', moneyAtStake: '100.00' });
  const loose = discrepancy({ severity: 'GREEN', moneyAtStake: '10.00' });
  const list = [red, redOld, yellow, awaiting, closed, loose];
  const notes = new Map<string, WorkflowNote>([
    [red.groupKey, { status: 'open', owner: 'wang.lead', caseState: 'OPEN' }],
    [
      redOld.groupKey,
      { status: 'in-progress', owner: 'wang.lead', caseState: 'IN_REVIEW', causeCode: 'late-posting' },
    ],
    [yellow.groupKey, { status: 'open', owner: 'li.finance', caseState: 'OPEN', causeCode: 'wrong-unit' }],
    [
      awaiting.groupKey,
      {
        status: 'awaiting-books',
        owner: 'li.finance',
        caseState: 'AWAITING_BOOKS',
        causeCode: 'late-posting',
        dueBy: '2026-11-01T00:00:00.000Z',
      },
    ],
    [
      closed.groupKey,
      { status: 'resolved', owner: 'li.finance', caseState: 'CLOSED', causeCode: 'count-error' },
    ],
  ]);
  const model = buildReportModel(RUN, summaryOf(list), list, { workflow: (key) => notes.get(key) });
  const a = model.analysis;

  it('sums each root cause, the named ones by money first and the unnamed last', () => {
    expect(a.causes.map((c) => [c.code, c.count, c.money])).toEqual([
      ['late-posting', 2, '64000.00'],
      ['wrong-unit', 1, '6000.00'],
      ['count-error', 1, '100.00'],
      [null, 2, '80010.00'],
    ]);
    expect(a.causes[0]!.label).toEqual({ zh: '过账延迟', en: 'late-posting' });
  });

  it('counts cases by state in workflow order, and what is overdue', () => {
    expect(a.progress.map((p) => [p.state, p.count, p.money, p.overdue])).toEqual([
      ['OPEN', 2, '86000.00', 0],
      ['IN_REVIEW', 1, '55000.00', 1],
      ['AWAITING_BOOKS', 1, '9000.00', 1],
      ['CLOSED', 1, '100.00', 0],
      [null, 1, '10.00', 0],
    ]);
    // RED first seen 2026-10-30 was due that day; the books were due by 2026-11-01.
    expect(a.overdue).toBe(2);
    expect(a.today).toBe('2026-11-02');
  });

  it('gives each owner the open items, the money, the first due day and the RED items due the same day', () => {
    expect(a.owners).toEqual([
      {
        owner: 'wang.lead',
        open: 2,
        red: 2,
        money: '135000.00',
        firstDue: '2026-10-30',
        redDueToday: 1,
        overdue: 1,
      },
      {
        owner: 'li.finance',
        open: 2,
        red: 0,
        money: '15000.00',
        firstDue: '2026-11-01',
        redDueToday: 0,
        overdue: 1,
      },
      {
        owner: '未分配 unassigned',
        open: 1,
        red: 0,
        money: '10.00',
        firstDue: '2026-11-12',
        redDueToday: 0,
        overdue: 0,
      },
    ]);
    const row = model.detail.find((r) => r.groupKey === red.groupKey)!;
    expect([row.dueDay, row.overdue]).toEqual(['2026-11-02', false]);
    const old = model.detail.find((r) => r.groupKey === redOld.groupKey)!;
    expect([old.dueDay, old.overdue]).toEqual(['2026-10-30', true]);
    expect(model.detail.find((r) => r.groupKey === closed.groupKey)!.dueDay).toBeNull();
  });

  it('takes other due days from the configuration', () => {
    const lenient = buildReportModel(RUN, summaryOf(list), list, {
      workflow: (key) => notes.get(key),
      dueDays: { RED: 5, YELLOW: 3, GREEN: 10 },
    });
    expect(lenient.analysis.owners[0]).toMatchObject({
      owner: 'wang.lead',
      firstDue: '2026-11-04',
      redDueToday: 0,
    });
  });
});

describe('the period a report names', () => {
  it('reads the close of P as P, and a continuous run as the period holding its asOf in the zone', () => {
    // 2026-10-31T16:30Z is 2026-11-01 00:30 in Shanghai and still October in UTC.
    expect(reportPeriod({ mode: 'continuous' }, '2026-10-31T16:30:00.000Z', 'Asia/Shanghai')).toBe('2026-11');
    expect(reportPeriod({ mode: 'continuous' }, '2026-10-31T16:30:00.000Z', 'UTC')).toBe('2026-10');
    // A close at midnight on the 1st (Shanghai) closes the month before it.
    expect(reportPeriod({ mode: 'close' }, '2026-10-31T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-10');
    expect(reportPeriod({ mode: 'close', period: '2026-09' }, '2026-11-02T00:00:00.000Z', 'UTC')).toBe(
      '2026-09',
    );
    expect(reportPeriod({}, '2026-11-02T00:00:00.000Z', 'UTC')).toBeUndefined();
  });

  it('puts the period on the cover, over the periods the discrepancies happen to fall in', () => {
    const list = [discrepancy({ wmsPeriod: '2026-08', financePeriod: '2026-10' })];
    const continuous = buildReportModel({ ...RUN, mode: 'continuous' }, summaryOf(list), list);
    expect(continuous.cover.period).toBe('2026-11');
    expect(buildReportModel(RUN, summaryOf(list), list).cover.period).toBe('2026-08 – 2026-10');
  });
});

describe('the comparison with the previous period', () => {
  const list = [
    discrepancy({ severity: 'RED', moneyAtStake: '60000.00' }),
    discrepancy({ moneyAtStake: '200.50' }),
  ];

  it('sets this period beside the previous close, with the exact change', () => {
    const model = buildReportModel(
      {
        ...RUN,
        period: '2026-11',
        previous: {
          period: '2026-10',
          runId: 'close-oct',
          asOf: '2026-11-01T00:00:00.000Z',
          groupsSeen: 10,
          groupsMatched: 9,
          matchRate: '0.9000',
          discrepancies: 1,
          bySeverity: { RED: 0, YELLOW: 1, GREEN: 0 },
          moneyAtStake: { total: '60200.51', RED: '0.00', YELLOW: '60200.51', GREEN: '0.00' },
        },
      },
      summaryOf(list),
      list,
    );
    const line = (en: string) => model.comparison!.lines.find((l) => l.label.en === en)!;
    expect([
      line('Discrepancies').current,
      line('Discrepancies').previous,
      line('Discrepancies').change,
    ]).toEqual(['2', '1', '+1']);
    expect(line('Money at stake, total')).toMatchObject({
      current: '60200.50',
      previous: '60200.51',
      change: '-0.01',
    });
    expect(line('Match rate (%)')).toMatchObject({ current: '75.00', previous: '90.00', change: '-15.00' });
  });

  it('says there is none when the previous period has no close, and leaves the section out when not asked', () => {
    const none = buildReportModel({ ...RUN, previous: null }, summaryOf(list), list);
    expect(none.comparison!.previous).toBeNull();
    expect(none.comparison!.lines.every((l) => l.previous === null && l.change === null)).toBe(true);
    expect(buildReportModel(RUN, summaryOf(list), list).comparison).toBeUndefined();
  });
});

describe('the data sources of a pipeline run', () => {
  const report = (over: Partial<IngestReport>): IngestReport => ({
    key: 'incoming/finance/a.csv',
    source: 'finance',
    accepted: 9,
    duplicates: 1,
    lateArrivals: 0,
    conflicts: [],
    rejected: [],
    rows: 10,
    startedAt: '2026-11-02T01:00:00.000Z',
    finishedAt: '2026-11-02T01:00:00.000Z',
    ...over,
  });
  const window = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-05T00:00:00.000Z' };

  it('lists each drop, folds the webhook deliveries per source, and counts what ingest rejected', () => {
    const rejected = { file: 'webhook/r1', line: 2, field: 'quantity', reason: 'quantity is not a decimal' };
    const folded = foldDeliveries(
      [
        report({ rejected: [{ file: 'incoming/finance/a.csv', line: 4, field: 'amount', reason: 'bad' }] }),
        report({
          key: 'webhook/r1',
          source: 'wms',
          rows: 3,
          accepted: 2,
          duplicates: 0,
          rejected: [rejected],
        }),
        report({ key: 'webhook/r2', source: 'wms', rows: 5, accepted: 5, duplicates: 0 }),
        // Before the period and after the run: not this run's.
        report({ key: 'incoming/finance/old.csv', finishedAt: '2026-10-31T23:59:59.999Z' }),
        report({ key: 'incoming/finance/late.csv', finishedAt: '2026-11-05T00:00:00.001Z' }),
      ],
      window,
    );
    expect(folded.sources).toEqual([
      {
        source: 'finance',
        file: 'incoming/finance/a.csv',
        rows: 10,
        accepted: 9,
        rejected: 1,
        duplicates: 1,
      },
      { source: 'wms', file: 'webhook', rows: 8, accepted: 7, rejected: 1, duplicates: 0, deliveries: 2 },
    ]);
    expect(folded.rejected).toEqual([
      { file: 'incoming/finance/a.csv', line: 4, field: 'amount', reason: 'bad', source: 'finance' },
      { ...rejected, source: 'wms' },
    ]);
  });
});
