import { csvLine } from '../records/csv.js';
import { MOVEMENT_TYPE_ZH } from '../records/movement-type.js';
import { VOUCHER_CSV_COLUMNS } from './voucher-csv.js';
import type { CostVariance, CostVarianceEntryLine } from './cost-variance.js';

/**
 * cost-variance.csv: the proposed cost variance entries in the columns of vouchers.csv, so the
 * same ERP voucher import reads both (UTF-8 with a BOM; the empty side left blank). The memo says
 * which item, warehouse and type the line carries and its two valuations.
 */
export function costVarianceMemo(item: CostVariance, line: CostVarianceEntryLine): string {
  const slice = item.slices.find((s) => s.warehouseId === line.warehouseId && s.type === line.type);
  const figures =
    slice === undefined
      ? ''
      : ` 数量 ${slice.quantity} 标准 ${slice.standardAmount} 实际 ${slice.actualAmount}`;
  return `材料成本差异 ${item.sku} ${line.warehouseId} ${MOVEMENT_TYPE_ZH[line.type]}${figures}`;
}

export function* costVarianceCsvChunks(items: readonly CostVariance[]): Generator<string> {
  yield '\uFEFF' + csvLine(VOUCHER_CSV_COLUMNS);
  for (const item of items) {
    let rows = '';
    for (const line of item.entry.lines) {
      const debitSide = line.debit !== '0.00';
      rows += csvLine([
        item.entry.voucherId,
        item.entry.date,
        item.period,
        costVarianceMemo(item, line),
        line.account,
        line.accountName,
        debitSide ? line.debit : '',
        debitSide ? '' : line.credit,
      ]);
    }
    yield rows;
  }
}
