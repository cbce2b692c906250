import { abs, mulRound, type Decimal } from '../shared/decimal.js';
import type { Assessment } from './classify.js';

/**
 * Money at stake per kind (CONTRACT §2: |amount delta|, or |quantity delta| × unit cost), and the
 * base a relative difference is measured against.
 */
export function moneyAtStake(a: Assessment): { money: Decimal; base: Decimal } {
  const expected = a.expectedAmount;
  const base = expected !== undefined && expected !== 0n ? abs(expected) : abs(a.financeAmount);
  switch (a.kind) {
    case 'MISSING_IN_WMS':
      return { money: abs(a.financeAmount), base: abs(a.financeAmount) };
    case 'MISSING_IN_FINANCE':
      return { money: abs(expected ?? 0n), base: abs(expected ?? 0n) };
    case 'TIMING_LAG':
      return a.group.entries.length > 0
        ? { money: abs(a.financeAmount), base: abs(a.financeAmount) }
        : { money: abs(expected ?? 0n), base: abs(expected ?? 0n) };
    case 'TYPE_MISMATCH': {
      // The value booked under the wrong movement type.
      const booked = abs(a.financeAmount);
      const physical = abs(expected ?? 0n);
      return { money: booked > physical ? booked : physical, base };
    }
    case 'ACCOUNT_MISMATCH': {
      // The value booked on accounts the mapping does not allow.
      let misbooked = 0n;
      for (const e of a.misbooked) misbooked += e.amount;
      return { money: abs(misbooked), base };
    }
    case 'DUPLICATE_POSTING': {
      let repeated = 0n;
      for (const e of a.duplicates) repeated += e.amount;
      return { money: abs(repeated), base };
    }
    case 'QUANTITY_MISMATCH': {
      const delta = abs(a.financeQuantity - a.wmsQuantity);
      if (a.unitCost !== undefined) return { money: mulRound(delta, a.unitCost, 2), base };
      return { money: abs(a.financeAmount - (expected ?? 0n)), base };
    }
    case 'AMOUNT_MISMATCH':
      return { money: abs(a.financeAmount - (expected ?? 0n)), base };
    case undefined:
      return { money: 0n, base };
  }
}
