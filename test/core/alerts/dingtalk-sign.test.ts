import { describe, expect, it } from 'vitest';
import { dingTalkSign, signDingTalkUrl, verifyDingTalk } from '../../../lib/core/alerts/dingtalk-sign.js';

const SECRET = 'SECexample0123456789';
const NOW = 1_700_000_000_000;

describe('DingTalk robot signatures', () => {
  it('are base64(HMAC-SHA256(secret, "timestamp\\nsecret")), as computed independently in Python', () => {
    // python3: base64.b64encode(hmac.new(secret, f'{ts}\n{secret}', sha256).digest())
    expect(dingTalkSign(SECRET, String(NOW))).toBe('figG6qqCA/lRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ=');
  });

  it('go on the webhook URL as timestamp and a URL-encoded sign, keeping its access_token', () => {
    const url = signDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', SECRET, NOW);

    expect(url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000' +
        '&sign=figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D',
    );
  });

  it('verify when the sign matches and the timestamp is within the hour', () => {
    const url = new URL(
      signDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', SECRET, NOW),
    );
    const [ts, sign] = [url.searchParams.get('timestamp'), url.searchParams.get('sign')];

    expect(verifyDingTalk(SECRET, ts, sign, NOW + 59 * 60_000)).toEqual({ ok: true });
    expect(verifyDingTalk(SECRET, ts, sign, NOW - 59 * 60_000)).toEqual({ ok: true });
  });

  it('do not verify with another secret, another timestamp, past the hour, or missing', () => {
    const ts = String(NOW);
    const sign = dingTalkSign(SECRET, ts);

    expect(verifyDingTalk('SECother', ts, sign, NOW)).toMatchObject({
      ok: false,
      reason: 'sign does not match',
    });
    expect(verifyDingTalk(SECRET, String(NOW + 1), sign, NOW)).toMatchObject({ ok: false });
    expect(verifyDingTalk(SECRET, ts, sign, NOW + 61 * 60_000)).toMatchObject({
      ok: false,
      reason: 'timestamp is more than 1 hour from the current time',
    });
    expect(verifyDingTalk(SECRET, null, sign, NOW)).toMatchObject({ ok: false });
    expect(verifyDingTalk(SECRET, ts, null, NOW)).toMatchObject({ ok: false });
    expect(
      verifyDingTalk(SECRET, String(NOW / 1000), dingTalkSign(SECRET, String(NOW / 1000)), NOW),
    ).toMatchObject({
      ok: false,
      reason: 'timestamp is not Unix milliseconds',
    });
  });
});
