import { describe, expect, it } from 'vitest';
import {
  alertReason,
  planAlerts,
  type AlertMark,
  type AlertPlan,
  type OverdueCase,
} from '../../../lib/core/alerts/alert-plan.js';
import type { RunDiscrepancy } from '../../../lib/core/runs/run-events.js';
import { AS_OF, applyMarks, config, found, resolved, runInfo } from './alert-factories.js';

const NONE = new Map<string, AlertMark>();

function plan(
  discrepancies: RunDiscrepancy[],
  marks: ReadonlyMap<string, AlertMark> = NONE,
  run = runInfo(),
  cfg = config(),
): AlertPlan {
  return planAlerts({ run, discrepancies, marks, config: cfg });
}

/** `kind channel` of each message, in order. */
const sent = (p: AlertPlan): string[] => p.messages.map((m) => `${m.kind} ${m.channel.name}`);

/** Two runs: the second over the first one's marks. */
function twice(first: RunDiscrepancy[], second: RunDiscrepancy[], run2 = runInfo({ runId: 'continuous-2' })) {
  const p1 = plan(first);
  return { p1, p2: plan(second, applyMarks(NONE, p1), run2) };
}

describe('RED discrepancies', () => {
  it('alert at once, one message per new RED discrepancy and channel of its warehouse', () => {
    const a = found({ warehouseId: 'WH-01' });
    const b = found({ warehouseId: 'WH-01', moneyAtStake: '70000.00' });

    const p = plan([a, b]);

    expect(sent(p)).toEqual([
      'red ding',
      'red ding',
      'red slack',
      'red slack',
      'red mail',
      'red mail',
      'red boss',
      'red boss',
    ]);
    // Largest money first within a channel.
    expect(p.messages[0]?.items[0]?.groupKey).toBe(b.groupKey);
    expect(p.messages[0]?.items[0]?.reason).toBe('new');
    expect(p.marks.map((m) => m.mark?.redAlerted)).toEqual([true, true]);
  });

  it('go to the warehouse’s own route when it has one, not to the default', () => {
    const shanghai = found({ warehouseId: 'WH-上海-02', moneyAtStake: '40000.00' });

    expect(sent(plan([shanghai]))).toEqual(['red wecom']);
  });

  it('are not alerted below their warehouse’s RED threshold, and are once they reach it', () => {
    const below = found({ warehouseId: 'WH-01', moneyAtStake: '49999.99' });
    const { p1, p2 } = twice([below], [{ ...below, moneyAtStake: '50000.00', state: 'PERSISTING' }]);

    expect(sent(p1)).toEqual([]);
    expect(p1.marks[0]?.mark).toEqual({ severity: 'RED', ageBucket: '0-1', redAlerted: false });
    expect(sent(p2)).toEqual(['red ding', 'red slack', 'red mail', 'red boss']);
    expect(p2.messages[0]?.items[0]?.reason).toBe('new');
  });

  it('are not alerted again by a second run over unchanged data', () => {
    const a = found();
    const { p1, p2 } = twice([a], [{ ...a, state: 'PERSISTING' }]);

    expect(p1.messages).toHaveLength(4);
    expect(p2.messages).toEqual([]);
    // Nothing changed: nothing to write either.
    expect(p2.marks).toEqual([]);
  });

  it('are alerted again when they age into the next bucket, and not within the same one', () => {
    const a = found();
    const sameBucket = { ...a, state: 'PERSISTING' as const, ageBucket: '0-1' as const };
    const older = {
      ...a,
      state: 'PERSISTING' as const,
      ageBucket: '2-7' as const,
      firstSeen: '2026-10-30T00:00:00.000Z',
    };

    expect(twice([a], [sameBucket]).p2.messages).toEqual([]);
    const { p2 } = twice([a], [older]);
    expect(sent(p2)).toEqual(['red ding', 'red slack', 'red mail', 'red boss']);
    expect(p2.messages[0]?.items[0]).toMatchObject({ reason: 'aged', ageBucket: '2-7', ageDays: 3 });
  });

  it('are alerted when the severity rises to RED, and not when it falls to YELLOW', () => {
    const yellow = found({ severity: 'YELLOW', moneyAtStake: '6000.00' });
    const rose = {
      ...yellow,
      severity: 'RED' as const,
      moneyAtStake: '60000.00',
      state: 'PERSISTING' as const,
    };
    const red = found();
    const fell = {
      ...red,
      severity: 'YELLOW' as const,
      moneyAtStake: '6000.00',
      state: 'PERSISTING' as const,
    };

    const up = twice([yellow], [rose]).p2;
    expect(sent(up)).toEqual(['red ding', 'red slack', 'red mail', 'red boss']);
    expect(up.messages[0]?.items[0]?.reason).toBe('severity-rose');
    expect(twice([red], [fell]).p2.messages).toEqual([]);
  });

  it('are alerted again when they rise back to RED after falling to YELLOW', () => {
    const red = found();
    const p1 = plan([red]);
    const m1 = applyMarks(NONE, p1);
    const fell = {
      ...red,
      severity: 'YELLOW' as const,
      moneyAtStake: '6000.00',
      state: 'PERSISTING' as const,
    };
    const p2 = plan([fell], m1, runInfo({ runId: 'r2' }));
    const back = { ...red, state: 'PERSISTING' as const };

    const p3 = plan([back], applyMarks(m1, p2), runInfo({ runId: 'r3' }));

    expect(p2.messages).toEqual([]);
    expect(sent(p3)).toEqual(['red ding', 'red slack', 'red mail', 'red boss']);
    expect(p3.messages[0]?.items[0]?.reason).toBe('severity-rose');
  });

  it('past the per-run limit of a channel, fold the smallest into one message', () => {
    const many = Array.from({ length: 5 }, (_, i) => found({ moneyAtStake: `${60000 + i}.00` }));
    const cfg = config({ limits: { redAlertsPerRun: 3 } });

    const p = plan(many, NONE, runInfo(), cfg);
    const ding = p.messages.filter((m) => m.channel.name === 'ding');

    expect(ding.map((m) => m.kind)).toEqual(['red', 'red', 'red-more']);
    expect(ding.map((m) => m.items.map((i) => i.moneyAtStake))).toEqual([
      ['60004.00'],
      ['60003.00'],
      ['60002.00', '60001.00', '60000.00'],
    ]);
    // At the limit exactly, every RED is its own message.
    expect(
      plan(many.slice(0, 3), NONE, runInfo(), cfg).messages.filter((m) => m.kind === 'red-more'),
    ).toEqual([]);
  });
});

