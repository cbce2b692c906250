import { describe, expect, it } from 'vitest';
import {
  accountShapeRejection,
  isMisbooked,
  mappedAccounts,
} from '../../../lib/core/reconcile/account-check.js';
import { defaultConfig } from '../cases/case-factories.js';
import { entry } from '../factories.js';

// Accounts (CONTRACT §10): an entry booked outside its warehouse and type's mapping.

const CONFIG = defaultConfig();

describe('account mapping check', () => {
  it('names both sides of the mapping, a warehouse’s own before the default', () => {
    expect(mappedAccounts(CONFIG, 'WH-01', 'RECEIPT')).toEqual(['1403', '2202']);
    expect(mappedAccounts(CONFIG, 'WH-08', 'RECEIPT')).toEqual(['1405', '5001']);
  });

  it('finds an entry on an account neither side of the mapping, and only that one', () => {
    const on = (account: string | undefined, warehouseId = 'WH-01') => ({
      ...entry({ warehouseId }),
      account,
    });
    expect(isMisbooked(on('1403'), CONFIG)).toBe(false);
    expect(isMisbooked(on('2202'), CONFIG)).toBe(false);
    expect(isMisbooked(on(undefined), CONFIG)).toBe(false);
    expect(isMisbooked(on('1405'), CONFIG)).toBe(true);
    // WH-08's receipts book 1405 / 5001: 1403 is wrong there.
    expect(isMisbooked(on('1405', 'WH-08'), CONFIG)).toBe(false);
    expect(isMisbooked(on('1403', 'WH-08'), CONFIG)).toBe(true);
  });

  it('rejects an account that is not shaped like a code', () => {
    expect(accountShapeRejection({ ...entry(), account: '1405' })).toBeUndefined();
    expect(accountShapeRejection({ ...entry(), account: '6401.01-A' })).toBeUndefined();
    for (const bad of ['14 05', '=1+2', '', '科目', 'x'.repeat(41)]) {
      expect(accountShapeRejection({ ...entry(), account: bad })).toMatchObject({ field: 'account' });
    }
  });
});
