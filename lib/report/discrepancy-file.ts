import { createReadStream } from 'node:fs';
import type { Discrepancy } from '../core/reconcile/discrepancy.js';

/**
 * Reads discrepancies.json back one object at a time, whatever its whitespace, so a report of a
 * large run never holds the whole array: a byte scanner finds where each top-level object of the
 * array ends (braces outside strings), and only that object is parsed. Every delimiter is ASCII,
 * so multi-byte UTF-8 text inside strings needs no decoding to be skipped, and a string is
 * skipped with one indexOf for its closing quote rather than byte by byte.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Where the string that is open at `from` closes in `chunk`, or -1 when it runs past the chunk. */
function closingQuote(chunk: Buffer, from: number): number {
  let at = chunk.indexOf(QUOTE, from);
  while (at >= 0) {
    let slashes = 0;
    for (let k = at - 1; k >= from && chunk[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return at;
    at = chunk.indexOf(QUOTE, at + 1);
  }
  return -1;
}

export async function* readDiscrepancyArray(path: string): AsyncGenerator<Discrepancy> {
  let depth = 0;
  let inString = false;
  // A string whose last byte in the previous chunk was an unpaired backslash: skip one byte.
  let escaped = false;
  let started = false;
  let pending: Buffer[] = [];
  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    let objectStart = depth >= 2 ? 0 : -1;
    let i = 0;
    while (i < chunk.length) {
      if (inString) {
        const from = escaped ? i + 1 : i;
        escaped = false;
        const end = closingQuote(chunk, from);
        if (end < 0) {
          let slashes = 0;
          for (let k = chunk.length - 1; k >= from && chunk[k] === BACKSLASH; k--) slashes++;
          escaped = slashes % 2 === 1;
          i = chunk.length;
          break;
        }
        inString = false;
        i = end + 1;
        continue;
      }
      const b = chunk[i];
      if (!started) {
        // Skip a BOM and whitespace; anything else before the array is not discrepancies.json.
        if (b === OPEN_BRACKET) {
          started = true;
          depth = 1;
        } else if (
          b !== 0x20 &&
          b !== 0x0a &&
          b !== 0x0d &&
          b !== 0x09 &&
          b !== 0xef &&
          b !== 0xbb &&
          b !== 0xbf
        ) {
          throw new Error(`${path} is not a JSON array of discrepancies`);
        }
      } else if (b === QUOTE) {
        inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth++;
        if (depth === 2) objectStart = i;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth--;
        if (depth === 1 && objectStart >= 0) {
          const part = chunk.subarray(objectStart, i + 1);
          const text = (pending.length === 0 ? part : Buffer.concat([...pending, part])).toString('utf8');
          pending = [];
          objectStart = -1;
          yield JSON.parse(text) as Discrepancy;
        }
      }
      i++;
    }
    if (depth >= 2 && objectStart >= 0) pending.push(Buffer.from(chunk.subarray(objectStart)));
  }
  if (!started || depth !== 0 || inString) throw new Error(`${path} ends before its JSON array is complete`);
}
