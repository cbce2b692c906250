import { describe, expect, it } from 'vitest';
import { CostTable } from '../../../lib/core/records/costs.js';
import { reconcilePartition, type PartitionResult } from '../../../lib/core/reconcile/reconcile.js';
import { RateTable } from '../../../lib/core/records/rates.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';
import { summaryFigures } from '../../../lib/core/reconcile/summary.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import type { WorkflowConfig } from '../../../lib/core/cases/workflow-config.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { defaultConfig } from '../cases/case-factories.js';
import { d, entry, movement, settings } from '../factories.js';

// CONTRACT §10 in the engine: amounts converted before anything is compared, accounts checked
// right after the type; both sides of each rule.

const RATES = new RateTable([
  { currency: 'USD', date: Date.parse('2026-10-01T00:00:00Z'), rate: d('7.1') },
  { currency: 'USD', date: Date.parse('2026-10-20T00:00:00Z'), rate: d('7.2') },
]);

interface Options {
  shown?: boolean;
  accounts?: WorkflowConfig;
  currency?: boolean;
}

function reconcile(movements: Movement[], entries: Entry[], options: Options = {}): PartitionResult {
  return reconcilePartition(movements, entries, {
    settings: settings(),
    zone: new ZoneClock('UTC'),
    uom: new UomTable(),
    costs: new CostTable(),
    ...(options.currency === false
      ? {}
      : { currency: { currency: 'CNY', rates: RATES, shown: options.shown ?? true } }),
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
  });
}

const usd = (spec: Parameters<typeof entry>[0]): Entry => ({ ...entry(spec), currency: 'USD' });

describe('currency conversion before comparing', () => {
  it('no longer matches a USD entry of 70 with a CNY movement worth 70', () => {
    const m = movement({ quantity: '7', unitCost: '10' });
    const e = usd({ quantity: '7', amount: '70', at: '2026-10-10T12:00:00Z' });
    // Unconverted (the old behaviour) it matched; converted it is 497.00 against 70.00.
    expect(reconcile([m], [e], { currency: false }).discrepancies).toEqual([]);
    const [found] = reconcile([m], [e]).discrepancies;
    expect(found).toMatchObject({
      kind: 'AMOUNT_MISMATCH',
      financeAmount: '497.00',
      expectedAmount: '70.00',
      currency: 'USD',
      originalAmount: '70.00',
    });
  });

  it('matches a USD entry worth the movement at the rate of its posting date', () => {
    const m = movement({ quantity: '10', unitCost: '72' });
    // Posted on 20 October: the rate of that day, 7.2, not the earlier 7.1.
    const e = usd({ quantity: '10', amount: '100', at: '2026-10-20T09:00:00Z' });
    const result = reconcile([m], [e]);
    expect(result.discrepancies).toEqual([]);
    expect(result.tally.groupsMatched).toBe(1);
  });

  it('rejects an entry with no rate in effect, naming the currency and the date, and reconciles the rest', () => {
    const m = movement({ quantity: '10', unitCost: '72', at: '2026-09-20T10:00:00Z' });
    const early = usd({ id: 'F-EARLY', quantity: '10', amount: '100', at: '2026-09-30T09:00:00Z' });
    const result = reconcile([m], [early]);
    expect(result.rejected).toEqual([
      {
        source: 'finance',
        file: 'finance.csv',
        line: early.line,
        field: 'currency',
        reason:
          'currency USD has no rate to CNY in effect on 2026-09-30 (posted 2026-09-30T09:00:00.000Z); give one in --rates',
        documentRef: 'PO-1',
      },
    ]);
    expect(result.discrepancies.map((x) => x.kind)).toEqual(['MISSING_IN_FINANCE']);
    expect(result.records.finance).toBe(0);
  });

  it('finds a duplicate posting among converted lines', () => {
    const m = movement({ quantity: '10', unitCost: '71' });
    const lines = ['F-A', 'F-B'].map((id) => usd({ id, quantity: '10', amount: '100' }));
    const [found] = reconcile([m], lines).discrepancies;
    expect(found).toMatchObject({ kind: 'DUPLICATE_POSTING', duplicateEntryIds: ['F-B'], currency: 'USD' });
    expect(found?.originalAmount).toBe('200.00');
  });

  it('names several currencies of one group and gives no amount across them', () => {
    const m = movement({ quantity: '20', unitCost: '10' });
    const [found] = reconcile(
      [m],
      [
        usd({ quantity: '10', amount: '10' }),
        { ...entry({ quantity: '10', amount: '100' }), currency: 'CNY' },
      ],
    ).discrepancies;
    expect(found).toMatchObject({ currency: 'CNY,USD', originalAmount: null, financeAmount: '171.00' });
  });

  it('adds currency and originalAmount only when asked for; CNY entries read exactly as before', () => {
    const m = movement({ quantity: '10', unitCost: '10' });
    const e = entry({ quantity: '9', amount: '90' });
    const plain = reconcile([m], [e], { currency: false }).discrepancies;
    const converted = reconcile([m], [e], { shown: false }).discrepancies;
    expect(converted).toEqual(plain);
    expect(plain[0]).not.toHaveProperty('currency');
    const shown = reconcile([m], [e]).discrepancies[0];
    expect(shown).toMatchObject({ currency: 'CNY', originalAmount: '90.00' });
    expect({ ...shown, currency: undefined, originalAmount: undefined }).toEqual({
      ...plain[0],
      currency: undefined,
      originalAmount: undefined,
    });
  });
});

