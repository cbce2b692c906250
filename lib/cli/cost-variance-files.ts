import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMoney, parseDecimal } from '../core/shared/decimal.js';
import { costVarianceCsvChunks } from '../core/vouchers/cost-variance-csv.js';
import type { CostVarianceBook } from '../core/vouchers/cost-variance.js';

/**
 * cost-variance.json and cost-variance.csv of `reconcile --costs --period` (README, "Cost
 * variance"): every item's standard and actual valuation of the period with its proposed entry,
 * the items that could not be valued, and the totals.
 */
export interface CostVarianceMeta {
  period: string;
  timezone: string;
  currency: string;
  varianceAccount: string;
}

function money(text: string): bigint {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`a cost variance holds a bad amount: ${parsed.reason}`);
  return parsed.value;
}

export async function writeCostVariance(
  outDir: string,
  book: CostVarianceBook,
  meta: CostVarianceMeta,
): Promise<void> {
  // Partitions finish in any order: the files are in item order.
  const items = [...book.items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const unvalued = [...book.unvalued].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  let standard = 0n;
  let actual = 0n;
  let debit = 0n;
  let credit = 0n;
  for (const item of items) {
    standard += money(item.standardAmount);
    actual += money(item.actualAmount);
    for (const line of item.entry.lines) {
      debit += money(line.debit);
      credit += money(line.credit);
    }
  }
  const summary = {
    items: items.length,
    over: items.filter((i) => i.direction === 'over').length,
    under: items.filter((i) => i.direction === 'under').length,
    unvalued: unvalued.length,
    standardAmount: formatMoney(standard),
    actualAmount: formatMoney(actual),
    variance: formatMoney(actual - standard),
    debit: formatMoney(debit),
    credit: formatMoney(credit),
  };
  const lines = (list: readonly unknown[]) =>
    list.length === 0 ? '[]' : `[\n${list.map((x) => JSON.stringify(x)).join(',\n')}\n]`;
  const json =
    `{\n"period": ${JSON.stringify(meta.period)},\n"timezone": ${JSON.stringify(meta.timezone)},\n` +
    `"currency": ${JSON.stringify(meta.currency)},\n"varianceAccount": ${JSON.stringify(meta.varianceAccount)},\n` +
    `"items": ${lines(items)},\n"unvalued": ${lines(unvalued)},\n"summary": ${JSON.stringify(summary, null, 2)}\n}\n`;
  await writeFile(join(outDir, 'cost-variance.json'), json);
  await writeFile(join(outDir, 'cost-variance.csv'), [...costVarianceCsvChunks(items)].join(''));
}
