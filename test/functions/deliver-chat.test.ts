import { context, envelopeFor, sqsEvent, sqsRecord, useSinkSecrets } from './alert-harness.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as deliverChat } from '../../functions/notify/deliver-chat.js';
import { postChat } from '../../lib/adapters/alerts/chat-poster.js';
import { backoffDelay } from '../../lib/adapters/aws/backoff.js';
import { CHAT_DELIVERY } from '../../lib/declarations/alerts.js';
import { ENV } from '../../lib/declarations/tables.js';
import { startChatSink, type ChatSink } from '../../lib/local/wiring/chat-sink.js';
import { LocalAlerts } from '../../lib/local/wiring/local-alerts.js';

/**
 * The chat delivery function, for real, against the local chat sink on loopback: each format posted
 * and accepted the way the service accepts it (the DingTalk signature verified by the sink), retries
 * on 429 and 5xx, and the dead-letter path of a channel that always fails.
 */
let sink: ChatSink;

beforeAll(async () => {
  sink = await startChatSink();
  for (const [name, type] of [
    ['ding', 'dingtalk'],
    ['wecom', 'wecom'],
    ['slack', 'slack'],
  ] as const) {
    sink.addChannel(name, type);
  }
});
afterAll(async () => {
  delete process.env[ENV.chatSecrets];
  await sink.close();
});
beforeEach(() => {
  sink.clear();
  useSinkSecrets(sink);
});

describe('the chat delivery function', () => {
  it('posts each format to its service, which accepts it (DingTalk’s signature verified there)', async () => {
    const envelopes = [
      envelopeFor('ding', 'dingtalk'),
      envelopeFor('wecom', 'wecom'),
      envelopeFor('slack', 'slack'),
    ];

    const answer = await deliverChat(sqsEvent(...envelopes.map((e) => sqsRecord(e))), context());

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sink.refused()).toEqual([]);
    for (const envelope of envelopes) {
      const got = sink.received(envelope.channel);
      expect(got.map((m) => m.body)).toEqual([envelope.body]);
    }
    expect(sink.received('ding')[0]?.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: expect.stringContaining('WH-08') },
    });
    expect(sink.received('wecom')[0]?.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('WH-08') },
    });
    expect(sink.received('slack')[0]?.body).toMatchObject({
      blocks: expect.arrayContaining([expect.objectContaining({ type: 'header' })]),
    });
  });

  it('is refused by DingTalk (errcode 310000) when signed with another secret, and does not retry that', async () => {
    const [ding] = sink.channels();
    useSinkSecrets(sink, { 'test/ding': { ...ding!.secret, signingSecret: 'SECnot-the-robots-secret' } });
    const record = sqsRecord(envelopeFor('ding', 'dingtalk'));

    const answer = await deliverChat(sqsEvent(record), context());

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(sink.received('ding')).toEqual([]);
    expect(sink.refused('ding').map((r) => r.answer)).toEqual([expect.stringContaining('"errcode":310000')]);
  });

  it('delivers a message once after a 429 with Retry-After, waiting as told', async () => {
    sink.script('slack', [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }]);
    const envelope = envelopeFor('slack', 'slack');
    const started = Date.now();

    const answer = await deliverChat(sqsEvent(sqsRecord(envelope)), context());

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sink.requests('slack')).toBe(2);
    expect(sink.received('slack').map((m) => m.body)).toEqual([envelope.body]);
  });

  it('reports only the message of a channel that keeps failing; the others are delivered', async () => {
    sink.script('wecom', [{ status: 500, body: 'boom', headers: { 'retry-after': '0' } }], { always: true });
    const records = [
      sqsRecord(envelopeFor('ding', 'dingtalk')),
      sqsRecord(envelopeFor('wecom', 'wecom')),
      sqsRecord(envelopeFor('slack', 'slack')),
    ];

    const answer = await deliverChat(sqsEvent(...records), context());

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect(sink.requests('wecom')).toBe(4);
    expect(sink.received('ding')).toHaveLength(1);
    expect(sink.received('slack')).toHaveLength(1);
  });

  it('reports a message it cannot read, or whose secret is missing, and delivers the rest', async () => {
    const good = sqsRecord(envelopeFor('slack', 'slack'));
    const garbage = sqsRecord('not json');
    const unknownSecret = sqsRecord({ ...envelopeFor('ding', 'dingtalk'), secret: 'test/nobody' });

    const answer = await deliverChat(sqsEvent(garbage, good, unknownSecret), context());

    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      garbage.messageId,
      unknownSecret.messageId,
    ]);
    expect(sink.received('slack')).toHaveLength(1);
    expect(sink.requests('ding')).toBe(0);
  });
});

describe('a channel that always fails, behind the queue', () => {
  it('lands in the dead-letter queue after the receive count while the others are delivered once', async () => {
    sink.script('ding', [{ status: 503, body: 'down', headers: { 'retry-after': '0' } }], { always: true });
    const alerts = new LocalAlerts({ deliverChat });
    const publish = (channel: string, type: 'dingtalk' | 'wecom' | 'slack') => {
      const envelope = envelopeFor(channel, type);
      return alerts.publish({
        id: envelope.id,
        runId: envelope.runId,
        severity: 'RED',
        channel,
        channelType: type,
        kind: 'red',
        message: JSON.stringify(envelope),
      });
    };

    await publish('ding', 'dingtalk');
    await publish('wecom', 'wecom');
    await publish('slack', 'slack');
    await alerts.idle();

    expect(alerts.deadLetters.map((d) => [d.alert.channel, d.receives])).toEqual([
      ['ding', CHAT_DELIVERY.maxReceiveCount],
    ]);
    // Every receive made every attempt of the post policy.
    expect(sink.requests('ding')).toBe(CHAT_DELIVERY.maxReceiveCount * 4);
    expect(sink.received('wecom')).toHaveLength(1);
    expect(sink.received('slack')).toHaveLength(1);
  });
});

describe('the post policy', () => {
  it('backs off exponentially with full jitter between 5xx answers, then delivers', async () => {
    sink.script('slack', [{ status: 502 }, { status: 503 }, { status: 500 }]);
    const waits: number[] = [];
    const [slack] = sink.channels().filter((c) => c.name === 'slack');

    const result = await postChat(envelopeFor('slack', 'slack'), slack!.secret, {
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });

    expect(result).toEqual({ delivered: true, attempts: 4 });
    const policy = { attempts: 4, baseMs: 500, capMs: 8000 };
    expect(waits).toEqual([1, 2, 3].map((n) => backoffDelay(policy, n, () => 0.5)));
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it('stops and leaves the message to the queue when Retry-After is longer than it may wait', async () => {
    sink.script('slack', [{ status: 429, headers: { 'retry-after': '120' } }]);
    const [slack] = sink.channels().filter((c) => c.name === 'slack');

    const result = await postChat(envelopeFor('slack', 'slack'), slack!.secret, {
      sleep: async () => undefined,
    });

    expect(result).toMatchObject({ delivered: false, attempts: 1, retryable: true });
    expect(sink.requests('slack')).toBe(1);
  });

  it('does not retry what the service refuses for good', async () => {
    sink.script('slack', [{ status: 400, body: 'invalid_payload' }]);
    const [slack] = sink.channels().filter((c) => c.name === 'slack');

    const result = await postChat(envelopeFor('slack', 'slack'), slack!.secret);

    expect(result).toEqual({
      delivered: false,
      attempts: 1,
      reason: 'HTTP 400: invalid_payload',
      retryable: false,
    });
  });
});