describe('accounts checked against the mapping', () => {
  const config = defaultConfig();
  const booked = (account: string | undefined, spec: Parameters<typeof entry>[0] = {}): Entry => ({
    ...entry(spec),
    account,
  });

  it('reports an entry on an account neither side of its mapping as ACCOUNT_MISMATCH', () => {
    const m = movement({ quantity: '10', unitCost: '100' });
    const [found] = reconcile([m], [booked('1405', { id: 'F-WRONG' })], { accounts: config }).discrepancies;
    expect(found).toMatchObject({
      kind: 'ACCOUNT_MISMATCH',
      misbookedEntryIds: ['F-WRONG'],
      moneyAtStake: '1000.00',
      // All of the booking is on the wrong account: 100 % of it, so YELLOW under 5,000.
      severity: 'YELLOW',
    });
    expect(found?.explanation).toBe(
      'finance booked 1 line for PO-1 (F-WRONG, 1000.00) to account 1405, but RECEIPT in WH-01 books 1403 原材料 / 2202 应付账款: check the account of the voucher',
    );
  });

  it('accepts either side of the mapping, an entry without an account, and a warehouse’s own mapping', () => {
    const m = () => movement({ quantity: '10', unitCost: '100' });
    for (const e of [booked('1403'), booked('2202'), booked(undefined)]) {
      expect(reconcile([m()], [e], { accounts: config }).discrepancies).toEqual([]);
    }
    const wh08 = movement({ warehouseId: 'WH-08', quantity: '10', unitCost: '100' });
    expect(
      reconcile([wh08], [booked('5001', { warehouseId: 'WH-08' })], { accounts: config }).discrepancies,
    ).toEqual([]);
    expect(
      reconcile([wh08], [booked('1403', { warehouseId: 'WH-08' })], { accounts: config }).discrepancies.map(
        (x) => x.kind,
      ),
    ).toEqual(['ACCOUNT_MISMATCH']);
  });

  it('comes right after TYPE_MISMATCH: after the type, before a duplicate or a quantity difference', () => {
    const typeWrong = reconcile(
      [movement({ type: 'SHIPMENT', quantity: '10' })],
      [booked('9999', { type: 'RECEIPT' })],
      { accounts: config },
    );
    expect(typeWrong.discrepancies.map((x) => x.kind)).toEqual(['TYPE_MISMATCH']);
    const quantityToo = reconcile(
      [movement({ quantity: '10' })],
      [booked('9999', { quantity: '8', amount: '800' })],
      {
        accounts: config,
      },
    );
    expect(quantityToo.discrepancies.map((x) => x.kind)).toEqual(['ACCOUNT_MISMATCH']);
  });

  it('is not checked without the mapping, and lists the kind in the summary only when checked or found', () => {
    const m = movement({ quantity: '10', unitCost: '100' });
    const without = reconcile([m], [booked('9999')]);
    expect(without.discrepancies).toEqual([]);
    expect(summaryFigures(without.tally).byKind).not.toHaveProperty('ACCOUNT_MISMATCH');
    expect(summaryFigures(without.tally, ['ACCOUNT_MISMATCH']).byKind.ACCOUNT_MISMATCH).toBe(0);
    const found = reconcile([movement({ quantity: '10', unitCost: '100' })], [booked('9999')], {
      accounts: config,
    });
    expect(summaryFigures(found.tally).byKind.ACCOUNT_MISMATCH).toBe(1);
    expect(summaryFigures(found.tally).moneyAtStakeByKind.ACCOUNT_MISMATCH).toBe('1000.00');
  });

  it('rejects an account that is not shaped like a code, only when accounts are checked', () => {
    const m = movement({ quantity: '10', unitCost: '100' });
    const odd = booked('=1+1', { id: 'F-ODD' });
    expect(reconcile([m], [odd]).rejected).toEqual([]);
    const checked = reconcile([movement({ quantity: '10', unitCost: '100' })], [odd], { accounts: config });
    expect(checked.rejected.map((r) => [r.field, r.line])).toEqual([['account', odd.line]]);
  });
});
