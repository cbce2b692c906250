import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (CONTRACT §4): `X-Stocktally-Signature: v1=<hex>` is the HMAC-SHA256 of
 * `timestamp + "." + raw body` under the source system's secret, and the timestamp (Unix seconds)
 * must lie within the allowed skew of the server clock, so a captured request cannot be replayed later.
 */
export const SIGNATURE_SCHEME = 'v1';

export type SignatureCheck =
  { ok: true } | { ok: false; problem: 'missing' | 'malformed' | 'stale' | 'mismatch'; reason: string };

export interface SignedRequest {
  /** The `X-Stocktally-Timestamp` header, if any. */
  timestamp: string | undefined;
  /** The `X-Stocktally-Signature` header, if any: `v1=<hex>`, or several comma-separated. */
  signature: string | undefined;
  body: Uint8Array;
}

function mac(secret: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value a sender puts in `X-Stocktally-Signature`. */
export function signBody(secret: string, timestamp: string, body: Uint8Array | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `${SIGNATURE_SCHEME}=${mac(secret, timestamp, bytes).toString('hex')}`;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function verifySignature(
  request: SignedRequest,
  secret: string,
  nowSeconds: number,
  maxSkewSeconds: number,
): SignatureCheck {
  const { timestamp, signature, body } = request;
  if (timestamp === undefined || timestamp === '' || signature === undefined || signature === '') {
    return { ok: false, problem: 'missing', reason: 'the request is not signed' };
  }
  if (!/^\d{1,12}$/.test(timestamp.trim())) {
    return { ok: false, problem: 'malformed', reason: 'the timestamp is not Unix seconds' };
  }
  if (Math.abs(nowSeconds - Number(timestamp.trim())) > maxSkewSeconds) {
    return { ok: false, problem: 'stale', reason: `the timestamp is more than ${maxSkewSeconds} s from now` };
  }
  const offered = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_SCHEME}=`))
    .map((part) => part.slice(SIGNATURE_SCHEME.length + 1))
    .filter((hex) => HEX_SHA256.test(hex));
  if (offered.length === 0) {
    return { ok: false, problem: 'malformed', reason: `the signature is not ${SIGNATURE_SCHEME}=<hex>` };
  }
  const expected = mac(secret, timestamp.trim(), body);
  // Every candidate is compared, in constant time on equal-length buffers.
  let match = false;
  for (const hex of offered) match = timingSafeEqual(expected, Buffer.from(hex, 'hex')) || match;
  return match ? { ok: true } : { ok: false, problem: 'mismatch', reason: 'the signature does not match' };
}
