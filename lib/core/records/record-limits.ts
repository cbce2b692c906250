import { groupKey, type GroupParts } from './group-key.js';

/**
 * What an id or code may be, wherever a record arrives (the CLI, the webhooks, the S3 drops): the
 * rules the zod wire schemas (records.ts) and the hot-path parser (record-parser.ts) share, kept
 * free of zod so the parser's worker threads load nothing more.
 */
/**
 * The longest text each id and code may be, in characters (UTF-16 code units: a character beyond
 * the Basic Multilingual Plane, such as an emoji, counts twice). Generous for any real code, and
 * what keeps a record inside DynamoDB's key limits wherever it becomes part of a key.
 */
export const TEXT_LIMITS = {
  eventId: 256,
  entryId: 256,
  warehouseId: 128,
  sku: 128,
  documentRef: 256,
  uom: 32,
  currency: 16,
  account: 64,
} as const;
export type LimitedField = keyof typeof TEXT_LIMITS;

/**
 * A group's key (`warehouseId|sku|documentRef`, lib/core/records/group-key.ts) is part of DynamoDB sort
 * keys (at most 1,024 bytes, with prefixes): together the three may make at most this many bytes
 * of UTF-8. Only ids near all three limits at once, in three-byte characters, come near it.
 */
export const GROUP_KEY_MAX_BYTES = 900;

const LONE_SURROGATE = /\p{Cs}/u;
const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** No lone UTF-16 surrogate: the text has a UTF-8 form (storage would replace the surrogate with U+FFFD). */
export function isWellFormedText(value: string): boolean {
  return nativeWellFormed === undefined ? !LONE_SURROGATE.test(value) : nativeWellFormed.call(value);
}

/** Why a text cannot be an id or code, or undefined when it can (`required`: blank is refused). */
export function textProblem(value: string, field: LimitedField, required: boolean): string | undefined {
  const limit = TEXT_LIMITS[field];
  if (value.length > limit) return `is ${value.length} characters long; at most ${limit}`;
  if (!isWellFormedText(value)) return 'holds a lone UTF-16 surrogate (text that is not well-formed Unicode)';
  if (required && value.trim() === '') return 'is blank (only whitespace)';
  return undefined;
}

/** UTF-8 bytes of a well-formed text, without encoding it. */
export function utf8Length(value: string): number {
  let bytes = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // Two bytes up to U+07FF, three beyond; a surrogate pair (4 bytes) is two code units of 2 each.
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** Why a group's key would be too long to store, or undefined. */
export function groupKeyProblem(group: GroupParts): string | undefined {
  const { warehouseId, sku, documentRef } = group;
  // Three bytes per code unit at most, plus escapes: most keys need no counting at all.
  if ((warehouseId.length + sku.length + documentRef.length) * 4 + 2 <= GROUP_KEY_MAX_BYTES) return undefined;
  const bytes = utf8Length(groupKey(group));
  if (bytes <= GROUP_KEY_MAX_BYTES) return undefined;
  return `with warehouseId and sku makes a group key of ${bytes} bytes (UTF-8); at most ${GROUP_KEY_MAX_BYTES}`;
}

/** A cost is never negative: the sign of a movement is its quantity's. */
export const NEGATIVE_COST = 'must not be negative (a unit cost; the quantity carries the sign)';

/** A unit or cost table larger than this is refused: these are reference tables, read whole. */
export const MAX_TABLE_BYTES = 32 * 1024 * 1024;
