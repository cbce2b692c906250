import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, type Aws } from './ingest-harness.js';
import { resetTables, runAll, scanRuns, startRunsAws } from './runs-harness.js';
import { act, call, casePath, CLERK, LEAD, post, REVIEWER } from './cases-harness.js';
import { handler as deliverChat } from '../../functions/notify/deliver-chat.js';
import { handler as notifyRun } from '../../functions/notify/notify-run.js';
import { setAlertPublisher } from '../../lib/adapters/alerts/alert-publisher.js';
import { resetAlertStores } from '../../lib/adapters/alerts/containers.js';
import { useClock } from '../../lib/adapters/aws/clock.js';
import { fixedClock } from '../../lib/core/shared/clock.js';
import { BUCKET, ENV } from '../../lib/declarations/tables.js';
import { startLocalAlerts, type LocalAlertsWiring } from '../../lib/local/wiring/local-alerts.js';
import { fixSuiteClock, SUITE_NOW } from '../support/clock.js';

/**
 * Alerts and the cases the books decide (CONTRACT section 8), through the real run, cases and notify
 * handlers on the embedded DynamoDB and S3, with the repository's config/alerts.yaml and
 * config/workflow.yaml (awaitingBooksDays 5): nothing is said of a case awaiting the books or closed,
 * and a case overdue for the books is told to its owner once.
 */
const T = Date.parse('2026-11-02T00:00:00Z');
const at = (hours: number): string => new Date(T + hours * 3_600_000).toISOString();
const RED = 'WH-08|SKU-RED|PO-RED';
const YELLOW = 'WH-03|SKU-YEL|PO-YEL';

let aws: Aws;
let alerts: LocalAlertsWiring;

beforeAll(async () => {
  process.env[ENV.partitions] = '16';
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => {
  await resetTables(aws);
  resetAlertStores();
  alerts = await startLocalAlerts({ s3: aws.s3, bucket: BUCKET.localName, deliverChat, setAlertPublisher });
  alerts.useApi('https://api.example.com');
  await seed();
  await runAndNotify('close-1', 'close', at(0));
  alerts.sink.clear();
  alerts.publisher.clear();
});
afterEach(async () => {
  fixSuiteClock();
  await alerts.stop();
});

const receipt = (id: string, warehouseId: string, unitCost: string) => ({
  eventId: `E-${id}`,
  warehouseId,
  sku: `SKU-${id}`,
  type: 'RECEIPT',
  quantity: '10',
  documentRef: `PO-${id}`,
  occurredAt: at(-24 * 5),
  unitCost,
});

const booked = (id: string, warehouseId: string, amount: string) => ({
  entryId: `F-${id}`,
  warehouseId,
  sku: `SKU-${id}`,
  type: 'RECEIPT',
  quantity: '10',
  amount,
  documentRef: `PO-${id}`,
  postedAt: at(-24 * 5),
});

/** A RED (60,000 missing in finance) and a YELLOW (6,000 missing in finance), five days old. */
async function seed(): Promise<void> {
  await post('/v1/movements', [receipt('RED', 'WH-08', '6000'), receipt('YEL', 'WH-03', '600')]);
}

async function runAndNotify(runId: string, mode: 'close' | 'continuous', asOf: string) {
  await runAll({ runId, mode, asOf });
  const output = await notifyRun({ runId }, lambdaContext());
  await alerts.publisher.idle();
  return output;
}

/** The messages each channel got, by kind. */
function kindsBy(): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const a of alerts.shown()) (by[a.channel] ??= []).push(a.kind);
  for (const list of Object.values(by)) list.sort();
  return by;
}

