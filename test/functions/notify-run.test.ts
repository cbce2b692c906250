import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, lambdaContext, webhookEvent, type Aws } from './ingest-harness.js';
import { resetTables, runAll, scanRuns, startRunsAws } from './runs-harness.js';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { handler as webhook } from '../../functions/ingest/webhook.js';
import { handler as deliverChat } from '../../functions/notify/deliver-chat.js';
import { handler as notifyRun } from '../../functions/notify/notify-run.js';
import {
  setAlertPublisher,
  type AlertPublisher,
  type PublishedAlert,
} from '../../lib/adapters/alerts/alert-publisher.js';
import { resetAlertStores } from '../../lib/adapters/alerts/containers.js';
import { ConfigurationError } from '../../lib/errors/common.js';
import { RunStore } from '../../lib/adapters/runs/run-store.js';
import { BUCKET, ENV, RUNS_TABLE } from '../../lib/declarations/tables.js';
import { startLocalAlerts, type LocalAlertsWiring } from '../../lib/local/wiring/local-alerts.js';

/**
 * The notify function for real, after runs made by the real run handlers on the embedded DynamoDB
 * and S3, publishing through the local publisher to the real chat delivery function and the chat
 * sink, with the repository's config/alerts.yaml (routes: WH-上海-02 has its own WeCom group).
 */
const T = Date.parse('2026-11-02T00:00:00Z');
const at = (hours: number): string => new Date(T + hours * 3_600_000).toISOString();
const API = 'https://api.example.com';

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
  alerts = await startLocalAlerts({
    s3: aws.s3,
    bucket: BUCKET.localName,
    deliverChat,
    setAlertPublisher,
  });
  alerts.useApi(API);
});
afterEach(async () => alerts.stop());

const movement = (id: string, warehouseId: string, unitCost: string, extra: object = {}) => ({
  eventId: `E-${id}`,
  warehouseId,
  sku: `SKU-${id}`,
  type: 'RECEIPT',
  quantity: '10',
  documentRef: `PO-${id}`,
  occurredAt: at(-24 * 5),
  unitCost,
  ...extra,
});

async function post(path: '/v1/movements' | '/v1/entries', records: object[]): Promise<void> {
  const answer = answerOf(await webhook(webhookEvent(JSON.stringify(records), { path }), lambdaContext()));
  expect(answer.body.accepted).toBe(records.length);
}

/**
 * Two REDs (60,000 missing in finance; one in Shanghai), a YELLOW (6,000 missing in finance) and a
 * GREEN (an amount 1 % off), each five days old.
 */
async function seed(): Promise<void> {
  await post('/v1/movements', [
    movement('RED', 'WH-08', '6000'),
    movement('SH', 'WH-上海-02', '6000'),
    movement('YEL', 'WH-03', '600'),
    movement('GRN', 'WH-05', '100'),
  ]);
  await post('/v1/entries', [
    {
      entryId: 'F-GRN',
      warehouseId: 'WH-05',
      sku: 'SKU-GRN',
      type: 'RECEIPT',
      quantity: '10',
      amount: '1010.00',
      documentRef: 'PO-GRN',
      postedAt: at(-24 * 5),
    },
  ]);
}

async function runAndNotify(runId: string, mode: 'close' | 'continuous', asOf: string) {
  await runAll({ runId, mode, asOf });
  const output = await notifyRun({ runId }, lambdaContext());
  await alerts.publisher.idle();
  return output;
}

/** What each channel got, as `kind: first line` per channel. */
function kindsBy(): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const a of alerts.shown()) (by[a.channel] ??= []).push(a.kind);
  for (const list of Object.values(by)) list.sort();
  return by;
}

