import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../../lib/core/ingest/signature.js';

const secret = 'whsec-test';
const now = 1_790_000_000;
const body = Buffer.from('[{"eventId":"E1"}]', 'utf8');

const request = (overrides: { timestamp?: string; signature?: string; body?: Buffer } = {}) => {
  const timestamp = overrides.timestamp ?? String(now);
  return {
    timestamp,
    signature: overrides.signature ?? signBody(secret, timestamp, overrides.body ?? body),
    body: overrides.body ?? body,
  };
};

describe('webhook signatures', () => {
  it('signs timestamp "." body with HMAC-SHA256 as v1=<hex>', () => {
    const expected = createHmac('sha256', secret)
      .update(`${now}.${body.toString('utf8')}`)
      .digest('hex');

    expect(signBody(secret, String(now), body)).toBe(`v1=${expected}`);
  });

  it('accepts a signed request inside the window, on both edges', () => {
    expect(verifySignature(request(), secret, now, 300)).toEqual({ ok: true });
    expect(verifySignature(request(), secret, now + 300, 300)).toEqual({ ok: true });
    expect(verifySignature(request(), secret, now - 300, 300)).toEqual({ ok: true });
  });

  it('refuses a timestamp more than 300 s away, either way', () => {
    expect(verifySignature(request(), secret, now + 301, 300)).toMatchObject({ ok: false, problem: 'stale' });
    expect(verifySignature(request(), secret, now - 301, 300)).toMatchObject({ ok: false, problem: 'stale' });
  });

  it('refuses another secret, another body and another timestamp', () => {
    const other = Buffer.from('[{"eventId":"E2"}]');
    expect(verifySignature(request(), 'other', now, 300)).toMatchObject({ problem: 'mismatch' });
    expect(verifySignature({ ...request(), body: other }, secret, now, 300)).toMatchObject({
      problem: 'mismatch',
    });
    expect(verifySignature({ ...request(), timestamp: String(now + 1) }, secret, now, 300)).toMatchObject({
      problem: 'mismatch',
    });
  });

  it('refuses missing and malformed headers without comparing', () => {
    expect(verifySignature({ ...request(), signature: undefined }, secret, now, 300)).toMatchObject({
      problem: 'missing',
    });
    expect(verifySignature({ ...request(), timestamp: '' }, secret, now, 300)).toMatchObject({
      problem: 'missing',
    });
    expect(verifySignature(request({ timestamp: '2026-10-01' }), secret, now, 300)).toMatchObject({
      problem: 'malformed',
    });
    expect(verifySignature(request({ signature: 'v1=abc' }), secret, now, 300)).toMatchObject({
      problem: 'malformed',
    });
    expect(verifySignature(request({ signature: 'v0=' + 'a'.repeat(64) }), secret, now, 300)).toMatchObject({
      problem: 'malformed',
    });
  });

  it('accepts any one of several v1 signatures (a secret being rotated)', () => {
    const good = signBody(secret, String(now), body);

    expect(
      verifySignature(request({ signature: `v1=${'0'.repeat(64)}, ${good}` }), secret, now, 300),
    ).toEqual({ ok: true });
  });
});
