import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * DingTalk's signed custom robots ("加签"): the webhook URL gets `timestamp` (Unix milliseconds) and
 * `sign` = urlencode(base64(HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`))).
 * DingTalk refuses (errcode 310000) a sign that does not match or a timestamp more than an hour
 * from its clock. The sender signs with `signDingTalk`; the local chat sink checks with
 * `verifyDingTalk`, the way DingTalk does.
 */
export const DINGTALK_MAX_SKEW_MS = 60 * 60 * 1000;

/** base64 of the HMAC, before URL encoding. */
export function dingTalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The robot's webhook URL with `timestamp` and `sign` set (URLSearchParams encodes the sign). */
export function signDingTalkUrl(webhookUrl: string, secret: string, now: number): string {
  const url = new URL(webhookUrl);
  const timestamp = String(now);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('sign', dingTalkSign(secret, timestamp));
  return url.toString();
}

export type DingTalkCheck = { ok: true } | { ok: false; reason: string };

/** `timestamp` and `sign` as they arrive in the query (already URL-decoded). */
export function verifyDingTalk(
  secret: string,
  timestamp: string | null,
  sign: string | null,
  now: number,
): DingTalkCheck {
  if (timestamp === null || sign === null) return { ok: false, reason: 'timestamp or sign is missing' };
  if (!/^\d{13}$/.test(timestamp)) return { ok: false, reason: 'timestamp is not Unix milliseconds' };
  if (Math.abs(now - Number(timestamp)) > DINGTALK_MAX_SKEW_MS) {
    return { ok: false, reason: 'timestamp is more than 1 hour from the current time' };
  }
  const expected = Buffer.from(dingTalkSign(secret, timestamp), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'sign does not match' };
  }
  return { ok: true };
}
