import { abs, ONE, type Decimal } from '../shared/decimal.js';
import type { Settings } from './settings.js';

/**
 * The amount tolerance (CONTRACT §2): the larger of the absolute tolerance and the rate times the
 * expected amount. Compared at twelve places so the tolerance itself is never rounded.
 */
export function withinTolerance(
  delta: Decimal,
  expected: Decimal,
  settings: Pick<Settings, 'amountTolerance' | 'amountToleranceRate'>,
): boolean {
  const scaledDelta = abs(delta) * ONE;
  const absolute = settings.amountTolerance * ONE;
  const relative = settings.amountToleranceRate * abs(expected);
  return scaledDelta <= (absolute > relative ? absolute : relative);
}

/** The tolerance as a decimal, for explanations (rounded to the minor unit only when shown). */
export function toleranceFor(expected: Decimal, settings: Settings): Decimal {
  const relative = (settings.amountToleranceRate * abs(expected)) / ONE;
  return relative > settings.amountTolerance ? relative : settings.amountTolerance;
}
