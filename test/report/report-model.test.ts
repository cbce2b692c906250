import { describe, expect, it } from 'vitest';
import {
  buildReportModel,
  groupDigits,
  ReportModelBuilder,
  toDetailRow,
  type WorkflowNote,
} from '../../lib/core/report/report-model.js';
import { discrepancy, summaryOf } from './factories.js';

const RUN = { runId: 'run-1' };

describe('the report model', () => {
  it('sums money exactly, where binary floating point would lose the cents', () => {
    // 2^53 / 100: beyond it a double cannot hold every cent.
    const list = [
      discrepancy({ moneyAtStake: '90071992547409.91', severity: 'RED' }),
      discrepancy({ moneyAtStake: '0.10', severity: 'RED' }),
      discrepancy({ moneyAtStake: '0.03', severity: 'GREEN' }),
    ];
    const model = buildReportModel(RUN, summaryOf(list), list);
    expect(Number('90071992547409.91') + Number('0.10') + Number('0.03')).not.toBe(
      Number('90071992547410.04'),
    );
    expect(model.kpis.moneyAtStake.total).toBe('90071992547410.04');
    expect(model.kpis.moneyAtStake.RED).toBe('90071992547410.01');
    expect(model.kpis.moneyAtStake.GREEN).toBe('0.03');
    expect(model.heatMap.money).toBe('90071992547410.04');
    expect(model.consistency.agrees).toBe(true);
  });

  it('flags rows that do not add up to the summary, and shows the rows it summed', () => {
    const list = [discrepancy({ moneyAtStake: '10.00' }), discrepancy({ moneyAtStake: '5.00' })];
    const summary = summaryOf(list);
    const model = buildReportModel(RUN, summary, list.slice(0, 1));
    expect(model.consistency).toMatchObject({
      agrees: false,
      rowCount: 1,
      summaryCount: 2,
      rowMoney: '10.00',
    });
    expect(model.kpis.moneyAtStake.total).toBe('10.00');
  });

  it('keeps the largest items by money at stake, ties in groupKey order', () => {
    const list = Array.from({ length: 50 }, (_, i) =>
      discrepancy({ moneyAtStake: `${(i % 25) * 10}.00`, documentRef: `DOC-${String(i).padStart(3, '0')}` }),
    );
    const model = buildReportModel(RUN, summaryOf(list), list, { topCount: 5 });
    expect(model.top.map((r) => r.moneyAtStake)).toEqual(['240.00', '240.00', '230.00', '230.00', '220.00']);
    const [first, second] = model.top;
    expect(first!.groupKey < second!.groupKey).toBe(true);
  });

  it('gives every warehouse x kind cell its count and money, the largest cell the full colour', () => {
    const list = [
      discrepancy({ warehouseId: 'WH-上海-02', kind: 'TYPE_MISMATCH', moneyAtStake: '300.00' }),
      discrepancy({ warehouseId: 'WH-上海-02', kind: 'TYPE_MISMATCH', moneyAtStake: '100.00' }),
      discrepancy({ warehouseId: 'WH-01', kind: 'AMOUNT_MISMATCH', moneyAtStake: '100.00' }),
    ];
    const map = buildReportModel(RUN, summaryOf(list), list).heatMap;
    expect(map.rows.map((r) => r.warehouseId)).toEqual(['WH-上海-02', 'WH-01']);
    const cell = map.rows[0]!.cells.find((c) => c.kind === 'TYPE_MISMATCH')!;
    expect(cell).toMatchObject({ count: 2, money: '400.00', intensity: 1 });
    expect(map.rows[1]!.cells.find((c) => c.kind === 'AMOUNT_MISMATCH')!.intensity).toBe(0.25);
    expect(map.rows[1]!.cells.find((c) => c.kind === 'TYPE_MISMATCH')).toMatchObject({
      count: 0,
      intensity: 0,
    });
    expect(map.maxCellMoney).toBe('400.00');
  });

  it('folds the warehouses beyond the limit into one row, and never a single one', () => {
    const list = Array.from({ length: 6 }, (_, i) =>
      discrepancy({ warehouseId: `WH-0${i}`, moneyAtStake: `${(i + 1) * 100}.00` }),
    );
    const folded = buildReportModel(RUN, summaryOf(list), list, { heatMapWarehouses: 4 }).heatMap;
    expect(folded.rows.map((r) => (r.others ? `others(${r.warehouses})` : r.warehouseId))).toEqual([
      'WH-05',
      'WH-04',
      'WH-03',
      'others(3)',
    ]);
    expect(folded.rows[3]!.money).toBe('600.00');
    const exact = buildReportModel(RUN, summaryOf(list), list, { heatMapWarehouses: 6 }).heatMap;
    expect(exact.rows.some((r) => r.others)).toBe(false);
  });

  it('counts open RED items, leaving out the ones the workflow resolved', () => {
    const red = [
      discrepancy({ severity: 'RED' }),
      discrepancy({ severity: 'RED' }),
      discrepancy({ severity: 'RED' }),
    ];
    const list = [...red, discrepancy({ severity: 'GREEN' })];
    const notes = new Map<string, WorkflowNote>([
      [red[0]!.groupKey, { status: 'resolved', cause: '重复过账', rectification: '冲销', owner: '王芳' }],
      [red[1]!.groupKey, { status: 'in-progress', owner: '李雷' }],
    ]);
    const workflow = (key: string) => notes.get(key);
    const model = buildReportModel(RUN, summaryOf(list), list, { workflow });
    expect(model.kpis.openRed).toBe(2);
    expect(buildReportModel(RUN, summaryOf(list), list).kpis.openRed).toBe(3);
    expect(toDetailRow(red[0]!, workflow).workflowText).toBe('已解决 resolved: 重复过账 / 冲销 / 王芳');
    expect(toDetailRow(red[2]!, workflow).workflowText).toBe('待处理 open');
  });

  it('names the periods the discrepancies fall in, or the period of the as-of date', () => {
    const list = [discrepancy({ wmsPeriod: '2026-09', financePeriod: '2026-10' }), discrepancy()];
    expect(buildReportModel(RUN, summaryOf(list), list).cover.period).toBe('2026-09 – 2026-10');
    const none = buildReportModel(
      RUN,
      summaryOf([], { asOf: '2026-10-31T18:00:00.000Z', timezone: 'Asia/Shanghai' }),
      [],
    );
    expect(none.cover.period).toBe('2026-11');
    expect(buildReportModel({ ...RUN, period: '2026-10' }, summaryOf(list), list).cover.period).toBe(
      '2026-10',
    );
  });

  it('shows the cover facts and the match rate as a percentage', () => {
    const list = [discrepancy()];
    const model = new ReportModelBuilder(RUN, { ...summaryOf(list), matchRate: '0.9200' });
    model.add(list[0]!);
    const built = model.build();
    expect(built.kpis.matchRatePercent).toBe('92.00');
    expect(built.cover).toMatchObject({ company: 'Stocktally', runId: 'run-1', rejectedRows: 1 });
    expect(built.cover.sources.map((s) => s.source)).toEqual(['wms', 'finance']);
    expect(built.title.zh).toBe('库存-财务对账报告');
  });

  it('groups digits without touching them', () => {
    expect(groupDigits('1569455.21')).toBe('1,569,455.21');
    expect(groupDigits('-306149.49')).toBe('-306,149.49');
    expect(groupDigits('999')).toBe('999');
    expect(groupDigits('1234.5678')).toBe('1,234.5678');
  });
});
