import type { Result } from './result.js';
/**
 * The one exact-decimal representation of quantities, costs and money: a bigint holding the value
 * times 10^6 (micro-units). Six places cover every unit cost and converted quantity we accept;
 * bigint keeps sums exact at any size, and parsing goes through a fast integer path first.
 * Never a JS number for a quantity or an amount in a sum.
 */
export type Decimal = bigint;

export const SCALE = 6;
export const ONE: Decimal = 1_000_000n;
export const ZERO: Decimal = 0n;

const POW10: readonly bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const POW10_NUM: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

export type DecimalParse = Result<{ value: Decimal }>;

/**
 * Parses `-12.5`, `+3`, `0.125`. Rejects thousands separators, decimal commas, exponents in text,
 * blanks and more than six significant fraction digits (which we could not hold exactly).
 */
export function parseDecimal(text: string): DecimalParse {
  const value = readDecimal(text);
  return typeof value === 'bigint' ? { ok: true, value } : { ok: false, reason: value };
}

/** The allocation-free form for the hot path: the value, or the reason it is not one. */
export function readDecimal(text: string): Decimal | string {
  const s = text.trim();
  const n = s.length;
  if (n === 0) return 'is empty';
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i = 1;
  }
  let intDigits = 0;
  let fracDigits = 0;
  let dot = -1;
  let digitsValue = 0; // exact while the digit count stays <= 15
  let digitCount = 0;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      if (dot < 0) intDigits++;
      else fracDigits++;
      digitCount++;
      if (digitCount <= 15) digitsValue = digitsValue * 10 + (c - 48);
    } else if (c === 46 /* . */ && dot < 0) {
      dot = j;
    } else {
      return `is not a decimal number: ${JSON.stringify(text)}`;
    }
  }
  if (intDigits === 0 || (dot >= 0 && fracDigits === 0)) {
    return `is not a decimal number: ${JSON.stringify(text)}`;
  }
  if (fracDigits > SCALE) {
    // Trailing zeros beyond six places are harmless; anything else would be silently rounded.
    for (let j = dot + 1 + SCALE; j < n; j++) {
      if (s.charCodeAt(j) !== 48) {
        return `has more than ${SCALE} decimal places: ${JSON.stringify(text)}`;
      }
    }
  }
  let value: bigint;
  if (digitCount <= 15 && fracDigits <= SCALE) {
    // Fast path: the digits fit a double exactly, and so does the scaled product below 2^53.
    const scaled = digitsValue * (POW10_NUM[SCALE - fracDigits] ?? 1);
    value = Number.isSafeInteger(scaled) ? BigInt(scaled) : BigInt(digitsValue) * pow10(SCALE - fracDigits);
  } else {
    const intPart = s.slice(i, dot < 0 ? n : dot);
    const fracPart = dot < 0 ? '' : s.slice(dot + 1, dot + 1 + SCALE).padEnd(SCALE, '0');
    value = BigInt(intPart + fracPart.padEnd(SCALE, '0'));
  }
  return negative ? -value : value;
}

/** Exponents beyond this cannot give a value six places hold (or one anybody books). */
const MAX_LITERAL_EXPONENT = 40;

/**
 * A JSON number read from the text it was written in (`-12.5`, `1.5e3`, `9007199254740993`), so
 * nothing passes through a double: the same value, and the same refusals, as the same digits
 * given as a string.
 */
export function readDecimalLiteral(text: string): Decimal | string {
  const e = text.search(/[eE]/);
  if (e < 0) return readDecimal(text);
  const exponent = Number(text.slice(e + 1));
  const mantissa = text.slice(0, e);
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
  const digits = whole + fraction;
  if (/^0*$/.test(digits)) return ZERO;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_LITERAL_EXPONENT) {
    return `has more than ${SCALE} decimal places or is too large: ${text}`;
  }
  const point = whole.length + exponent;
  const plain =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  const value = readDecimal(plain);
  return typeof value === 'string'
    ? `${value.replace(JSON.stringify(plain), text)}`
    : negative
      ? -value
      : value;
}

/** A JSON number arrives as a double: its shortest round-trip text is the literal that was written. */
export function decimalFromNumber(n: number): DecimalParse {
  const value = readDecimalNumber(n);
  return typeof value === 'bigint' ? { ok: true, value } : { ok: false, reason: value };
}

export function readDecimalNumber(n: number): Decimal | string {
  if (!Number.isFinite(n)) return `is not a finite number: ${String(n)}`;
  if (Number.isSafeInteger(n)) return BigInt(n) * ONE;
  const text = String(n);
  if (text.includes('e')) {
    // 1e-8 would print as 0.000000 at six places: refuse what six places cannot hold exactly.
    const fixed = Math.abs(n) < 1e21 ? n.toFixed(SCALE) : '';
    if (fixed === '' || Number(fixed) !== n) {
      return `has more than ${SCALE} decimal places or is too large: ${text}`;
    }
    return readDecimal(fixed);
  }
  return readDecimal(text);
}

/** Canonical text: no trailing fraction zeros, at least `minFraction` places. */
export function formatDecimal(d: Decimal, minFraction = 0): string {
  const negative = d < 0n;
  const abs = negative ? -d : d;
  const intPart = abs / ONE;
  let frac = (abs % ONE).toString().padStart(SCALE, '0');
  let end = SCALE;
  while (end > minFraction && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  const body = frac.length > 0 ? `${intPart}.${frac}` : `${intPart}`;
  return negative && (intPart !== 0n || /[1-9]/.test(frac)) ? `-${body}` : body;
}

/** Money is always shown with the minor unit's two places. */
export function formatMoney(d: Decimal): string {
  return formatDecimal(roundHalfUp(d, 2), 2);
}

/** Divides with rounding half away from zero; `den` must not be zero. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

/** Rounds to `digits` fraction places (0..6), half away from zero. */
export function roundHalfUp(d: Decimal, digits: number): Decimal {
  const step = pow10(SCALE - digits);
  return divRoundHalfUp(d, step) * step;
}

/** a × b, rounded half-up to `digits` places. */
export function mulRound(a: Decimal, b: Decimal, digits: number): Decimal {
  return divRoundHalfUp(a * b, pow10(SCALE + SCALE - digits)) * pow10(SCALE - digits);
}

/** a × b / c, rounded half-up to `digits` places, with no intermediate rounding. */
export function mulDivRound(a: Decimal, b: Decimal, c: Decimal, digits: number): Decimal {
  return divRoundHalfUp(a * b, c * pow10(SCALE - digits)) * pow10(SCALE - digits);
}

/** a / b as a decimal rounded to `digits` places; undefined when b is zero. */
export function divide(a: Decimal, b: Decimal, digits = SCALE): Decimal | undefined {
  if (b === 0n) return undefined;
  return mulDivRound(a, ONE, b, digits);
}

export function abs(d: Decimal): Decimal {
  return d < 0n ? -d : d;
}

export function max(a: Decimal, b: Decimal): Decimal {
  return a > b ? a : b;
}

/** a × rate where rate is itself a decimal (0.001 = 0.1 %), exact to six places, never rounded down to 0. */
export function mulRate(a: Decimal, rate: Decimal): Decimal {
  return divRoundHalfUp(a * rate, ONE);
}