describe('Notify after a close run', () => {
  it('sends RED alerts, the YELLOW digest and the daily digest, each format accepted by its service', async () => {
    await seed();

    const output = await runAndNotify('close-1', 'close', at(0));

    expect(output).toMatchObject({ runId: 'close-1', published: 16, alreadyPublished: 0, digest: true });
    expect(kindsBy()).toEqual({
      'ops-dingtalk': ['daily-digest', 'red', 'red', 'yellow-digest'],
      'finance-slack': ['daily-digest', 'red', 'red', 'yellow-digest'],
      'shanghai-wecom': ['daily-digest', 'red'],
      'inventory-email': ['daily-digest', 'red', 'red', 'yellow-digest'],
      'controller-email': ['red', 'red'],
    });
    expect(alerts.sink.refused()).toEqual([]);
    expect(alerts.publisher.deadLetters).toEqual([]);
    const wecom = alerts.sink.received('shanghai-wecom').map((m) => JSON.stringify(m.body));
    expect(wecom.find((b) => b.includes('红灯 RED'))).toContain('WH-上海-02 · PO-SH · 60,000.00');
    const daily = alerts.publisher.emails.find(
      (e) => e.kind === 'daily-digest' && e.channel === 'inventory-email',
    );
    expect(daily?.message).toMatch(
      /今日绿灯 GREEN today:\n- WH-05 · PO-GRN · 金额差异 AMOUNT_MISMATCH · 10\.00/,
    );
    const red = alerts.publisher.emails.find((e) => e.kind === 'red' && e.message.includes('PO-RED'));
    expect(red?.message).toContain(`${API}/v1/runs/close-1/report?format=pdf`);
    expect(red?.message).toContain('账龄 Age: 0 天 days');
  });

  it('sends nothing new on a second run over unchanged data, not even the daily digest', async () => {
    await seed();
    await runAndNotify('close-1', 'close', at(0));
    const before = { chat: alerts.sink.received().length, published: alerts.publisher.published.length };

    const second = await runAndNotify('close-2', 'close', at(0.25));

    expect(second).toMatchObject({ messages: 0, published: 0, digest: false });
    expect(alerts.sink.received()).toHaveLength(before.chat);
    expect(alerts.publisher.published).toHaveLength(before.published);
  });

  it('publishes each message once when Notify is retried, after a failure half-way too', async () => {
    await seed();
    await runAll({ runId: 'close-1', mode: 'close', asOf: at(0) });
    const published: PublishedAlert[] = [];
    let calls = 0;
    const flaky: AlertPublisher = {
      publish: async (alert) => {
        if (++calls === 5) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
        published.push(alert);
      },
    };
    setAlertPublisher(flaky);

    await expect(notifyRun({ runId: 'close-1' }, lambdaContext())).rejects.toThrow('Rate exceeded');
    const retried = await notifyRun({ runId: 'close-1' }, lambdaContext());
    const again = await notifyRun({ runId: 'close-1' }, lambdaContext());

    const ids = published.map((p) => `${p.id} ${p.channel}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(published).toHaveLength(16);
    expect(retried).toMatchObject({ messages: 16, digest: true });
    expect(retried.alreadyPublished).toBeGreaterThan(0);
    // Once the marks are stored only the day's digest is planned again, and it was published.
    expect(again).toMatchObject({ published: 0, digest: true });
    expect(again.alreadyPublished).toBe(again.messages);
    expect(published).toHaveLength(16);
  });

  it('sends an all-clear for a RED that was alerted once it agrees, and none for the YELLOW', async () => {
    await seed();
    await runAndNotify('close-1', 'close', at(0));
    alerts.sink.clear();
    alerts.publisher.clear();
    await post('/v1/entries', [
      {
        entryId: 'F-RED',
        warehouseId: 'WH-08',
        sku: 'SKU-RED',
        type: 'RECEIPT',
        quantity: '10',
        amount: '60000.00',
        documentRef: 'PO-RED',
        postedAt: at(-24 * 5),
      },
      {
        entryId: 'F-YEL',
        warehouseId: 'WH-03',
        sku: 'SKU-YEL',
        type: 'RECEIPT',
        quantity: '10',
        amount: '6000.00',
        documentRef: 'PO-YEL',
        postedAt: at(-24 * 5),
      },
    ]);

    await runAndNotify('continuous-2', 'continuous', at(1));

    expect(kindsBy()).toEqual({
      'ops-dingtalk': ['all-clear'],
      'finance-slack': ['all-clear'],
      'inventory-email': ['all-clear'],
      'controller-email': ['all-clear'],
    });
    expect(alerts.shown()[0]?.firstLine).toBe('✅ 已解决 All clear · WH-08 · PO-RED · 60,000.00');
    // The marks of both resolved groups are gone: if they open again they are new.
    const marks = (await scanRuns(aws)).filter((i) => i.pk?.S?.startsWith('alert#p#'));
    expect(marks.map((m) => m.sk?.S).sort()).toEqual(['WH-05|SKU-GRN|PO-GRN', 'WH-上海-02|SKU-SH|PO-SH']);
  });

  it('keeps GREEN for the daily digest: a continuous run sends the RED and YELLOW only', async () => {
    await seed();

    const continuous = await runAndNotify('continuous-1', 'continuous', at(0));
    expect(continuous.digest).toBe(false);
    expect(kindsBy()['ops-dingtalk']).toEqual(['red', 'red', 'yellow-digest']);
    alerts.publisher.clear();

    const close = await runAndNotify('close-2', 'close', at(1));
    expect(close.digest).toBe(true);
    expect(kindsBy()).toEqual({
      'ops-dingtalk': ['daily-digest'],
      'finance-slack': ['daily-digest'],
      'shanghai-wecom': ['daily-digest'],
      'inventory-email': ['daily-digest'],
    });
    const daily = alerts.publisher.emails[0]?.message ?? '';
    expect(daily).toContain('PO-GRN');
    expect(daily).not.toContain('PO-RED');
  });
});

describe('Notify refuses', () => {
  it('to guess without its configuration: a ConfigurationError naming the document', async () => {
    await seed();
    await runAll({ runId: 'close-1', mode: 'close', asOf: at(0) });
    await aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET.localName, Key: BUCKET.alertConfigKey }));
    resetAlertStores();

    const failed = notifyRun({ runId: 'close-1' }, lambdaContext());

    await expect(failed).rejects.toBeInstanceOf(ConfigurationError);
    await expect(failed).rejects.toThrow('s3://stocktally-data/config/alerts.yaml does not exist');
  });

  it('to alert on a run that failed, and to take an input without a run id', async () => {
    const store = new RunStore({ client: aws.dynamo, tableName: RUNS_TABLE.localName });
    await store.putRun({
      run: {
        runId: 'close-x',
        status: 'FAILED',
        mode: 'close',
        asOf: at(0),
        summary: null,
        failures: [],
        partitions: [],
        startedAt: at(0),
        timings: {},
      },
      dirtyVersions: {},
    });

    expect(await notifyRun({ runId: 'close-x' }, lambdaContext())).toMatchObject({
      published: 0,
      skipped: 'FAILED',
    });
    await expect(notifyRun({ run: 'close-x' }, lambdaContext())).rejects.toThrow(/Notify input: runId/);
  });
});
