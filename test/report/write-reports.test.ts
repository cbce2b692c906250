import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { localRunId, prepareReport, writeReports } from '../../lib/report/write-reports.js';
import { discrepancy, summaryOf, tmp } from './factories.js';
import { pdfText } from './pdf-inspect.js';

/** A one-shot source, as a store's cursor is: it can be read only once. */
async function* once(list: readonly Discrepancy[]): AsyncGenerator<Discrepancy> {
  for (const d of list) yield d;
}

describe('writeReports', () => {
  it('writes report.pdf, report.xlsx and report.csv from a source that can be read only once', async () => {
    const list = Array.from({ length: 40 }, (_, i) =>
      discrepancy({ warehouseId: i % 2 === 0 ? 'WH-上海-02' : 'WH-01' }),
    );
    const outDir = tmp();
    const written = await writeReports({
      outDir,
      summary: summaryOf(list),
      discrepancies: once(list),
      pdf: true,
      xlsx: true,
      csv: true,
      company: '示例贸易有限公司',
    });
    expect(readdirSync(outDir).sort()).toEqual(['report.csv', 'report.pdf', 'report.xlsx']);
    expect(written.model.kpis.discrepancies).toBe(40);
    // The detail was replayed: every row reached the PDF after the first pass consumed the source.
    const text = (await pdfText(readFileSync(written.pdf!.path))).map((p) => p.text).join(' ');
    expect(text).toContain('示例贸易有限公司');
    for (const d of [list[0]!, list[39]!]) expect(text).toContain(d.documentRef);
    const csv = readFileSync(written.csv!.path, 'utf8');
    expect(csv.startsWith('\uFEFF严重程度 Severity,差异类型 Kind,仓库 Warehouse')).toBe(true);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(41);
    expect(csv).toContain('黄灯 YELLOW,数量差异 QUANTITY_MISMATCH,WH-上海-02');
  });

  it('writes only what was asked for', async () => {
    const list = [discrepancy()];
    const outDir = tmp();
    await writeReports({ outDir, summary: summaryOf(list), discrepancies: list, pdf: false, xlsx: true });
    expect(readdirSync(outDir)).toEqual(['report.xlsx']);
  });

  it('leaves no report, whole or partial, when the source fails', async () => {
    async function* failing(): AsyncGenerator<Discrepancy> {
      yield discrepancy();
      throw new Error('store went away');
    }
    const outDir = tmp();
    const list = [discrepancy()];
    await expect(
      writeReports({
        outDir,
        summary: summaryOf(list),
        discrepancies: () => failing(),
        pdf: true,
        xlsx: true,
      }),
    ).rejects.toThrow('store went away');
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('reads its source once, and leaves no partial file when a renderer fails half way', async () => {
    let reads = 0;
    const list = Array.from({ length: 30 }, () => discrepancy());
    async function* source(): AsyncGenerator<Discrepancy> {
      reads++;
      yield* list;
    }
    // The rejected-rows sheet comes after the summary and the 30 detail rows: a row that cannot be
    // read there fails the workbook half way through its file.
    const broken = {
      file: 'wms.csv',
      get line(): number {
        throw new Error('lost the rejected rows half way');
      },
      field: 'sku',
      reason: 'missing sku',
      source: 'wms',
    };
    const outDir = tmp();
    await expect(
      writeReports({
        outDir,
        summary: summaryOf(list, { rejected: [broken] }),
        discrepancies: source,
        pdf: false,
        xlsx: true,
        csv: true,
      }),
    ).rejects.toThrow('lost the rejected rows half way');
    expect(reads).toBe(1);
    expect(existsSync(join(outDir, 'report.xlsx'))).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('renders to any writable for the report Lambda, one format after another', async () => {
    const list = [discrepancy(), discrepancy()];
    const report = await prepareReport({ summary: summaryOf(list), discrepancies: list, runId: 'run-42' });
    try {
      for (const format of ['pdf', 'xlsx', 'csv'] as const) {
        const sink = new PassThrough();
        const chunks: Buffer[] = [];
        sink.on('data', (c: Buffer) => chunks.push(c));
        await report.render(format, sink);
        const bytes = Buffer.concat(chunks);
        const magic = { pdf: '%PDF-', xlsx: 'PK', csv: '\uFEFF' }[format];
        expect(bytes.toString('utf8', 0, magic.length === 1 ? 3 : magic.length)).toBe(magic);
      }
      expect(report.model.cover.runId).toBe('run-42');
    } finally {
      await report.close();
    }
  });

  it('names a local run after the time it was generated', () => {
    expect(localRunId('2026-11-25T18:23:54.096Z')).toBe('local-20261125T182354Z');
  });
});
