import { JsonNumber, readJson } from '../shared/json-text.js';
import { isRejection, parseEntry, parseMovement } from '../records/record-parser.js';
import type { LedgerRecord, Rejection, Source } from '../records/records.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { Result } from '../shared/result.js';

/**
 * A webhook body (CONTRACT §4) as raw rows with their 1-based line: a JSON array (line = element),
 * one JSON object (line 1) or NDJSON (line = physical line). A line that is not JSON becomes a row
 * carrying its parse error, so the rows around it still count; a body with nothing readable at all
 * is an unreadable-body value (400), never an exception.
 */
export type BodyRow = { line: number; value: unknown } | { line: number; error: string };

export type WebhookBody = Result<{ rows: BodyRow[] }>;

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);

export function isNdjsonContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return NDJSON_TYPES.has(mediaType);
}

export function readNdjsonBody(text: string): WebhookBody {
  const rows: BodyRow[] = [];
  let readable = 0;
  let line = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim() === '') continue;
    const read = readJson(raw);
    if (read.ok) {
      rows.push({ line, value: read.value });
      readable++;
    } else rows.push({ line, error: `is not valid JSON (${read.reason})` });
  }
  if (readable === 0) {
    return { ok: false, reason: rows.length === 0 ? 'the body is empty' : 'no line of the body is JSON' };
  }
  return { ok: true, rows };
}

export function readWebhookBody(body: string, contentType: string | undefined): WebhookBody {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim() === '') return { ok: false, reason: 'the body is empty' };
  if (isNdjsonContentType(contentType)) return readNdjsonBody(text);
  const read = readJson(text);
  if (!read.ok) {
    // Several JSON lines sent without the NDJSON content type are still NDJSON.
    const ndjson = text.trim().includes('\n') ? readNdjsonBody(text) : undefined;
    if (ndjson?.ok === true) return ndjson;
    return { ok: false, reason: `the body is neither JSON nor NDJSON (${read.reason})` };
  }
  const { value } = read;
  if (Array.isArray(value))
    return { ok: true, rows: value.map((v: unknown, i) => ({ line: i + 1, value: v })) };
  if (typeof value === 'object' && value !== null && !(value instanceof JsonNumber))
    return { ok: true, rows: [{ line: 1, value }] };
  return { ok: false, reason: 'the body is JSON but neither an array of records nor one record' };
}

/** Validates the rows of a body with the one record parser; a bad row is a rejection, never a loss. */
export function validateBodyRows(
  rows: readonly BodyRow[],
  source: Source,
  file: string,
  zone: ZoneClock,
): { records: LedgerRecord[]; rejected: Rejection[] } {
  const parse = source === 'wms' ? parseMovement : parseEntry;
  const records: LedgerRecord[] = [];
  const rejected: Rejection[] = [];
  for (const row of rows) {
    if ('error' in row) {
      rejected.push({ source, file, line: row.line, field: undefined, reason: row.error });
      continue;
    }
    const result = parse(row.value, { file, line: row.line }, zone);
    if (isRejection(result)) rejected.push(result);
    else records.push(result);
  }
  return { records, rejected };
}