describe('all-clears', () => {
  it('go to the RED channels when a RED that was alerted is resolved, and the mark goes', () => {
    const red = found();
    const { p2 } = twice([red], [resolved(red)]);

    expect(sent(p2)).toEqual(['all-clear ding', 'all-clear slack', 'all-clear mail', 'all-clear boss']);
    expect(p2.messages[0]?.items[0]?.reason).toBe('resolved');
    expect(p2.marks).toEqual([{ groupKey: red.groupKey, sku: red.sku, mark: undefined }]);
  });

  it('are not sent for a resolved discrepancy no RED alert went out for', () => {
    const yellow = found({ severity: 'YELLOW', moneyAtStake: '6000.00' });
    const quietRed = found({ moneyAtStake: '100.00' });
    const { p1, p2 } = twice([yellow, quietRed], [resolved(yellow), resolved(quietRed)]);

    expect(p1.messages.map((m) => m.kind)).toContain('yellow-digest');
    expect(p2.messages).toEqual([]);
    expect(p2.marks.map((m) => m.mark)).toEqual([undefined, undefined]);
    // Resolved and never seen by an alert run: nothing at all.
    expect(plan([resolved(found())])).toEqual({ messages: [], marks: [] });
  });

  it('are not sent twice, and a reopened discrepancy is new again', () => {
    const red = found();
    const p1 = plan([red]);
    const m1 = applyMarks(NONE, p1);
    const p2 = plan([resolved(red)], m1, runInfo({ runId: 'r2' }));
    const m2 = applyMarks(m1, p2);

    expect(plan([resolved(red)], m2, runInfo({ runId: 'r3' })).messages).toEqual([]);
    const reopened = plan([red], m2, runInfo({ runId: 'r4' }));
    expect(reopened.messages[0]).toMatchObject({ kind: 'red', items: [{ reason: 'new' }] });
  });
});