/** Proposes a voucher on the case and has it approved: it waits for the books. */
async function approve(groupKey: string, voucherRef: string, approvers = [REVIEWER]): Promise<void> {
  expect((await act(groupKey, CLERK, { type: 'start-review' })).statusCode).toBe(200);
  const proposed = await act(groupKey, CLERK, {
    type: 'propose',
    resolution: { action: 'supplement-voucher', voucherRef },
    rootCause: { code: 'missing-voucher' },
  });
  expect(proposed.statusCode).toBe(200);
  for (const who of approvers) expect((await act(groupKey, who, { type: 'approve' })).statusCode).toBe(200);
  expect((await call('GET', casePath(groupKey), CLERK)).body.state).toBe('AWAITING_BOOKS');
}

describe('alerts for cases the books decide', () => {
  it('say nothing of a case awaiting the books while its group ages, and keep alerting the others', async () => {
    await approve(YELLOW, 'V-YEL');

    // Three days on, the next day's close: both discrepancies age into 2-7 days.
    await runAndNotify('close-2', 'close', at(72));

    expect(kindsBy()).toEqual({
      'ops-dingtalk': ['daily-digest', 'red'],
      'finance-slack': ['daily-digest', 'red'],
      'inventory-email': ['daily-digest', 'red'],
      'controller-email': ['red'],
    });
    expect(alerts.shown().some((a) => a.firstLine.includes('PO-RED'))).toBe(true);
    const daily = alerts.publisher.emails.find((e) => e.kind === 'daily-digest')?.message ?? '';
    expect(daily).toContain('未结 Open 🟡 黄灯 YELLOW: 0 项 items');
    expect(alerts.publisher.emails.every((e) => !e.message.includes('PO-YEL'))).toBe(true);
  });

  it('send no all-clear when the run that finds the group agreeing closes the case', async () => {
    await approve(RED, 'V-RED', [REVIEWER, LEAD]);
    await post('/v1/entries', [booked('RED', 'WH-08', '60000.00')]);

    await runAndNotify('continuous-2', 'continuous', at(1));

    expect((await call('GET', casePath(RED), CLERK)).body).toMatchObject({
      state: 'CLOSED',
      closed: { auto: true, by: 'stocktally', runId: 'continuous-2' },
    });
    expect(alerts.shown()).toEqual([]);
    const marks = (await scanRuns(aws)).filter((i) => i.pk?.S?.startsWith('alert#p#'));
    expect(marks.map((m) => m.sk?.S)).toEqual([YELLOW]);
  });

  it('tell the owner of a case overdue for the books once, on its warehouse’s channels', async () => {
    await approve(YELLOW, 'V-YEL');
    const approved = (await call('GET', casePath(YELLOW), CLERK)).body;
    expect(approved.awaiting).toMatchObject({ since: SUITE_NOW, dueBy: '2026-11-10T09:00:00.000Z' });
    expect(approved.overdue).toBe(false);

    await runAndNotify('continuous-2', 'continuous', at(1));
    expect(alerts.shown()).toEqual([]);

    useClock(fixedClock('2026-11-12T10:00:00.000Z'));
    const late = await runAndNotify('continuous-3', 'continuous', at(2));
    const again = await runAndNotify('continuous-4', 'continuous', at(3));

    expect(late.published).toBe(3);
    expect(kindsBy()).toEqual({
      'ops-dingtalk': ['overdue'],
      'finance-slack': ['overdue'],
      'inventory-email': ['overdue'],
    });
    const mail = alerts.publisher.emails.find((e) => e.kind === 'overdue');
    expect(mail?.subject).toBe('⏰ 逾期待入账 Overdue for the books · WH-03 · PO-YEL · 6,000.00');
    expect(mail?.message).toContain('负责人 Owner: wang.lead');
    expect(mail?.message).toContain('逾期 2 天');
    expect(again.published).toBe(0);
    const listed = await call('GET', '/v1/cases', CLERK, { query: { overdue: 'true' } });
    expect(
      listed.body.items.map((c: { groupKey: string; overdue: boolean }) => [c.groupKey, c.overdue]),
    ).toEqual([[YELLOW, true]]);
  });
});
