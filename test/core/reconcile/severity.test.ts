import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS, type Kind, type Severity } from '../../../lib/core/reconcile/discrepancy.js';
import { severityOf } from '../../../lib/core/reconcile/severity.js';
import { d, settings } from '../factories.js';

// Severity from the money at stake (CONTRACT §2): RED at or above 50,000, YELLOW at or above 5,000 or
// a relative difference of 5 % or more, else GREEN; every edge is inclusive.

const DEFAULTS = settings();

function severity(money: string, base: string, kind: Kind = 'AMOUNT_MISMATCH', s = DEFAULTS): Severity {
  return severityOf(kind, d(money), d(base), s);
}

describe('absolute thresholds', () => {
  it('is RED at exactly 50,000 and above, YELLOW a cent below', () => {
    expect(severity('50000', '1000000000')).toBe('RED');
    expect(severity('50000.000001', '1000000000')).toBe('RED');
    expect(severity('49999.99', '1000000000')).toBe('YELLOW');
  });

  it('is YELLOW at exactly 5,000, GREEN a cent below when the relative difference is small', () => {
    expect(severity('5000', '1000000000')).toBe('YELLOW');
    expect(severity('4999.99', '1000000000')).toBe('GREEN');
  });

  it('applies the absolute thresholds to every kind, timing lags included', () => {
    for (const kind of KINDS) {
      expect(severity('50000', '50000', kind)).toBe('RED');
      expect(severity('5000', '5000', kind)).toBe('YELLOW');
    }
  });

  it('reads configured thresholds', () => {
    const strict = settings({ red: d('1000'), yellow: d('100'), yellowRate: d('0.5') });
    expect(severity('1000', '1000000', 'AMOUNT_MISMATCH', strict)).toBe('RED');
    expect(severity('999.99', '1000000', 'AMOUNT_MISMATCH', strict)).toBe('YELLOW');
    expect(severity('100', '1000000', 'AMOUNT_MISMATCH', strict)).toBe('YELLOW');
    expect(severity('99.99', '1000000', 'AMOUNT_MISMATCH', strict)).toBe('GREEN');
    expect(severity('50', '100', 'AMOUNT_MISMATCH', strict)).toBe('YELLOW');
    expect(severity('49.99', '100', 'AMOUNT_MISMATCH', strict)).toBe('GREEN');
  });
});

describe('the relative difference', () => {
  it('is YELLOW at exactly 5 % of the base, GREEN just under', () => {
    expect(severity('50', '1000')).toBe('YELLOW');
    expect(severity('49.99', '1000')).toBe('GREEN');
    // 4,999.99 is exactly 5 % of 99,999.80: compared exactly, not through a float.
    expect(severity('4999.99', '99999.8')).toBe('YELLOW');
    expect(severity('4999.99', '99999.81')).toBe('GREEN');
    expect(severity('0.000005', '0.0001')).toBe('YELLOW');
    expect(severity('0.000004', '0.0001')).toBe('GREEN');
  });

  it('measures against the size of a negative base', () => {
    expect(severity('50', '-1000')).toBe('YELLOW');
    expect(severity('49.99', '-1000')).toBe('GREEN');
  });

  it('counts any money against a zero base as the whole of it: YELLOW', () => {
    expect(severity('0.01', '0')).toBe('YELLOW');
    expect(severity('0.000001', '0', 'MISSING_IN_FINANCE')).toBe('YELLOW');
  });

  it('is GREEN with nothing at stake, whatever the base', () => {
    expect(severity('0', '0')).toBe('GREEN');
    expect(severity('0', '1000')).toBe('GREEN');
  });

  it('never makes a timing lag YELLOW for its relative size, which is always the whole', () => {
    expect(severity('4999.99', '4999.99', 'TIMING_LAG')).toBe('GREEN');
    expect(severity('10', '0', 'TIMING_LAG')).toBe('GREEN');
    // The same figures for a one-sided kind that will not clear by itself.
    expect(severity('4999.99', '4999.99', 'MISSING_IN_FINANCE')).toBe('YELLOW');
  });
});

describe('severity invariants', () => {
  const rank: Record<Severity, number> = { GREEN: 0, YELLOW: 1, RED: 2 };
  // A whole number of cents as a Decimal (micro-units: one cent is 10,000).
  const cents = (max: number) => fc.integer({ min: 0, max }).map((c) => BigInt(c) * 10_000n);

  it('never falls as the money at stake grows (same kind, base and settings)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        cents(12_000_000),
        cents(12_000_000),
        fc.integer({ min: -20_000_000, max: 20_000_000 }).map((c) => BigInt(c) * 10_000n),
        (kind, a, b, base) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(rank[severityOf(kind, high, base, DEFAULTS)]).toBeGreaterThanOrEqual(
            rank[severityOf(kind, low, base, DEFAULTS)],
          );
        },
      ),
    );
  });

  it('never rises as the base grows (a larger base makes the same money relatively smaller)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        cents(8_000_000),
        cents(2_000_000),
        cents(2_000_000),
        (kind, money, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(rank[severityOf(kind, money, high, DEFAULTS)]).toBeLessThanOrEqual(
            rank[severityOf(kind, money, low, DEFAULTS)],
          );
        },
      ),
    );
  });
});
