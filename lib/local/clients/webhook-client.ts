import { signBody } from '../../core/ingest/signature.js';
import { WEBHOOK_LIMITS } from '../../declarations/tables.js';

/**
 * A WMS or ERP system's side of the signed webhook (CONTRACT §4): NDJSON cut into batches within the
 * limits, each signed with the HMAC of `timestamp.body` and posted; the answers' counts summed.
 */
export interface IngestCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

export const NO_COUNTS: IngestCounts = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };

export function addCounts(a: IngestCounts, b: IngestCounts): IngestCounts {
  return {
    accepted: a.accepted + b.accepted,
    duplicates: a.duplicates + b.duplicates,
    conflicts: a.conflicts + b.conflicts,
    rejected: a.rejected + b.rejected,
  };
}

/** Counts from a webhook answer or an ingest report, where conflicts and rejected are lists. */
export function countsOf(answer: unknown): IngestCounts | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const a = answer as Record<string, unknown>;
  const size = (v: unknown): number | undefined =>
    Array.isArray(v) ? v.length : typeof v === 'number' ? v : undefined;
  const counts = {
    accepted: size(a.accepted),
    duplicates: size(a.duplicates),
    conflicts: size(a.conflicts),
    rejected: size(a.rejected),
  };
  if (Object.values(counts).some((v) => v === undefined)) return undefined;
  return counts as IngestCounts;
}

/** NDJSON lines in batches of at most `maxRecords` records and `maxBytes` bytes. */
export function ndjsonBatches(
  text: string,
  maxRecords: number = WEBHOOK_LIMITS.maxRecords,
  maxBytes: number = WEBHOOK_LIMITS.maxBytes,
): string[] {
  const batches: string[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const size = Buffer.byteLength(line) + 1;
    if (size > maxBytes)
      throw new Error(`one NDJSON line of ${size} bytes exceeds the ${maxBytes}-byte limit`);
    if (lines.length === maxRecords || bytes + size > maxBytes) {
      batches.push(lines.join('\n') + '\n');
      lines = [];
      bytes = 0;
    }
    lines.push(line);
    bytes += size;
  }
  if (lines.length > 0) batches.push(lines.join('\n') + '\n');
  return batches;
}

export interface SignedPost {
  url: string;
  secret: string;
  body: string;
  contentType: string;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

export function signedHeaders(secret: string, body: string, timestamp: number, contentType: string) {
  const ts = String(timestamp);
  return {
    'content-type': contentType,
    'x-stocktally-timestamp': ts,
    'x-stocktally-signature': signBody(secret, ts, body),
  };
}

export async function postSigned(post: SignedPost): Promise<{ status: number; answer: unknown }> {
  // A sender signs with its own (the machine's) time, which the receiver checks against its own.
  const timestamp = post.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(post.url, {
    method: 'POST',
    headers: signedHeaders(post.secret, post.body, timestamp, post.contentType),
    body: post.body,
  });
  const text = await response.text();
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: response.status, answer };
}
