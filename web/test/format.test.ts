import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatMoney,
  formatQuantity,
  formatRate,
  groupDigits,
  magnitude,
} from '../src/format.js';

describe('amounts shown exactly as the API gives them', () => {
  it.each([
    ['1234567.5', '1,234,567.50'],
    ['3293029.91', '3,293,029.91'],
    ['-52618.54', '-52,618.54'],
    ['0', '0.00'],
    ['999', '999.00'],
    ['1000', '1,000.00'],
    ['-0.00', '0.00'],
    ['12.345678', '12.345678'],
  ])('money %s -> %s', (given, shown) => {
    expect(formatMoney(given)).toBe(shown);
  });

  it('keeps every digit past what a double holds', () => {
    expect(formatMoney('90071992547409.93')).toBe('90,071,992,547,409.93');
    expect(formatMoney('123456789012345678901234.56')).toBe('123,456,789,012,345,678,901,234.56');
  });

  it('adds only separators: removing them gives the API’s digits back', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.boolean(),
          fc.bigInt({ min: 0n, max: 10n ** 30n }),
          fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 6 }),
        ),
        ([negative, whole, fraction]) => {
          const text = `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
          const shown = groupDigits(text);
          expect(shown.replace(/,/g, '')).toBe(
            /[1-9]/.test(`${whole}${fraction}`) || !negative ? text : text.slice(1),
          );
          expect(shown).toMatch(/^-?\d{1,3}(,\d{3})*(\.\d+)?$/);
        },
      ),
    );
  });

  it('shows a missing amount as a dash and leaves text that is not a decimal alone', () => {
    expect(formatMoney(null)).toBe('—');
    expect(formatQuantity(undefined)).toBe('—');
    expect(formatMoney('n/a')).toBe('n/a');
  });

  it.each([
    ['0.9267', '92.67 %'],
    ['1.0000', '100.00 %'],
    ['0.0000', '0.00 %'],
    ['0.05', '5.00 %'],
    ['0.123456', '12.3456 %'],
  ])('match rate %s -> %s, by moving the decimal point', (given, shown) => {
    expect(formatRate(given)).toBe(shown);
  });

  it('counts with separators', () => {
    expect(formatCount(100000)).toBe('100,000');
  });

  it('gives a colour magnitude that grows with the amount (never shown)', () => {
    expect(magnitude('0.50')).toBe(0);
    expect(magnitude('10')).toBeCloseTo(1);
    expect(magnitude('3293029.91')).toBeCloseTo(Math.log10(3293029.91), 4);
    expect(magnitude('100000000000000000000000')).toBeCloseTo(23);
  });
});
