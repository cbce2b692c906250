import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDecimalLiteral } from '../../../lib/core/shared/decimal.js';
import { duplicateKeyOf, JsonNumber, readJson } from '../../../lib/core/shared/json-text.js';

/** A value read by readJson as JSON.parse would give it: numbers as doubles, plain objects. */
function asParsed(value: unknown): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(asParsed);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asParsed(v)]));
  }
  return value;
}

describe('readJson', () => {
  it('reads every JSON text as JSON.parse does, numbers aside', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const read = readJson(text);
        expect(read.ok).toBe(true);
        if (read.ok) expect(asParsed(read.value)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses exactly what JSON.parse refuses, with its message', () => {
    const texts = fc.oneof(
      fc.string({
        unit: fc.constantFrom(
          '{',
          '}',
          '[',
          ']',
          '"',
          ':',
          ',',
          '1',
          '-',
          '.',
          'e',
          ' ',
          'a',
          '\\',
          'u',
          't',
          'n',
        ),
      }),
      fc.json().map((t) => t.slice(0, -1)),
      fc.constantFrom(
        '01',
        '1.',
        '.5',
        '+1',
        '[1,]',
        '{"a":1,}',
        '"\u0001"',
        '"\\x"',
        'NaN',
        '"\\u12"',
        'tru',
        '',
        ' ',
      ),
    );
    fc.assert(
      fc.property(texts, (text) => {
        let native: string | undefined;
        try {
          JSON.parse(text);
        } catch (error) {
          native = (error as Error).message;
        }
        const read = readJson(text);
        expect(read.ok ? undefined : read.reason).toBe(native);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a number as the text it was written in', () => {
    const read = readJson('{"q":9007199254740993,"a":[1.0000000000000001,-0.5e-3]}');
    expect(read).toEqual({
      ok: true,
      value: {
        q: new JsonNumber('9007199254740993'),
        a: [new JsonNumber('1.0000000000000001'), new JsonNumber('-0.5e-3')],
      },
    });
  });

  it('marks an object naming a key twice, and only that object', () => {
    const read = readJson('[{"a":1,"b":2,"a":3},{"a":1}]');
    if (!read.ok) throw new Error(read.reason);
    const [twice, once] = read.value as object[];
    expect(duplicateKeyOf(twice ?? {})).toBe('a');
    expect(duplicateKeyOf(once ?? {})).toBeUndefined();
  });

  it('keeps __proto__ and constructor as own keys like any other, never as the prototype', () => {
    const read = readJson('{"__proto__":{"polluted":true},"constructor":"x"}');
    if (!read.ok) throw new Error(read.reason);
    const value = read.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readDecimalLiteral', () => {
  it.each([
    ['9007199254740993', 9007199254740993_000000n],
    ['123456789012345.678', 123456789012345_678000n],
    ['-12.5', -12_500000n],
    ['1.5e3', 1500_000000n],
    ['1.25E-2', 12500n],
    ['-0', 0n],
    ['0e999999', 0n],
    ['1.000000000e2', 100_000000n],
  ])('reads %s exactly', (text, micro) => {
    expect(readDecimalLiteral(text)).toBe(micro);
  });

  it.each([
    ['1.0000000000000001', 'has more than 6 decimal places: "1.0000000000000001"'],
    ['1e-7', 'has more than 6 decimal places: 1e-7'],
    ['1e400', 'has more than 6 decimal places or is too large: 1e400'],
  ])('refuses %s', (text, reason) => {
    expect(readDecimalLiteral(text)).toBe(reason);
  });
});
