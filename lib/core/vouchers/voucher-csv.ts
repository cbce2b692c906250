import { csvLine } from '../records/csv.js';
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

/** One voucher's rows; lines come in pairs, each sku's debit line then its credit line (vouchers.ts). */
export function voucherCsvRows(v: Voucher): string {
  let text = '';
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
  return text;
}

/** The file in pieces, the header then a voucher at a time. */
export function* voucherCsvChunks(vouchers: readonly Voucher[]): Generator<string> {
  yield '\uFEFF' + csvLine(VOUCHER_CSV_COLUMNS);
  for (const v of vouchers) yield voucherCsvRows(v);
}

export function voucherCsv(vouchers: readonly Voucher[]): string {
  return [...voucherCsvChunks(vouchers)].join('');
}
