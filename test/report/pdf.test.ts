import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import type { WorkflowNote } from '../../lib/core/report/report-model.js';
import { readDiscrepancyArray } from '../../lib/report/discrepancy-file.js';
import { writeReports, type WriteReportsOptions } from '../../lib/report/write-reports.js';
import { discrepancy, reconcileSample, summaryOf, tmp } from './factories.js';
import { embeddedFonts, glyphOutlineSizes, pdfText, type PageText } from './pdf-inspect.js';

const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

async function render(
  list: readonly Discrepancy[],
  options: Partial<WriteReportsOptions> = {},
): Promise<{ bytes: Buffer; pages: PageText[]; pageCount: number }> {
  const written = await writeReports({
    outDir: tmp(),
    summary: summaryOf(list),
    discrepancies: list,
    pdf: true,
    xlsx: false,
    ...options,
  });
  const bytes = readFileSync(written.pdf!.path);
  return { bytes, pages: await pdfText(bytes), pageCount: written.pdf!.pages };
}

describe('the PDF report of the public sample', () => {
  let bytes: Buffer;
  let pages: PageText[];
  let all: string;
  let known: Discrepancy;

  beforeAll(async () => {
    const { out, summary } = await reconcileSample();
    const written = await writeReports({
      outDir: out,
      summary,
      discrepancies: () => readDiscrepancyArray(join(out, 'discrepancies.json')),
      pdf: true,
      xlsx: false,
    });
    bytes = readFileSync(written.pdf!.path);
    pages = await pdfText(bytes);
    all = pages.map((p) => p.text).join(' ');
    const list = JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Discrepancy[];
    known = list.find((d) => d.documentRef === 'DOC-0000391')!;
  });

  it('opens with the Chinese title, bilingual, and the cover facts', () => {
    const cover = pages[0]!.text;
    expect(cover).toContain('《库存-财务对账报告》');
    expect(cover).toContain('Inventory–Finance Reconciliation Report');
    expect(cover).toContain('公司 Company');
    expect(cover).toContain('2026-11-02 00:00:00 UTC');
    expect(cover).toContain('wms.csv');
    expect(cover).toContain('finance.csv');
  });

  it('shows the totals summed from the rows: groups, match rate, money at stake by severity', () => {
    const cover = pages[0]!.text;
    expect(cover).toMatch(/对账组数 Groups seen 400/);
    expect(cover).toContain('92.00 %');
    expect(cover).toContain('5,545,700.08');
    expect(cover).toContain('5,259,135.53');
    expect(cover).toContain('283,257.49');
    expect(cover).toContain('3,307.06');
    expect(cover).toMatch(/未关闭红灯项 Open RED items 15/);
    // The detail table closes with the same total.
    expect(all).toMatch(/合计 Total 32 项 items 5,545,700\.08/);
  });

  it('renders the unicode warehouse id, in the heat map and the detail', () => {
    const heatMap = pages.find((p) => p.text.includes('Heat map'))!;
    expect(heatMap.text).toContain('WH-上海-02');
    expect(all.split('WH-上海-02').length).toBeGreaterThan(3);
  });

  it("gives a known discrepancy's explanation in full", () => {
    expect(known).toBeDefined();
    expect(squash(all)).toContain(squash(known.explanation));
  });

  it('shows the Chinese explanation a finance clerk reads (CONTRACT §11)', () => {
    expect(known.explanationZh).not.toBe('');
    expect(squash(all)).toContain(squash(known.explanationZh));
  });

  it('lists the rejected input rows with their reasons', () => {
    const section = pages.find((p) => p.text.includes('拒收行 Rejected input rows'))!;
    expect(section.text).toContain('quantity is not a decimal number: "abc"');
    expect(section.text).toMatch(/wms\.csv 365 type wms type "TELEPORT" is not a movement type/);
  });

  it('ends with the sign-off block for the warehouse lead and the finance reviewer', () => {
    const last = pages[pages.length - 1]!.text;
    expect(last).toContain('仓库负责人 Warehouse lead');
    expect(last).toContain('财务复核 Finance reviewer');
  });

  it('stays under 1 MB with its Chinese font embedded as a subset with real glyph outlines', () => {
    expect(bytes.length).toBeLessThan(1_000_000);
    const fonts = embeddedFonts(bytes);
    expect(fonts.length).toBeGreaterThanOrEqual(1);
    // No font left to the viewer: no unembedded standard font such as Helvetica.
    expect(bytes.toString('latin1')).not.toMatch(/\/Subtype\s*\/Type1\b/);
    for (const font of fonts) {
      expect(font.baseFont).toMatch(/^[A-Z]{6}\+/);
      expect(['FontFile2', 'FontFile3']).toContain(font.fileKey);
      expect(font.program!.length).toBeGreaterThan(1000);
    }
    for (const font of fonts.filter((f) => [...f.unicode.values()].includes('上'))) {
      const outlines = glyphOutlineSizes(font.program!);
      const size = (char: string) => {
        const gid = [...font.unicode.entries()].find(([, text]) => text === char)?.[0];
        expect(gid, `${font.baseFont} ${char}`).toBeDefined();
        return outlines[gid!] ?? 0;
      };
      // An invisible glyph (what a WOFF2 source gave) has no outline: a program no longer than
      // the space's ("width endchar"). Subroutines keep real CFF glyphs short, but not that short.
      const blank = size(' ');
      expect(blank).toBeLessThanOrEqual(5);
      for (const char of ['上', '海', 'W', '8'])
        expect(size(char), `${font.baseFont} ${char}`).toBeGreaterThan(8);
    }
  });
});

