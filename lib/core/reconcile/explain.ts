import type { Assessment } from './classify.js';
import { divide, formatDecimal, formatMoney, type Decimal } from '../shared/decimal.js';
import { toleranceFor } from './tolerance.js';
import type { Settings } from './settings.js';

/**
 * One line a finance clerk can act on: what each side holds, in numbers, and what it suggests.
 */
/** An instant's UTC date, as both explanations quote it. */
export const day = (ms: number | undefined): string =>
  ms === undefined ? '?' : new Date(ms).toISOString().slice(0, 10);

function ago(asOf: number, at: number | undefined): string {
  if (at === undefined) return '';
  const hours = Math.floor((asOf - at) / 3_600_000);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function costPhrase(a: Assessment): string {
  if (a.unitCost === undefined) return 'no unit cost known';
  const source =
    a.unitCostSource === 'standard'
      ? 'standard cost'
      : a.unitCostSource === 'wms'
        ? 'WMS unit cost'
        : a.costPeriod !== undefined
          ? `periodic weighted average finance cost of ${a.costPeriod}`
          : 'weighted average finance cost';
  return `${source} ${formatDecimal(a.unitCost)}`;
}

export function impliedUnitCost(a: Assessment): Decimal | undefined {
  return divide(a.financeAmount, a.financeQuantity);
}

export function explain(a: Assessment, settings: Settings): string {
  const g = a.group;
  const unit = a.item.unit;
  const doc = g.documentRef;
  const wmsQty = `${formatDecimal(a.wmsQuantity)} ${unit}`;
  const finQty = `${formatDecimal(a.financeQuantity)} ${unit}`;
  const finAmt = formatMoney(a.financeAmount);
  const expected = a.expectedAmount === undefined ? 'unknown' : formatMoney(a.expectedAmount);
  const lag = `${settings.lagHours} h lag window`;
  switch (a.kind) {
    case 'MISSING_IN_WMS':
      return `finance posted ${plural(g.entries.length, 'line')} (${a.financeTypes.join('/')} ${finQty}, ${finAmt}) for ${doc}, latest on ${day(a.latestPosting)}, but WMS has no event for it ${ago(settings.asOf, a.latestPosting)}, beyond the ${lag}`;
    case 'MISSING_IN_FINANCE':
      return `WMS recorded ${a.wmsTypes.join('/')} of ${wmsQty} for ${doc} (${plural(g.movements.length, 'event')}, latest on ${day(a.latestEvent)}), but finance has posted nothing ${ago(settings.asOf, a.latestEvent)}, beyond the ${lag}; expected amount ${expected} at ${costPhrase(a)}`;
    case 'TIMING_LAG':
      if (a.lagReason === 'cut-off') {
        return `both sides agree on ${wmsQty} and ${finAmt} for ${doc}, but WMS recorded it in period ${a.wmsPeriod ?? '?'} and finance posted it in ${a.financePeriod ?? '?'} (${settings.timeZone}): a cut-off difference`;
      }
      return g.movements.length > 0
        ? `WMS recorded ${a.wmsTypes.join('/')} of ${wmsQty} for ${doc} ${ago(settings.asOf, a.latestEvent)}; finance has not posted it yet, still inside the ${lag}`
        : `finance posted ${a.financeTypes.join('/')} ${finQty} (${finAmt}) for ${doc} ${ago(settings.asOf, a.latestPosting)}; WMS has no event yet, still inside the ${lag}`;
    case 'TYPE_MISMATCH':
      return `WMS recorded ${a.wmsTypes.join('/')} of ${wmsQty} for ${doc}, but finance booked it as ${a.financeTypes.join('/')} (${finQty}, ${finAmt}): check the movement type of the voucher`;
    case 'ACCOUNT_MISMATCH': {
      const booked = [...new Set(a.misbooked.map((e) => e.account ?? '?'))].join(', ');
      let amount = 0n;
      for (const e of a.misbooked) amount += e.amount;
      const ids = a.misbooked.map((e) => e.id).join(', ');
      return `finance booked ${plural(a.misbooked.length, 'line')} for ${doc} (${ids}, ${formatMoney(amount)}) to account ${booked}, but ${a.financeTypes.join('/')} in ${g.warehouseId} books ${a.allowedAccounts.join(' / ')}: check the account of the voucher`;
    }
    case 'DUPLICATE_POSTING': {
      const first = a.duplicates[0];
      const perLine =
        first === undefined
          ? ''
          : `${formatDecimal(first.quantity)} ${first.uom} / ${formatMoney(first.amount)}`;
      const ids = a.duplicates.map((e) => e.id).join(', ');
      return `finance booked ${plural(g.entries.length, 'line')} for ${doc} totalling ${finQty} (${finAmt}), WMS recorded ${wmsQty}: the later ${a.duplicates.length === 1 ? 'line' : 'lines'} ${ids} of ${perLine} ${a.duplicates.length === 1 ? 'looks' : 'look'} like a duplicate`;
    }
    case 'QUANTITY_MISMATCH': {
      const delta = a.financeQuantity - a.wmsQuantity;
      return `WMS net ${wmsQty} but finance net ${finQty} for ${doc}: finance is ${delta > 0n ? 'over' : 'under'} by ${formatDecimal(delta < 0n ? -delta : delta)} ${unit}, about ${a.unitCost === undefined ? '?' : formatMoney(((delta < 0n ? -delta : delta) * a.unitCost) / 1_000_000n)} at ${costPhrase(a)}`;
    }
    case 'AMOUNT_MISMATCH': {
      const implied = impliedUnitCost(a);
      const delta = a.expectedAmount === undefined ? 0n : a.financeAmount - a.expectedAmount;
      const tol =
        a.expectedAmount === undefined ? '?' : formatDecimal(toleranceFor(a.expectedAmount, settings));
      return `quantities agree at ${wmsQty} for ${doc}, but finance booked ${finAmt} (implied unit cost ${implied === undefined ? '?' : formatDecimal(implied)}) against ${expected} expected at ${costPhrase(a)}: a difference of ${formatMoney(delta)}, beyond the tolerance of ${tol}`;
    }
    case undefined:
      return `agrees: ${wmsQty}, ${finAmt}`;
  }
}
