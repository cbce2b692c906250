import { abs, ONE, type Decimal } from '../shared/decimal.js';
import type { Kind, Severity } from './discrepancy.js';
import type { Thresholds } from './settings.js';

/**
 * Severity from the money at stake (CONTRACT §2): RED at or above `red`; YELLOW at or above
 * `yellow` or a relative difference of `yellowRate` or more; else GREEN. A timing lag is expected
 * to clear by itself, so only its absolute size counts, never its (always total) relative size.
 * The thresholds are the discrepancy's warehouse's (`thresholdsFor`, lib/core/reconcile/settings.ts).
 */
export function severityOf(kind: Kind, moneyAtStake: Decimal, base: Decimal, settings: Thresholds): Severity {
  if (moneyAtStake >= settings.red) return 'RED';
  if (moneyAtStake >= settings.yellow) return 'YELLOW';
  if (kind === 'TIMING_LAG' || moneyAtStake === 0n) return 'GREEN';
  const b = abs(base);
  if (b === 0n) return 'YELLOW';
  return moneyAtStake * ONE >= settings.yellowRate * b ? 'YELLOW' : 'GREEN';
}
