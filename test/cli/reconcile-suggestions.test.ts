import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiscrepancySchema } from '../../lib/core/contract/output-schemas.js';
import { compareWithTruth, EXACT, hasSharedCheck, sampleDir, sharedCheck } from '../support/acceptance.js';
import { tempDir } from '../support/temp.js';

// Suggested matches end to end (CONTRACT §11) on the public typo sample: 30 transactions booked
// under a mistyped documentRef or sku (each a MISSING_IN_WMS plus a MISSING_IN_FINANCE or
// TIMING_LAG) and 20 look-alike decoys, held to pairs.json the way acceptance counts.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');
const SAMPLE = sampleDir('sample-typos');

interface Side {
  sku: string;
  documentRef: string;
}
interface Pairs {
  pairs: { warehouseId: string; wms: Side; finance: Side }[];
  decoys: { warehouseId: string; sku: string; documentRef: string }[];
}
interface Found {
  kind: string;
  warehouseId: string;
  sku: string;
  documentRef: string;
  wmsEventIds: string[];
  financeEntryIds: string[];
  suggestedMatches?: { documentRef: string; sku: string; score: number; reason: string; reasonZh: string }[];
}

const key = (warehouseId: string, s: Side): string => JSON.stringify([warehouseId, s.sku, s.documentRef]);

function reconcile(): { out: string; found: Found[] } {
  const out = tempDir('stocktally-typos-');
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'reconcile',
      '--wms',
      join(SAMPLE, 'wms.csv'),
      '--finance',
      join(SAMPLE, 'finance.csv'),
      '--uom',
      join(SAMPLE, 'uom.csv'),
      '--as-of',
      '2026-11-02T00:00:00Z',
      '--out',
      out,
      '--no-report',
      '--quiet',
    ],
    { encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  return { out, found: JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Found[] };
}

describe('reconcile on the typo sample', () => {
  it('still finds exactly the truth', () => {
    const { out } = reconcile();
    expect(compareWithTruth(SAMPLE, out)).toEqual(EXACT);
    if (hasSharedCheck) expect(sharedCheck(SAMPLE, out).status).toBe(0);
  });

  it('puts each pair’s other side first for both its discrepancies, and nothing on a decoy', () => {
    const { found } = reconcile();
    const pairs = JSON.parse(readFileSync(join(SAMPLE, 'pairs.json'), 'utf8')) as Pairs;
    const byGroup = new Map(found.map((d) => [JSON.stringify([d.warehouseId, d.sku, d.documentRef]), d]));
    const partner = new Map<string, string>();
    for (const p of pairs.pairs) {
      partner.set(key(p.warehouseId, p.wms), key(p.warehouseId, p.finance));
      partner.set(key(p.warehouseId, p.finance), key(p.warehouseId, p.wms));
    }
    let right = 0;
    let shown = 0;
    let wrong = 0;
    for (const d of found) {
      const self = key(d.warehouseId, d);
      const top = d.suggestedMatches?.[0];
      const topKey = top === undefined ? undefined : key(d.warehouseId, top);
      if (partner.has(self) && topKey === partner.get(self)) right++;
      if (top !== undefined) {
        shown++;
        if (topKey !== partner.get(self)) wrong++;
      }
    }
    const recall = right / partner.size;
    const wrongShare = wrong / shown;
    expect(partner.size).toBe(60);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(wrongShare).toBeLessThanOrEqual(0.05);
    // On this sample: every pair, and nothing else.
    expect([right, shown, wrong]).toEqual([60, 60, 0]);
    for (const decoy of pairs.decoys) {
      const d = byGroup.get(JSON.stringify([decoy.warehouseId, decoy.sku, decoy.documentRef]));
      expect(d?.suggestedMatches, decoy.documentRef).toEqual([]);
    }
  });

  it('gives every one-sided discrepancy its list, explained, and no other discrepancy one', () => {
    const { out, found } = reconcile();
    for (const d of found) {
      expect(() => DiscrepancySchema.strict().parse(d)).not.toThrow();
      const oneSided =
        d.kind === 'MISSING_IN_WMS' ||
        d.kind === 'MISSING_IN_FINANCE' ||
        (d.kind === 'TIMING_LAG' && (d.wmsEventIds.length === 0 || d.financeEntryIds.length === 0));
      expect('suggestedMatches' in d, d.documentRef).toBe(oneSided);
      for (const m of d.suggestedMatches ?? []) {
        expect(m.score).toBeGreaterThan(0);
        expect(m.score).toBeLessThanOrEqual(1);
        expect(m.reason).toMatch(/quantity/);
        expect(m.reasonZh).toMatch(/数量/);
      }
    }
    const typo = found.find((d) => d.documentRef === 'DOC-0000074');
    expect(typo?.suggestedMatches).toEqual([
      {
        documentRef: 'DOC-0000704',
        sku: 'SKU-00082',
        score: 0.9,
        reason:
          'documentRef "DOC-0000704" has two characters transposed (70 for 07) from "DOC-0000074"; same sku; same quantity 126 EA; same amount 217811.16 within tolerance; same type SHIPMENT; 20 h apart',
        reasonZh:
          '单据号 "DOC-0000704" 与 "DOC-0000074" 相邻两位颠倒(70 与 07);物料编码相同;数量同为 126 EA;金额 217811.16 在容差内相同;业务类型同为销售出库;相隔 20 小时',
      },
    ]);
    // The CSV carries the same suggestions in its own column.
    const csv = readFileSync(join(out, 'discrepancies.csv'), 'utf8');
    const header = (csv.split('\n')[0] ?? '').replace(/^\ufeff/, '').split(',');
    expect(header).toContain('suggestedMatches');
    expect(csv).toContain(
      'DOC-0000704 SKU-00082 (0.9): documentRef ""DOC-0000704"" has two characters transposed',
    );
  });
});