describe('the PDF report layout', () => {
  it('grows with the detail rows and carries the running header and "page N of M" on every page', async () => {
    const small = await render(Array.from({ length: 5 }, () => discrepancy()));
    const large = await render(Array.from({ length: 300 }, () => discrepancy()));
    expect(large.pageCount).toBeGreaterThan(small.pageCount + 10);
    for (const { pages, pageCount } of [small, large]) {
      expect(pages).toHaveLength(pageCount);
      pages.forEach((page, i) => {
        expect(page.text).toContain('《库存-财务对账报告》');
        expect(page.text).toContain(`第 ${i + 1} 页 / 共 ${pageCount} 页`);
        expect(page.text).toContain(`page ${i + 1} of ${pageCount}`);
      });
    }
  });

  it('repeats the detail header row on every page the detail table runs over', async () => {
    const list = Array.from({ length: 120 }, () => discrepancy());
    const { pages } = await render(list);
    const first = pages.findIndex((p) => p.text.includes('差异明细 Discrepancies by severity and money'));
    const last = pages.findIndex((p) => p.text.includes('合计 Total 120 项 items'));
    expect(first).toBeGreaterThan(0);
    expect(last - first).toBeGreaterThan(3);
    for (const page of pages.slice(first, last + 1)) {
      expect(page.text).toMatch(/序号 # 严重程度 Severity 差异类型 Kind/);
      expect(page.text).toContain('原因 / 整改 / 负责人 Cause / rectification / owner');
    }
    // Every row is listed once, numbered in order.
    const detail = pages
      .slice(first, last + 1)
      .map((p) => p.text)
      .join(' ');
    for (const d of [list[0]!, list[59]!, list[119]!]) expect(detail).toContain(d.documentRef);
  });

  it('shows the workflow cause, rectification and owner, and "open" until there is one', async () => {
    const resolved = discrepancy({ severity: 'RED', moneyAtStake: '90000.00' });
    const open = discrepancy({ severity: 'RED', moneyAtStake: '80000.00' });
    const notes = new Map<string, WorkflowNote>([
      [
        resolved.groupKey,
        { status: 'resolved', cause: '重复过账', rectification: '红字冲销', owner: '王芳' },
      ],
    ]);
    const { pages } = await render([resolved, open], { workflow: (key) => notes.get(key) });
    const text = pages.map((p) => p.text).join(' ');
    expect(text).toContain('已解决 resolved: 重复过账 / 红字冲销 / 王芳');
    expect(text).toContain('待处理 open');
    expect(pages[0]!.text).toMatch(/未关闭红灯项 Open RED items 1/);
  });

  it('wraps a long voucher number in the cause column instead of cutting it', async () => {
    const voucher = 'ST-202610-0a1b2c3d-1234567890-ABCDEFGHIJ';
    const list = [discrepancy({ severity: 'RED', moneyAtStake: '90000.00' })];
    const note: WorkflowNote = {
      status: 'awaiting-books',
      cause: '凭证缺失 missing-voucher',
      rectification: `补录凭证 supplement-voucher ${voucher} 90000.00 (已审批 approved)`,
      owner: 'wang.lead',
    };
    const { pages } = await render(list, { workflow: () => note });
    const detail = pages.filter((p) => p.text.includes('差异明细 Discrepancies by severity and money'));
    const text = detail.map((p) => p.text).join(' ');
    // The column is narrower than the number: it goes on the next line (pdfjs joins lines with a
    // space), and nothing of it is replaced by an ellipsis.
    expect(text.replace(/ /g, '')).toContain(voucher);
    expect(text).not.toMatch(/ST-202610-[^ ]*…/);
  });

  it('lists the first N by severity and money, and points to the XLSX for the rest', async () => {
    const list = [
      discrepancy({ severity: 'GREEN', moneyAtStake: '99.00', documentRef: 'DOC-GREEN' }),
      discrepancy({ severity: 'RED', moneyAtStake: '70000.00', documentRef: 'DOC-RED-SMALL' }),
      discrepancy({ severity: 'RED', moneyAtStake: '90000.00', documentRef: 'DOC-RED-LARGE' }),
      discrepancy({ severity: 'YELLOW', moneyAtStake: '6000.00', documentRef: 'DOC-YELLOW' }),
    ];
    const { pages } = await render(list, { detailCount: 2 });
    const text = pages.map((p) => p.text).join(' ');
    const detail = text.slice(text.indexOf('差异明细 Discrepancies by severity and money'));
    expect(detail.indexOf('DOC-RED-LARGE')).toBeLessThan(detail.indexOf('DOC-RED-SMALL'));
    expect(detail.slice(0, detail.indexOf('其余'))).not.toContain('DOC-YELLOW');
    expect(text).toContain('前 2 项 / 共 4 项 · first 2 of 4');
    expect(text).toContain('其余 2 项见 report.xlsx');
    expect(text).toContain('The other 2 items are in report.xlsx');
  });

  it('gives each configured signatory a box with the name, and the company on the cover', async () => {
    const list = [discrepancy()];
    const { pages } = await render(list, {
      company: '示例商贸有限公司',
      signatories: [
        { role: '仓库负责人 Warehouse lead', name: '王强' },
        { role: '财务复核 Finance reviewer', name: '李娜' },
        { role: '财务经理 Financial controller', name: '' },
      ],
    });
    expect(pages[0]!.text).toContain('公司 Company 示例商贸有限公司');
    const last = pages[pages.length - 1]!.text;
    expect(last).toMatch(
      /仓库负责人 Warehouse lead 王强 .*财务复核 Finance reviewer 李娜 .*财务经理 Financial controller 姓名 Name/,
    );
  });

  it('says so when there is nothing to list', async () => {
    const { pages } = await render([], { summary: summaryOf([], { rejected: [] }) });
    const text = pages.map((p) => p.text).join(' ');
    expect(text).toContain('没有差异 No discrepancies');
    expect(text).toContain('没有拒收行 No rows were rejected');
    expect(text).toContain('合计 Total 0 项 items 0.00');
  });
});
