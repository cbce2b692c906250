import { csvLine } from '../../records/csv.js';
import type { JournalEntry } from './journal-entry.js';
import { RESOLUTION_ZH } from '../resolution.js';
import { periodLastDay } from '../../shared/period.js';

/**
 * Approved journal entries as a CSV for an ERP's voucher import (凭证导入): one row per line, the
 * debit and the credit in columns of their own, bilingual headers, UTF-8 with a BOM like the other
 * CSVs so Excel opens the Chinese text. Adjusting entries are dated the last day of their period
 * (期末调整), so the voucher lands in the period it corrects.
 */
export const JOURNAL_CSV_COLUMNS = [
  '凭证号 Voucher',
  '日期 Date',
  '会计期间 Period',
  '行号 Line',
  '摘要 Memo',
  '科目编码 Account code',
  '科目名称 Account name',
  '借方金额 Debit',
  '贷方金额 Credit',
  '仓库 Warehouse',
  '物料 SKU',
  '业务单据 Document',
  '处理方式 Action',
  '案件编号 Case',
] as const;

export function journalCsv(entries: readonly JournalEntry[]): string {
  let text = '\uFEFF' + csvLine(JOURNAL_CSV_COLUMNS);
  for (const entry of entries) {
    for (const line of entry.lines) {
      text += csvLine([
        entry.entryId,
        periodLastDay(entry.period),
        entry.period,
        String(line.line),
        line.memo,
        line.accountCode,
        line.accountName,
        line.side === 'debit' ? line.amount : '',
        line.side === 'credit' ? line.amount : '',
        entry.warehouseId,
        entry.sku,
        entry.documentRef,
        `${RESOLUTION_ZH[entry.action]} ${entry.action}`,
        entry.caseId,
      ]);
    }
  }
  return text;
}
