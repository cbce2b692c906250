import { describe, expect, it } from 'vitest';
import { CostTable } from '../../../lib/core/records/costs.js';
import { groupStandings, voucherStatus } from '../../../lib/core/vouchers/voucher-status.js';
import { bookVouchers, type Voucher } from '../../../lib/core/vouchers/vouchers.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { defaultConfig } from '../cases/case-factories.js';
import { entry, movement, run } from '../factories.js';
import type { Entry, Movement } from '../../../lib/core/records/records.js';

// A voucher's status follows reconciliation (CONTRACT §9): proposed, posted, differs with its cases.

function statusOf(movements: Movement[], entries: Entry[], cases: Record<string, string> = {}) {
  const { vouchers } = bookVouchers(movements, {
    config: defaultConfig(),
    costs: new CostTable(),
    zone: new ZoneClock('UTC'),
  });
  const standings = groupStandings(movements, entries, run(movements, entries).discrepancies);
  return vouchers.map((v: Voucher) => voucherStatus(v, standings, (key) => cases[key]));
}

describe('voucher status', () => {
  it('is proposed while finance has no entry for any group of its lines', () => {
    const [v] = statusOf([movement({ quantity: '10', unitCost: '100' })], []);
    expect(v).toMatchObject({ status: 'proposed', caseIds: [] });
  });

  it('is posted once finance has entries and every group of its lines agrees', () => {
    const [v] = statusOf(
      [movement({ sku: 'SKU-1' }), movement({ sku: 'SKU-2' })],
      [entry({ sku: 'SKU-1' }), entry({ sku: 'SKU-2' })],
    );
    expect(v).toMatchObject({ status: 'posted', caseIds: [] });
  });

  it('differs when a group disagrees, naming the cases of the groups that do', () => {
    const [v] = statusOf(
      [movement({ sku: 'SKU-1' }), movement({ sku: 'SKU-2' })],
      [entry({ sku: 'SKU-1' }), entry({ sku: 'SKU-2', amount: '990' })],
      { 'WH-01|SKU-2|PO-1': 'case-2', 'WH-01|SKU-1|PO-1': 'case-1' },
    );
    expect(v).toMatchObject({ status: 'differs', caseIds: ['case-2'] });
  });

  it('differs when finance booked some lines and not the others: the missing group disagrees', () => {
    const [v] = statusOf([movement({ sku: 'SKU-1' }), movement({ sku: 'SKU-2' })], [entry({ sku: 'SKU-1' })]);
    expect(v).toMatchObject({ status: 'differs', caseIds: [] });
  });

  it('follows the group, whatever period or type the finance lines carry', () => {
    // Both sides agree in amount but finance posted in the next period: a cut-off difference.
    const [v] = statusOf([movement({ at: '2026-10-31T20:00:00Z' })], [entry({ at: '2026-11-01T08:00:00Z' })]);
    expect(v?.status).toBe('differs');
  });
});
