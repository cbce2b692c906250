import { csvLine } from './csv.js';
import { voucherMemo, type Voucher } from './vouchers.js';

/**
 * vouchers.csv for an ERP's voucher import (凭证导入), CONTRACT §9: one row per line, the debit and
 * the credit in columns of their own (the empty side left blank, as ERP templates read it), UTF-8
 * with a BOM like the other CSVs so Excel opens the Chinese text.
 */
export const VOUCHER_CSV_COLUMNS = [
  '凭证号',
  '日期',
  '会计期间',
  '摘要',
  '科目编码',
  '科目名称',
  '借方金额',
  '贷方金额',
] as const;

/** Lines come in pairs, each sku's debit line then its credit line (vouchers.ts). */
export function voucherCsvRows(vouchers: readonly Voucher[]): string {
  let text = '';
  for (const v of vouchers) {
    v.lines.forEach((line, i) => {
      const debitLine = i % 2 === 0;
      text += csvLine([
        v.voucherId,
        v.date,
        v.period,
        voucherMemo(v, line),
        line.account,
        line.accountName,
        debitLine ? line.debit : '',
        debitLine ? '' : line.credit,
      ]);
    });
  }
  return text;
}

export function voucherCsv(vouchers: readonly Voucher[]): string {
  return '\uFEFF' + csvLine(VOUCHER_CSV_COLUMNS) + voucherCsvRows(vouchers);
}
