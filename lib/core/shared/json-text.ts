import type { Result } from './result.js';
/**
 * JSON text as records arrive in it (webhook bodies, NDJSON lines), read strictly (RFC 8259) with
 * two differences from JSON.parse that matter for a ledger:
 *
 * - a number is kept as the text it was written in (JsonNumber), so `9007199254740993`,
 *   `1.0000000000000001` and `123456789012345.678` are read exactly as decimals or refused as
 *   strings are, never rounded through a double first;
 * - an object naming one key twice is marked (duplicateKeyOf), so the row it is can be refused
 *   with that key named (JSON.parse keeps the last value, silently), and the rows around it kept.
 *
 * Every key is an own property, as JSON.parse makes it: `__proto__` is a key, never the prototype,
 * and readers look keys up with their own names only. Syntax errors carry JSON.parse's own message,
 * so a rejected row reads as before.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonRead = Result<{ value: unknown }>;

const DUPLICATE_KEYS = new WeakMap<object, string>();

/** The first key an object read by readJson named twice, if any. */
export function duplicateKeyOf(value: object): string | undefined {
  return DUPLICATE_KEYS.get(value);
}

class JsonSyntax extends Error {}

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_ZERO = 48;
const CH_NINE = 57;
const CH_COLON = 58;
const CH_E = 69;
const CH_OPEN_BRACKET = 91;
const CH_CLOSE_BRACKET = 93;
const CH_LOWER_E = 101;
const CH_OPEN_BRACE = 123;
const CH_CLOSE_BRACE = 125;

const ESCAPES: Readonly<Record<string, string>> = Object.assign(
  Object.create(null) as Record<string, string>,
  {
    '"': '"',
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  },
);

/** A character JSON forbids unescaped inside a string (U+0000 to U+001F). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

class Reader {
  i = 0;
  /** Where the next backslash is at or after (length: none left); moved on as strings are read. */
  private backslash = -1;

  constructor(private readonly s: string) {}

  fail(): never {
    throw new JsonSyntax();
  }

  space(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB) i++;
      else break;
    }
    this.i = i;
  }

  value(): unknown {
    this.space();
    const c = this.s.charCodeAt(this.i);
    if (c === CH_QUOTE) return this.string();
    if (c === CH_OPEN_BRACE) return this.object();
    if (c === CH_OPEN_BRACKET) return this.array();
    if (c === CH_MINUS || (c >= CH_ZERO && c <= CH_NINE)) return this.number();
    if (this.s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (this.s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (this.s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    return this.fail();
  }

  object(): Record<string, unknown> {
    // A plain object, as JSON.parse makes it (fast properties for the row parser's reads); a key
    // is always an own property, `__proto__` included, never the prototype.
    const out: Record<string, unknown> = {};
    this.i++;
    this.space();
    if (this.s.charCodeAt(this.i) === CH_CLOSE_BRACE) {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s.charCodeAt(this.i) !== CH_QUOTE) this.fail();
      const key = this.string();
      this.space();
      if (this.s.charCodeAt(this.i) !== CH_COLON) this.fail();
      this.i++;
      const value = this.value();
      if (Object.hasOwn(out, key)) {
        if (!DUPLICATE_KEYS.has(out)) DUPLICATE_KEYS.set(out, key);
      }
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      } else out[key] = value;
      this.space();
      const c = this.s.charCodeAt(this.i++);
      if (c === CH_COMMA) continue;
      if (c === CH_CLOSE_BRACE) return out;
      this.fail();
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.space();
    if (this.s.charCodeAt(this.i) === CH_CLOSE_BRACKET) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.s.charCodeAt(this.i++);
      if (c === CH_COMMA) continue;
      if (c === CH_CLOSE_BRACKET) return out;
      this.fail();
    }
  }

  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    for (;;) {
      // Native searches for the closing quote and the next escape; characters between them are
      // taken whole (most strings hold no escape at all).
      const quote = s.indexOf('"', i);
      if (quote < 0) this.fail();
      if (this.backslash < i) {
        this.backslash = s.indexOf('\\', i);
        if (this.backslash < 0) this.backslash = s.length;
      }
      const end = this.backslash < quote ? this.backslash : quote;
      const segment = s.slice(i, end);
      if (CONTROL.test(segment)) this.fail();
      out = out === '' ? segment : out + segment;
      if (end === quote) {
        this.i = quote + 1;
        return out;
      }
      const e = s[end + 1] ?? '';
      if (e === 'u') {
        const hex = s.slice(end + 2, end + 6);
        if (!HEX4.test(hex)) this.fail();
        out += String.fromCharCode(parseInt(hex, 16));
        i = end + 6;
      } else {
        const plain = ESCAPES[e];
        if (plain === undefined) this.fail();
        out += plain;
        i = end + 2;
      }
    }
  }

  number(): JsonNumber {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s.charCodeAt(i) === CH_MINUS) i++;
    const digits = (): number => {
      const from = i;
      while (s.charCodeAt(i) >= CH_ZERO && s.charCodeAt(i) <= CH_NINE) i++;
      return i - from;
    };
    if (s.charCodeAt(i) === CH_ZERO) i++;
    else if (digits() === 0) this.fail();
    if (s.charCodeAt(i) === CH_DOT) {
      i++;
      if (digits() === 0) this.fail();
    }
    const e = s.charCodeAt(i);
    if (e === CH_E || e === CH_LOWER_E) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === CH_PLUS || sign === CH_MINUS) i++;
      if (digits() === 0) this.fail();
    }
    this.i = i;
    return new JsonNumber(s.slice(start, i));
  }
}

/** Reads one JSON text whole: the value, or why it is not one (JSON.parse's words for syntax). */
export function readJson(text: string): JsonRead {
  const reader = new Reader(text);
  try {
    const value = reader.value();
    reader.space();
    if (reader.i < text.length) reader.fail();
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof JsonSyntax)) throw error;
    return { ok: false, reason: syntaxError(text) };
  }
}

function syntaxError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  // JSON.parse took what this reader did not: never expected, but said plainly if it happens.
  return 'is not strict JSON';
}