describe('YELLOW discrepancies', () => {
  it('go out as one digest per channel and run, listing each new one', () => {
    const y1 = found({ severity: 'YELLOW', moneyAtStake: '6000.00' });
    const y2 = found({ severity: 'YELLOW', moneyAtStake: '9000.00' });

    const p = plan([y1, y2]);

    // The boss channel takes RED only.
    expect(sent(p)).toEqual(['yellow-digest ding', 'yellow-digest slack', 'yellow-digest mail']);
    expect(p.messages[0]?.items.map((i) => i.groupKey)).toEqual([y2.groupKey, y1.groupKey]);
  });

  it('send no digest when no YELLOW discrepancy is new, rose or aged', () => {
    const y = found({ severity: 'YELLOW', moneyAtStake: '6000.00' });
    const small = found({ severity: 'YELLOW', moneyAtStake: '1886.72' });

    expect(twice([y], [{ ...y, state: 'PERSISTING' }]).p2.messages).toEqual([]);
    // Under the YELLOW threshold (5,000): never alerted.
    expect(plan([small]).messages).toEqual([]);
  });

  it('list a YELLOW discrepancy again when it ages into the next bucket', () => {
    const y = found({ severity: 'YELLOW', moneyAtStake: '6000.00' });
    const aged = { ...y, state: 'PERSISTING' as const, ageBucket: '8-30' as const };

    const { p2 } = twice([y], [aged]);

    expect(sent(p2)).toEqual(['yellow-digest ding', 'yellow-digest slack', 'yellow-digest mail']);
    expect(p2.messages[0]?.items[0]?.reason).toBe('aged');
  });

  it('list at most limits.digestItems and count the rest', () => {
    const many = Array.from({ length: 7 }, () => found({ severity: 'YELLOW', moneyAtStake: '6000.00' }));

    const p = plan(many, NONE, runInfo(), config({ limits: { digestItems: 5 } }));

    expect(p.messages[0]).toMatchObject({ kind: 'yellow-digest', more: 2 });
    expect(p.messages[0]?.items).toHaveLength(5);
  });
});

describe('GREEN discrepancies and the daily digest', () => {
  const green = found({ severity: 'GREEN', moneyAtStake: '215.26' });
  const red = found();
  const digestRun = runInfo({ runId: 'close-daily-1', mode: 'close', digest: true });

  it('are never alerted by a run that is not the day’s digest run', () => {
    const p = plan([green]);

    expect(p.messages).toEqual([]);
    expect(p.marks[0]?.mark).toEqual({ severity: 'GREEN', ageBucket: '0-1', redAlerted: false });
  });

  it('are listed in the daily digest, with everything open in the channel’s warehouses', () => {
    const p = plan([green, red], NONE, digestRun);
    const daily = p.messages.filter((m) => m.kind === 'daily-digest');

    // The channels that take GREEN (boss takes RED only).
    expect(daily.map((m) => m.channel.name)).toEqual(['ding', 'slack', 'mail']);
    expect(daily[0]?.severity).toBe('GREEN');
    expect(daily[0]?.items.map((i) => i.groupKey)).toEqual([green.groupKey]);
    expect(daily[0]?.open).toEqual({
      RED: { count: 1, money: '60000.00' },
      YELLOW: { count: 0, money: '0.00' },
      GREEN: { count: 1, money: '215.26' },
    });
    expect(daily[0]?.id).toBe('daily-digest#ding#2026-11-02');
  });

  it('are not listed again in the next day’s digest unless they aged', () => {
    const p1 = plan([green], NONE, digestRun);
    const next = { ...digestRun, runId: 'close-daily-2', day: '2026-11-03' };
    const same = { ...green, state: 'PERSISTING' as const };
    const aged = { ...green, state: 'PERSISTING' as const, ageBucket: '2-7' as const };

    expect(plan([same], applyMarks(NONE, p1), next).messages[0]?.items).toEqual([]);
    expect(plan([aged], applyMarks(NONE, p1), next).messages[0]?.items.map((i) => i.reason)).toEqual([
      'aged',
    ]);
  });

  it('a GREEN seen by continuous runs first is listed in the first digest after', () => {
    const m1 = applyMarks(NONE, plan([green]));

    const p2 = plan([{ ...green, state: 'PERSISTING' }], m1, digestRun);

    expect(p2.messages[0]?.items.map((i) => i.groupKey)).toEqual([green.groupKey]);
  });

  it('is sent only by the digest run: a second close the same day sends none', () => {
    const closeAgain = runInfo({ runId: 'close-2', mode: 'close', digest: false });

    expect(plan([green, red], NONE, closeAgain).messages.filter((m) => m.kind === 'daily-digest')).toEqual(
      [],
    );
  });
});

