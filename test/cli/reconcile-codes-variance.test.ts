import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { CostVariance } from '../../lib/core/vouchers/cost-variance.js';
import { tempDir } from '../support/temp.js';

// `stocktally reconcile --codes`, `vouchers --codes`, the cost variance files of `reconcile --costs
// --period` and `--variance-compensates`, end to end on the bundled CLI with its worker threads.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

function write(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const WMS_HEADER = 'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost';

/** The WMS's codes; finance books the same goods under ERP material numbers and plant codes. */
const WMS = [
  WMS_HEADER,
  'E1,WH-01,SKU-1,RECEIPT,10,EA,PO-1,2026-10-05T08:00:00Z,100',
  'E2,WH-01,"SKU-2",RECEIPT,4,EA,PO-2,2026-10-05T08:00:00Z,25',
  // Its own sku under another WMS spelling.
  'E3,WH-02,sku-3,SHIPMENT,3,EA,SO-1,2026-10-06T08:00:00Z,50',
  // Without a row: passes unchanged and matches as before.
  'E4,WH-01,SKU-4,RECEIPT,1,EA,PO-4,2026-10-05T08:00:00Z,9',
];
const FINANCE = [
  JSON.stringify({
    entryId: 'F1',
    warehouseId: '1000',
    sku: 'MAT-1001',
    type: 'RECEIPT',
    quantity: '10',
    amount: '1000.00',
    documentRef: 'PO-1',
    postedAt: '2026-10-06',
  }),
  JSON.stringify({
    entryId: 'F2',
    warehouseId: '1000',
    sku: 'MAT-\u0032002',
    type: 'RECEIPT',
    quantity: '4',
    amount: '100.00',
    documentRef: 'PO-2',
    postedAt: '2026-10-06',
  }),
  JSON.stringify({
    entryId: 'F3',
    warehouseId: '2000',
    sku: 'SKU-3',
    type: 'SHIPMENT',
    quantity: '3',
    amount: '150.00',
    documentRef: 'SO-1',
    postedAt: '2026-10-07',
  }),
  JSON.stringify({
    entryId: 'F4',
    warehouseId: 'WH-01',
    sku: 'SKU-4',
    type: 'RECEIPT',
    quantity: '1',
    amount: '9.00',
    documentRef: 'PO-4',
    postedAt: '2026-10-06',
  }),
];
const CODES = [
  'kind,source,from,to',
  'sku,finance,MAT-1001,SKU-1',
  'sku,finance,MAT-2002,SKU-2',
  'warehouse,finance,1000,WH-01',
  'warehouse,finance,2000,WH-02',
  'sku,wms,sku-3,SKU-3',
];

interface Reconciled {
  status: number | null;
  stderr: string;
  out: string;
  discrepancies: Discrepancy[];
  summary: Record<string, unknown> & { inputs: Record<string, unknown>; rejected: unknown[] };
}

function reconcile(files: { wms: string; finance: string }, extra: string[]): Reconciled {
  const out = join(tempDir('stocktally-codes-out-'), 'out');
  // Many partitions and two workers: an item must land in one partition whatever code each side sent.
  const result = cli([
    'reconcile',
    '--wms',
    files.wms,
    '--finance',
    files.finance,
    '--as-of',
    '2026-11-02T00:00:00Z',
    '--partitions',
    '64',
    '--workers',
    '2',
    '--no-report',
    '--quiet',
    '--out',
    out,
    ...extra,
  ]);
  if (result.status !== 0)
    return {
      status: result.status,
      stderr: result.stderr,
      out,
      discrepancies: [],
      summary: { inputs: {}, rejected: [] },
    };
  return {
    status: result.status,
    stderr: result.stderr,
    out,
    discrepancies: JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Discrepancy[],
    summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Reconciled['summary'],
  };
}

function ledger() {
  const dir = tempDir('stocktally-codes-');
  return {
    dir,
    wms: write(dir, 'wms.csv', WMS),
    finance: write(dir, 'finance.ndjson', FINANCE),
    codes: write(dir, 'codes.csv', CODES),
  };
}

describe('reconcile --codes', () => {
  it('brings both sides under one code before grouping, so the same goods agree', () => {
    const f = ledger();
    const without = reconcile(f, []);
    expect(without.status).toBe(0);
    // Under their own codes, three documents are each two one-sided groups.
    expect(without.discrepancies.map((d) => d.kind).sort()).toEqual([
      ...Array<string>(3).fill('MISSING_IN_FINANCE'),
      ...Array<string>(3).fill('MISSING_IN_WMS'),
    ]);

    const mapped = reconcile(f, ['--codes', f.codes]);
    expect(mapped.stderr).toBe('');
    expect(mapped.discrepancies).toEqual([]);
    expect(mapped.summary).toMatchObject({ groupsSeen: 4, groupsMatched: 4 });
    expect(mapped.summary.inputs.codes).toEqual({ file: 'codes.csv', rows: 5, rejected: 0 });
    // Without --codes the summary names no code table.
    expect(without.summary.inputs.codes).toBeUndefined();
  });

  it('reports a difference under the unified codes', () => {
    const f = ledger();
    const finance = write(f.dir, 'finance-short.ndjson', [
      ...FINANCE.slice(1),
      FINANCE[0]?.replace('"quantity":"10"', '"quantity":"9"').replace('1000.00', '900.00') ?? '',
    ]);
    const { discrepancies } = reconcile({ wms: f.wms, finance }, ['--codes', f.codes]);
    expect(
      discrepancies.map((d) => [d.kind, d.warehouseId, d.sku, d.documentRef, d.financeEntryIds]),
    ).toEqual([['QUANTITY_MISMATCH', 'WH-01', 'SKU-1', 'PO-1', ['F1']]]);
  });

  it('refuses a table that maps one code two ways, naming both rows (exit 2)', () => {
    const f = ledger();
    const codes = write(f.dir, 'clash.csv', [...CODES, 'sku,finance,MAT-1001,SKU-9']);
    const result = reconcile(f, ['--codes', codes]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'stocktally: --codes clash.csv: finance sku "MAT-1001" is mapped two ways, to "SKU-1" at line 2 and to "SKU-9" at line 7; the code table is refused (one code, one meaning)\n',
    );
  });

  it('rejects a malformed code row with its line and keeps the others', () => {
    const f = ledger();
    const codes = write(f.dir, 'codes-bad.csv', [...CODES, 'sku,erp,X,Y']);
    const { summary, discrepancies } = reconcile(f, ['--codes', codes]);
    expect(discrepancies).toEqual([]);
    expect(summary.rejected).toEqual([
      {
        file: 'codes-bad.csv',
        line: 7,
        field: 'source',
        reason: 'source must be wms or finance: "erp"',
        source: 'codes',
      },
    ]);
  });
});

describe('vouchers --codes', () => {
  it('books the WMS movements under their unified codes', () => {
    const f = ledger();
    const out = join(f.dir, 'vouchers');
    const result = cli(['vouchers', '--wms', f.wms, '--codes', f.codes, '--quiet', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const book = JSON.parse(readFileSync(join(out, 'vouchers.json'), 'utf8')) as {
      vouchers: { documentRef: string; lines: { sku: string }[] }[];
    };
    expect(book.vouchers.find((v) => v.documentRef === 'SO-1')?.lines.map((l) => l.sku)).toEqual([
      'SKU-3',
      'SKU-3',
    ]);
  });
});

/** The README's worked example: standard 10.00; receipts at 10.80 and 11.20; the shipment at the average. */
function variancePeriod() {
  const dir = tempDir('stocktally-variance-');
  return {
    dir,
    wms: write(dir, 'wms.csv', [
      WMS_HEADER,
      'E1,WH-01,SKU-1,RECEIPT,100,EA,PO-1,2026-10-05T08:00:00Z,',
      'E2,WH-01,SKU-1,RECEIPT,50,EA,PO-2,2026-10-12T08:00:00Z,',
      'E3,WH-01,SKU-1,SHIPMENT,60,EA,SO-1,2026-10-20T08:00:00Z,',
    ]),
    finance: write(dir, 'finance.csv', [
      'entryId,warehouseId,sku,type,quantity,uom,amount,documentRef,postedAt',
      'F1,WH-01,SKU-1,RECEIPT,100,EA,1080.00,PO-1,2026-10-05',
      'F2,WH-01,SKU-1,RECEIPT,50,EA,560.00,PO-2,2026-10-12',
      'F3,WH-01,SKU-1,SHIPMENT,60,EA,656.00,SO-1,2026-10-20',
    ]),
    costs: write(dir, 'costs.csv', [
      'warehouseId,sku,standardCost,effectiveFrom',
      '*,SKU-1,10.00,2026-10-01',
    ]),
  };
}

describe('the cost variance of reconcile --costs --period', () => {
  it('writes cost-variance.json and the ERP import cost-variance.csv', () => {
    const f = variancePeriod();
    const { out, status, stderr } = reconcile(f, ['--costs', f.costs, '--period', '2026-10']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'cost-variance.json'), 'utf8')) as {
      items: CostVariance[];
      summary: Record<string, unknown>;
      varianceAccount: string;
    };
    expect(doc.varianceAccount).toBe('1404 材料成本差异');
    expect(
      doc.items.map((i) => [i.sku, i.standardAmount, i.averageUnitCost, i.actualAmount, i.variance]),
    ).toEqual([['SKU-1', '2100.00', '10.933333', '2296.00', '196.00']]);
    expect(doc.summary).toEqual({
      items: 1,
      over: 1,
      under: 0,
      unvalued: 0,
      standardAmount: '2100.00',
      actualAmount: '2296.00',
      variance: '196.00',
      debit: '196.00',
      credit: '196.00',
    });
    const csv = readFileSync(join(out, 'cost-variance.csv'), 'utf8');
    const id = doc.items[0]?.entry.voucherId ?? '';
    expect(csv).toBe(
      '\uFEFF凭证号,日期,会计期间,摘要,科目编码,科目名称,借方金额,贷方金额\r\n' +
        `${id},2026-10-31,2026-10,材料成本差异 SKU-1 WH-01 采购入库 数量 150 标准 1500.00 实际 1640.00,1404,材料成本差异,140.00,\r\n` +
        `${id},2026-10-31,2026-10,材料成本差异 SKU-1 WH-01 采购入库 数量 150 标准 1500.00 实际 1640.00,2202,应付账款,,140.00\r\n` +
        `${id},2026-10-31,2026-10,材料成本差异 SKU-1 WH-01 销售出库 数量 60 标准 600.00 实际 656.00,6401,主营业务成本,56.00,\r\n` +
        `${id},2026-10-31,2026-10,材料成本差异 SKU-1 WH-01 销售出库 数量 60 标准 600.00 实际 656.00,1404,材料成本差异,,56.00\r\n`,
    );
  });

  it('writes no cost variance without --period, and the earlier files alone', () => {
    const f = variancePeriod();
    const { out } = reconcile(f, ['--costs', f.costs]);
    expect(() => readFileSync(join(out, 'cost-variance.json'))).toThrow();
  });

  it('--variance-compensates: the shipment at the average agrees, the receipts at their own price do not', () => {
    const f = variancePeriod();
    const off = reconcile(f, ['--costs', f.costs, '--period', '2026-10']);
    expect(off.discrepancies.map((d) => [d.documentRef, d.kind])).toEqual([
      ['PO-1', 'AMOUNT_MISMATCH'],
      ['PO-2', 'AMOUNT_MISMATCH'],
      ['SO-1', 'AMOUNT_MISMATCH'],
    ]);
    expect(off.summary.varianceCompensated).toBeUndefined();
    const on = reconcile(f, ['--costs', f.costs, '--period', '2026-10', '--variance-compensates']);
    expect(on.discrepancies.map((d) => [d.documentRef, d.kind])).toEqual([
      ['PO-1', 'AMOUNT_MISMATCH'],
      ['PO-2', 'AMOUNT_MISMATCH'],
    ]);
    expect(on.summary).toMatchObject({ varianceCompensated: 1, groupsMatched: 1 });
  });

  it('refuses --variance-compensates without --costs (exit 2)', () => {
    const f = variancePeriod();
    const result = reconcile(f, ['--variance-compensates']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--variance-compensates needs --costs');
  });
});
