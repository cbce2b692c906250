import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { csvLine } from '../core/records/csv.js';
import { KIND_ZH, SEVERITY_ZH, type Discrepancy } from '../core/reconcile/discrepancy.js';
import { LABELS, toDetailRow, WORKFLOW_STATUS, type DetailRow } from '../core/report/report-model.js';

/**
 * report.csv: the detail of the report for spreadsheets, UTF-8 with a BOM so Excel opens the
 * Chinese text. Unlike discrepancies.csv (the data file, English field names of the contract) it
 * carries bilingual headers, the Chinese names of kinds and severities and the workflow columns
 * (cause / rectification / owner), as the report's PDF and XLSX do.
 */
const COLUMNS: readonly [string, (r: DetailRow) => string][] = [
  [`${LABELS.severity.zh} ${LABELS.severity.en}`, (r) => `${SEVERITY_ZH[r.severity]} ${r.severity}`],
  [`${LABELS.kind.zh} ${LABELS.kind.en}`, (r) => `${KIND_ZH[r.kind]} ${r.kind}`],
  [`${LABELS.warehouse.zh} ${LABELS.warehouse.en}`, (r) => r.warehouseId],
  [`${LABELS.sku.zh} ${LABELS.sku.en}`, (r) => r.sku],
  [`${LABELS.document.zh} ${LABELS.document.en}`, (r) => r.documentRef],
  [`${LABELS.uom.zh} ${LABELS.uom.en}`, (r) => r.uom],
  [`${LABELS.wmsQuantity.zh} ${LABELS.wmsQuantity.en}`, (r) => r.wmsQuantity],
  [`${LABELS.financeQuantity.zh} ${LABELS.financeQuantity.en}`, (r) => r.financeQuantity],
  [`${LABELS.quantityDelta.zh} ${LABELS.quantityDelta.en}`, (r) => r.quantityDelta],
  [`${LABELS.expectedAmount.zh} ${LABELS.expectedAmount.en}`, (r) => r.expectedAmount ?? ''],
  [`${LABELS.financeAmount.zh} ${LABELS.financeAmount.en}`, (r) => r.financeAmount],
  [`${LABELS.amountDelta.zh} ${LABELS.amountDelta.en}`, (r) => r.amountDelta ?? ''],
  [`${LABELS.moneyAtStake.zh} ${LABELS.moneyAtStake.en}`, (r) => r.moneyAtStake],
  [`${LABELS.explanationZh.zh} ${LABELS.explanationZh.en}`, (r) => r.explanationZh],
  [`${LABELS.explanation.zh} ${LABELS.explanation.en}`, (r) => r.explanation],
  [
    `${LABELS.status.zh} ${LABELS.status.en}`,
    (r) => `${WORKFLOW_STATUS[r.workflow.status].zh} ${WORKFLOW_STATUS[r.workflow.status].en}`,
  ],
  [`${LABELS.cause.zh} ${LABELS.cause.en}`, (r) => r.workflow.cause ?? ''],
  [`${LABELS.rectification.zh} ${LABELS.rectification.en}`, (r) => r.workflow.rectification ?? ''],
  [`${LABELS.owner.zh} ${LABELS.owner.en}`, (r) => r.workflow.owner ?? ''],
  [`${LABELS.dueDay.zh} ${LABELS.dueDay.en}`, (r) => r.dueDay ?? ''],
  [`${LABELS.overdue.zh} ${LABELS.overdue.en}`, (r) => (r.overdue ? '逾期 overdue' : '')],
  ['分组键 Group key', (r) => r.groupKey],
];

/** A discrepancy's line of report.csv, made in the report's first pass. */
export function csvRow(r: DetailRow): string {
  return csvLine(COLUMNS.map(([, value]) => value(r)));
}

/** The lines of discrepancies without a report model (plain labels, no case). */
export async function* csvRows(rows: AsyncIterable<Discrepancy>): AsyncGenerator<string> {
  for await (const d of rows) yield csvRow(toDetailRow(d));
}

/** report.csv from its lines in the report's order (text or the UTF-8 bytes csvRow made). */
export async function renderCsv(lines: AsyncIterable<string | Buffer>, destination: Writable): Promise<void> {
  const write = async (chunk: string | Buffer): Promise<void> => {
    if (!destination.write(chunk)) await once(destination, 'drain');
  };
  await write('\uFEFF' + csvLine(COLUMNS.map(([header]) => header)));
  // Lines go out in chunks: one write per row would cost more than the row itself.
  let chunk: (string | Buffer)[] = [];
  let size = 0;
  for await (const line of lines) {
    chunk.push(line);
    size += line.length;
    if (size >= 64 * 1024) {
      await write(Buffer.concat(chunk.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))));
      chunk = [];
      size = 0;
    }
  }
  if (chunk.length > 0) {
    await write(Buffer.concat(chunk.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))));
  }
  destination.end();
  await once(destination, 'finish');
}
