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
export interface CsvOptions {
  /** The row of a discrepancy with its case and due day (the report model's); plain labels without. */
  rowOf?: ((d: Discrepancy) => DetailRow) | undefined;
}

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

export async function renderCsv(
  rows: AsyncIterable<Discrepancy>,
  destination: Writable,
  options: CsvOptions = {},
): Promise<void> {
  const write = async (text: string): Promise<void> => {
    if (!destination.write(text)) await once(destination, 'drain');
  };
  await write('\uFEFF' + csvLine(COLUMNS.map(([header]) => header)));
  // Lines go out in chunks: one write per row would cost more than the row itself.
  let chunk = '';
  for await (const d of rows) {
    const r = options.rowOf?.(d) ?? toDetailRow(d);
    chunk += csvLine(COLUMNS.map(([, value]) => value(r)));
    if (chunk.length >= 64 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') await write(chunk);
  destination.end();
  await once(destination, 'finish');
}
