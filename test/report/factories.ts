import { join } from 'node:path';
import { runReconcile, type Summary } from '../../lib/cli/reconcile-command.js';
import { parseDecimal } from '../../lib/core/shared/decimal.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { ReportSummary } from '../../lib/core/report/report-model.js';
import { DEFAULT_SETTINGS } from '../../lib/core/reconcile/settings.js';
import { countDiscrepancy, emptyTally, summaryFigures } from '../../lib/core/reconcile/summary.js';
import { tempDir } from '../support/temp.js';
import { sampleDir } from '../support/acceptance.js';

/** Small factories for the report tests: discrepancies, a summary that adds up, the public sample run. */

let seq = 0;

export function discrepancy(spec: Partial<Discrepancy> = {}): Discrepancy {
  seq++;
  const warehouseId = spec.warehouseId ?? 'WH-01';
  const sku = spec.sku ?? `SKU-${String(seq).padStart(5, '0')}`;
  const documentRef = spec.documentRef ?? `DOC-${String(seq).padStart(7, '0')}`;
  return {
    groupKey: `${warehouseId}|${sku}|${documentRef}`,
    kind: 'QUANTITY_MISMATCH',
    severity: 'YELLOW',
    warehouseId,
    sku,
    documentRef,
    uom: 'EA',
    wmsQuantity: '10',
    financeQuantity: '8',
    quantityDelta: '-2',
    unitCost: '100',
    unitCostSource: 'wms',
    financeUnitCost: '100',
    expectedAmount: '1000.00',
    financeAmount: '800.00',
    amountDelta: '-200.00',
    moneyAtStake: '200.00',
    wmsTypes: ['RECEIPT'],
    financeTypes: ['RECEIPT'],
    latestEventAt: '2026-10-06T15:49:00.000Z',
    latestPostingAt: '2026-10-09T11:39:00.000Z',
    wmsPeriod: '2026-10',
    financePeriod: '2026-10',
    wmsEventIds: [`E${seq}`],
    financeEntryIds: [`F${seq}`],
    duplicateEntryIds: [],
    explanation: `WMS net 10 EA but finance net 8 EA for ${documentRef}: finance is under by 2 EA, about 200.00 at WMS unit cost 100`,
    explanationZh: `单据 ${documentRef} WMS 净数量 10 EA,财务净数量 8 EA:财务少 2 EA,约 200.00(按WMS单位成本 100)`,
    rejectedRows: [],
    ...spec,
  };
}

/** A summary whose figures are those of `list`, as the engine would write it. */
export function summaryOf(list: readonly Discrepancy[], extra: Partial<ReportSummary> = {}): ReportSummary {
  const tally = emptyTally();
  for (const d of list) {
    const money = parseDecimal(d.moneyAtStake);
    if (!money.ok) throw new Error(money.reason);
    countDiscrepancy(tally, d.kind, d.severity, money.value);
  }
  tally.groupsSeen = list.length * 4;
  tally.groupsMatched = list.length * 3;
  return {
    asOf: '2026-11-02T00:00:00.000Z',
    timezone: 'UTC',
    lagHours: 48,
    ...summaryFigures(tally),
    inputs: {
      wms: { file: 'wms.csv', rows: 100, accepted: 98, rejected: 1 },
      finance: { file: 'finance.csv', rows: 90, accepted: 90, rejected: 0 },
    },
    rejected: [{ file: 'wms.csv', line: 7, field: 'sku', reason: 'missing sku', source: 'wms' }],
    run: { generatedAt: '2026-11-02T00:05:00.000Z' },
    ...extra,
  };
}

export const SAMPLE = sampleDir('sample');

export function tmp(): string {
  return tempDir('stocktally-report-test-');
}

/** The public sample reconciled in this thread, as `stocktally reconcile` writes it. */
export async function reconcileSample(): Promise<{ out: string; summary: Summary }> {
  const out = tmp();
  const summary = await runReconcile({
    wms: join(SAMPLE, 'wms.csv'),
    finance: join(SAMPLE, 'finance.csv'),
    uom: join(SAMPLE, 'uom.csv'),
    out,
    workers: 0,
    settings: { ...DEFAULT_SETTINGS, asOf: Date.parse('2026-11-02T00:00:00Z') },
  });
  return { out, summary };
}
