import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReconcile } from '../../../lib/cli/reconcile-command.js';
import { listedKinds, type Discrepancy } from '../../../lib/core/reconcile/discrepancy.js';
import { MOVEMENT_TYPE_ZH, MOVEMENT_TYPES } from '../../../lib/core/records/movement-type.js';
import { DEFAULT_SETTINGS } from '../../../lib/core/reconcile/settings.js';
import { sampleDir } from '../../support/acceptance.js';
import { tempDir } from '../../support/temp.js';

// CONTRACT §11: every discrepancy carries explanationZh, the same numbers in Chinese with §6's names.

async function discrepanciesOf(sample: string, files: { wms: string; finance: string }, accounts?: string) {
  const dir = sampleDir(sample);
  const out = tempDir('stocktally-zh-');
  await runReconcile({
    wms: join(dir, files.wms),
    finance: join(dir, files.finance),
    uom: join(dir, 'uom.csv'),
    out,
    settings: { ...DEFAULT_SETTINGS, asOf: Date.parse('2026-11-02T00:00:00Z') },
    workers: 0,
    accounts,
  });
  return JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as Discrepancy[];
}

/** The numbers a sentence quotes (dates and decimals), in order of appearance. */
const numbers = (text: string): string[] => (text.match(/\d{4}-\d{2}-\d{2}|-?\d+(\.\d+)?/g) ?? []).sort();

describe('explanationZh', () => {
  it('explains every kind of the public sample in Chinese, with the English sentence’s numbers', async () => {
    const found = await discrepanciesOf('sample', { wms: 'wms.csv', finance: 'finance.csv' });
    // Every kind but the one only --accounts looks for (tested below).
    expect(new Set(found.map((d) => d.kind))).toEqual(new Set(listedKinds(() => false)));
    for (const d of found) {
      expect(d.explanationZh, d.groupKey).toMatch(/[\u4e00-\u9fff]/);
      expect(numbers(d.explanationZh), d.explanation).toEqual(numbers(d.explanation));
      expect(d.explanationZh).toContain(d.documentRef);
    }
  });

  it('names movement types by CONTRACT §6, never by their codes', async () => {
    const found = await discrepanciesOf('sample', { wms: 'wms.csv', finance: 'finance.csv' });
    for (const d of found) {
      for (const type of MOVEMENT_TYPES) {
        expect(d.explanationZh).not.toContain(type);
        if (d.explanation.includes(type) && d.kind !== 'DUPLICATE_POSTING') {
          expect(d.explanationZh, d.explanation).toContain(MOVEMENT_TYPE_ZH[type]);
        }
      }
    }
  });

  it('says which cost it priced at: standard, WMS or the weighted average', async () => {
    const found = await discrepanciesOf('sample-2', { wms: 'wms.ndjson', finance: 'finance.ndjson' });
    const zh = found.map((d) => d.explanationZh).join('\n');
    expect(zh).toMatch(/WMS单位成本|财务加权平均成本/);
    for (const d of found) expect(numbers(d.explanationZh), d.explanation).toEqual(numbers(d.explanation));
  });

  it('explains an account mismatch in Chinese with the same numbers and accounts', async () => {
    const found = await discrepanciesOf(
      'sample',
      { wms: 'wms.csv', finance: 'finance.csv' },
      join(process.cwd(), 'config', 'workflow.yaml'),
    );
    const mismatched = found.filter((d) => d.kind === 'ACCOUNT_MISMATCH');
    expect(mismatched.length).toBeGreaterThan(0);
    for (const d of mismatched) {
      expect(d.explanationZh).toContain('科目映射不符');
      expect(numbers(d.explanationZh), d.explanation).toEqual(numbers(d.explanation));
    }
  });
});