describe('the rule alertReason', () => {
  const mark = (m: Partial<AlertMark>): AlertMark => ({
    severity: 'RED',
    ageBucket: '0-1',
    alerted: { severity: 'RED', ageBucket: '0-1', runId: 'r1' },
    redAlerted: true,
    ...m,
  });

  it.each([
    ['never seen', undefined, 'RED', '0-1', 'new'],
    ['seen, never alerted', mark({ alerted: undefined }), 'RED', '0-1', 'new'],
    ['rose since the run before', mark({ severity: 'YELLOW' }), 'RED', '0-1', 'severity-rose'],
    [
      'above the severity last alerted',
      mark({ alerted: { severity: 'YELLOW', ageBucket: '0-1', runId: 'r1' } }),
      'RED',
      '0-1',
      'severity-rose',
    ],
    ['aged past the bucket last alerted', mark({}), 'RED', '8-30', 'aged'],
    ['unchanged', mark({}), 'RED', '0-1', undefined],
    ['fell', mark({}), 'YELLOW', '0-1', undefined],
    [
      'younger bucket (a back-dated run)',
      mark({ ageBucket: '2-7', alerted: { severity: 'RED', ageBucket: '2-7', runId: 'r' } }),
      'RED',
      '0-1',
      undefined,
    ],
  ] as const)('%s', (_name, m, severity, bucket, expected) => {
    expect(alertReason(m, severity, bucket)).toBe(expected);
  });
});

