import { describe, expect, it } from 'vitest';
import {
  classifyAnswer,
  retryAfterMs,
  ROBOT_RATE_LIMIT_WAIT_MS,
} from '../../../lib/core/alerts/chat-delivery.js';

const NOW = Date.parse('2026-11-02T00:00:00Z');

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('3', NOW)).toBe(3000);
    expect(retryAfterMs('Mon, 02 Nov 2026 00:00:05 GMT', NOW)).toBe(5000);
    expect(retryAfterMs('Mon, 01 Nov 2026 23:00:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs(null, NOW)).toBeUndefined();
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
  });
});

describe('a webhook answer', () => {
  it.each(['dingtalk', 'wecom', 'slack'] as const)(
    '%s: 429 and 5xx are retried, honouring Retry-After',
    (type) => {
      expect(classifyAnswer(type, 429, 'rate_limited', '2', NOW)).toEqual({
        outcome: 'retry',
        reason: 'HTTP 429: rate_limited',
        afterMs: 2000,
      });
      expect(classifyAnswer(type, 503, 'busy', null, NOW)).toEqual({
        outcome: 'retry',
        reason: 'HTTP 503: busy',
      });
    },
  );

  it.each(['dingtalk', 'wecom', 'slack'] as const)('%s: other 4xx fail for good', (type) => {
    expect(classifyAnswer(type, 400, 'invalid_payload', null, NOW)).toEqual({
      outcome: 'failed',
      reason: 'HTTP 400: invalid_payload',
    });
    expect(classifyAnswer(type, 404, 'no_service', '5', NOW).outcome).toBe('failed');
  });

  it('Slack: 200 is delivered', () => {
    expect(classifyAnswer('slack', 200, 'ok', null, NOW)).toEqual({ outcome: 'delivered' });
  });

  it('DingTalk: errcode 0 is delivered, a bad signature fails, "too fast" waits a minute', () => {
    expect(classifyAnswer('dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', null, NOW)).toEqual({
      outcome: 'delivered',
    });
    expect(
      classifyAnswer('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', null, NOW),
    ).toEqual({
      outcome: 'failed',
      reason: 'errcode 310000: sign not match',
    });
    expect(classifyAnswer('dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}', null, NOW)).toEqual(
      {
        outcome: 'retry',
        reason: 'errcode 130101: send too fast',
        afterMs: ROBOT_RATE_LIMIT_WAIT_MS,
      },
    );
    expect(classifyAnswer('dingtalk', 200, '<html>gateway</html>', null, NOW).outcome).toBe('failed');
  });

  it('WeCom: errcode 0 is delivered, 45009 (frequency) is retried, an unknown key fails', () => {
    expect(classifyAnswer('wecom', 200, '{"errcode":0,"errmsg":"ok"}', null, NOW).outcome).toBe('delivered');
    expect(
      classifyAnswer('wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', null, NOW),
    ).toMatchObject({
      outcome: 'retry',
    });
    expect(
      classifyAnswer('wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', null, NOW),
    ).toEqual({
      outcome: 'failed',
      reason: 'errcode 93000: invalid webhook url',
    });
    expect(classifyAnswer('wecom', 200, '{"errcode":-1,"errmsg":"system busy"}', null, NOW)).toEqual({
      outcome: 'retry',
      reason: 'errcode -1: system busy',
    });
  });
});