describe('the plan', () => {
  it('leaves the marks of groups the run did not see alone', () => {
    const a = found();
    const p1 = plan([a, found()]);

    const p2 = plan([{ ...a, state: 'PERSISTING' }], applyMarks(NONE, p1), runInfo({ runId: 'r2' }));

    expect(p2.marks).toEqual([]);
  });

  it('gives every message an id unique in the run and the same when planned again', () => {
    const input = [
      found(),
      found({ severity: 'YELLOW', moneyAtStake: '7000.00' }),
      found({ severity: 'GREEN' }),
    ];
    const run = runInfo({ digest: true, mode: 'close' });

    const ids = plan(input, NONE, run).messages.map((m) => m.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(plan(input, NONE, run).messages.map((m) => m.id)).toEqual(ids);
  });

  it('carries the run, its report link and the owners of the warehouse', () => {
    const [message] = plan([found({ warehouseId: 'WH-上海-02' })]).messages;

    expect(message?.run.reportUrl).toBe('https://api.example.com/v1/runs/continuous-1/report?format=pdf');
    expect(message?.owners).toEqual(['王芳']);
    expect(message?.items[0]).toMatchObject({ moneyAtStake: '60000.00', ageDays: 0, firstSeen: AS_OF });
  });
});

describe('cases the books decide (CONTRACT section 8)', () => {
  const overdue = (spec: Partial<OverdueCase> = {}): OverdueCase => ({
    caseId: 'V0gtMDF8U0tVLTF8UE8tMQ',
    groupKey: 'WH-01|SKU-1|PO-1',
    warehouseId: 'WH-01',
    documentRef: 'PO-1',
    sku: 'SKU-1',
    kind: 'MISSING_IN_FINANCE',
    severity: 'YELLOW',
    moneyAtStake: '7000',
    firstSeen: AS_OF,
    explanation: 'finance booked nothing',
    owner: 'li.finance',
    since: '2026-10-20T09:00:00.000Z',
    dueBy: '2026-10-25T09:00:00.000Z',
    daysOverdue: 7,
    ...spec,
  });

  it('say nothing of a group whose case awaits the books, is accepted or closed: no alert, digest or all-clear', () => {
    const red = found();
    const yellow = found({ severity: 'YELLOW', moneyAtStake: '7000.00' });
    const green = found({ severity: 'GREEN', moneyAtStake: '215.26' });
    const alerted = applyMarks(NONE, plan([red]));
    const quiet = new Set([red.groupKey, yellow.groupKey, green.groupKey]);
    const digestRun = runInfo({ runId: 'close-daily-1', mode: 'close', digest: true });

    const persisting = planAlerts({
      run: digestRun,
      discrepancies: [{ ...red, state: 'PERSISTING', ageBucket: '8-30' }, yellow, green],
      marks: alerted,
      config: config(),
      quiet,
    });
    const cleared = planAlerts({
      run: runInfo({ runId: 'r3' }),
      discrepancies: [resolved(red)],
      marks: alerted,
      config: config(),
      quiet,
    });

    expect(persisting.messages).toEqual([]);
    expect(cleared.messages).toEqual([]);
    expect(cleared.marks).toEqual([{ groupKey: red.groupKey, sku: red.sku, mark: undefined }]);
  });

  it('alert a reopened case afresh: what was alerted while it was quiet is forgotten', () => {
    const red = found();
    const p1 = plan([red]);
    const quietPlan = planAlerts({
      run: runInfo({ runId: 'r2' }),
      discrepancies: [{ ...red, state: 'PERSISTING' }],
      marks: applyMarks(NONE, p1),
      config: config(),
      quiet: new Set([red.groupKey]),
    });
    expect(quietPlan.marks[0]?.mark).toEqual({ severity: 'RED', ageBucket: '0-1', redAlerted: false });

    const reopened = plan([{ ...red, state: 'PERSISTING' }], applyMarks(applyMarks(NONE, p1), quietPlan));

    expect(sent(reopened)).toEqual(['red ding', 'red slack', 'red mail', 'red boss']);
  });

  it('tell the owner of a case overdue for the books, once per channel of its warehouse taking its severity', () => {
    const p = planAlerts({
      run: runInfo(),
      discrepancies: [],
      marks: NONE,
      config: config(),
      overdue: [overdue()],
    });

    expect(sent(p)).toEqual(['overdue ding', 'overdue slack', 'overdue mail']);
    expect(p.messages[0]).toMatchObject({
      id: 'overdue#ding#WH-01|SKU-1|PO-1',
      severity: 'YELLOW',
      owners: ['li.finance'],
      awaiting: { owner: 'li.finance', dueBy: '2026-10-25T09:00:00.000Z', daysOverdue: 7 },
      items: [expect.objectContaining({ reason: 'overdue', moneyAtStake: '7000.00' })],
    });
  });

  it('send an overdue alert to every channel of the route when none takes the case’s severity', () => {
    const cfg = config({
      warehouses: { 'WH-09': { channels: ['boss'] } },
    });

    const p = planAlerts({
      run: runInfo(),
      discrepancies: [],
      marks: NONE,
      config: cfg,
      overdue: [overdue({ warehouseId: 'WH-09', groupKey: 'WH-09|SKU-1|PO-1' })],
    });

    expect(sent(p)).toEqual(['overdue boss']);
  });
});
