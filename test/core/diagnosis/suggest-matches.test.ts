import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SUGGESTIONS,
  scoreMatch,
  subjectOf,
  suggestMatches,
  type MatchSubject,
} from '../../../lib/core/diagnosis/suggest-matches.js';
import { groupKey } from '../../../lib/core/records/group-key.js';
import { DEFAULT_SETTINGS } from '../../../lib/core/reconcile/settings.js';
import { d, entry, movement, run } from '../factories.js';

// Suggested matches (CONTRACT §11): one transaction booked under a mistyped code shows up as two
// one-sided discrepancies; the suggester pairs them up and leaves look-alike decoys alone.

const settings = DEFAULT_SETTINGS;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-10-10T10:00:00Z');

function subject(spec: Partial<MatchSubject> & Pick<MatchSubject, 'side'>): MatchSubject {
  const s = {
    warehouseId: 'WH-01',
    sku: 'SKU-1',
    documentRef: 'PO-10234',
    uom: 'EA',
    quantity: d('10'),
    amount: d('1000'),
    types: ['RECEIPT'],
    at: T0,
    ...spec,
  };
  return { ...s, groupKey: spec.groupKey ?? groupKey(s) };
}

describe('suggestMatches', () => {
  it('pairs a movement with its entry booked under a transposed reference, both ways', () => {
    const w = subject({ side: 'wms' });
    const f = subject({ side: 'finance', documentRef: 'PO-10243', at: T0 + 5 * HOUR });
    const found = suggestMatches([w, f], { settings });
    expect(found.get(w.groupKey)).toEqual([
      {
        documentRef: 'PO-10243',
        sku: 'SKU-1',
        score: 0.9,
        reason:
          'documentRef "PO-10243" has two characters transposed (43 for 34) from "PO-10234"; same sku; same quantity 10 EA; same amount 1000.00 within tolerance; same type RECEIPT; 5 h apart',
        reasonZh:
          '单据号 "PO-10243" 与 "PO-10234" 相邻两位颠倒(43 与 34);物料编码相同;数量同为 10 EA;金额 1000.00 在容差内相同;业务类型同为采购入库;相隔 5 小时',
      },
    ]);
    expect(found.get(f.groupKey)?.map((m) => [m.documentRef, m.score])).toEqual([['PO-10234', 0.9]]);
  });

  it('pairs a sku typo under the same reference', () => {
    const w = subject({ side: 'wms', sku: 'SKU-00317' });
    const f = subject({ side: 'finance', sku: 'SKU-00137' });
    expect(suggestMatches([w, f], { settings }).get(w.groupKey)?.[0]).toMatchObject({
      sku: 'SKU-00137',
      documentRef: 'PO-10234',
      score: 0.9,
    });
  });

  it('suggests nothing for a look-alike decoy: same sku and quantity under another reference', () => {
    const w = subject({ side: 'wms', documentRef: 'DOC-0000481' });
    const decoy = subject({ side: 'finance', documentRef: 'DOC-2894666', at: T0 + 11 * 24 * HOUR });
    expect(suggestMatches([w, decoy], { settings }).size).toBe(0);
  });

  it('suggests nothing across warehouses, for another quantity, or on the same side', () => {
    const w = subject({ side: 'wms' });
    expect(suggestMatches([w, subject({ side: 'finance', warehouseId: 'WH-02' })], { settings }).size).toBe(
      0,
    );
    expect(
      suggestMatches([w, subject({ side: 'finance', documentRef: 'PO-10243', quantity: d('30') })], {
        settings,
      }).size,
    ).toBe(0);
    expect(
      suggestMatches([w, subject({ side: 'finance', documentRef: 'PO-10243', quantity: d('-10') })], {
        settings,
      }).size,
    ).toBe(0);
    expect(suggestMatches([w, subject({ side: 'wms', documentRef: 'PO-10243' })], { settings }).size).toBe(0);
  });

  it('ranks the closer figures first and says why the others score less', () => {
    const w = subject({ side: 'wms', documentRef: 'PO-10234' });
    const exact = subject({ side: 'finance', documentRef: 'po-10234', at: T0 + HOUR });
    const near = subject({
      side: 'finance',
      documentRef: 'PO-10243',
      quantity: d('10.5'),
      amount: d('1050'),
    });
    const late = subject({ side: 'finance', documentRef: 'PO10234', at: T0 + 6 * 24 * HOUR });
    const list = suggestMatches([w, near, late, exact], { settings }).get(w.groupKey) ?? [];
    expect(list.map((m) => m.documentRef)).toEqual(['po-10234', 'PO10234']);
    expect(list[1]?.reason).toContain('6 days apart');
    // Near figures cost score: 10.5 against 10 is 4.8 % apart.
    expect(scoreMatch(w, near, settings)).toBeLessThan(0.5);
  });

  it('makes one-sided discrepancies its subjects and nothing else', () => {
    const result = run(
      [movement({ documentRef: 'PO-1', at: '2026-10-01T00:00:00Z' }), movement({ documentRef: 'PO-2' })],
      [entry({ documentRef: 'PO-2', quantity: '9', amount: '900' })],
    );
    const subjects = result.discrepancies.map(subjectOf);
    expect(result.discrepancies.map((x) => x.kind)).toEqual(['MISSING_IN_FINANCE', 'QUANTITY_MISMATCH']);
    expect(subjects[0]).toMatchObject({ side: 'wms', documentRef: 'PO-1', quantity: d('10') });
    expect(subjects[1]).toBeUndefined();
    expect(result.discrepancies[0]?.suggestedMatches).toEqual([]);
    expect(result.discrepancies[1]).not.toHaveProperty('suggestedMatches');
  });
});

describe('suggestMatches properties', () => {
  const code = fc.constantFrom(
    'PO-10234',
    'PO-10243',
    'po-10234',
    'PO10234',
    'PO-1O234',
    'SO-99',
    'PO-10235',
  );
  const arbitrarySubject = fc
    .record({
      side: fc.constantFrom('wms' as const, 'finance' as const),
      warehouseId: fc.constantFrom('WH-01', 'WH-02', 'WH-上海-02'),
      sku: fc.constantFrom('SKU-1', 'sku-1', 'SKU-2', 'SKU-12'),
      documentRef: code,
      quantity: fc.constantFrom('10', '10.5', '11', '-10', '0', '100'),
      amount: fc.option(fc.constantFrom('1000', '1000.01', '1100', '0'), { nil: undefined }),
      type: fc.constantFrom('RECEIPT', 'SHIPMENT'),
      hours: fc.integer({ min: 0, max: 24 * 60 }),
    })
    .map((r) =>
      subject({
        side: r.side,
        warehouseId: r.warehouseId,
        sku: r.sku,
        documentRef: r.documentRef,
        quantity: d(r.quantity),
        amount: r.amount === undefined ? undefined : d(r.amount),
        types: [r.type],
        at: T0 + r.hours * HOUR,
      }),
    );
  // One subject per group, as a run has them: a one-sided group has records on one side only.
  const subjects = fc.uniqueArray(arbitrarySubject, {
    selector: (s) => s.groupKey,
    maxLength: 30,
  });

  it('never suggests across warehouses or on the same side, at most three, scores in (0, 1]', () => {
    fc.assert(
      fc.property(subjects, (list) => {
        const byKey = new Map(list.map((s) => [`${s.side}|${s.groupKey}`, s]));
        for (const [key, matches] of suggestMatches(list, { settings })) {
          expect(matches.length).toBeGreaterThan(0);
          expect(matches.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
          const selves = list.filter((s) => s.groupKey === key);
          for (const m of matches) {
            expect(m.score).toBeGreaterThan(0);
            expect(m.score).toBeLessThanOrEqual(1);
            const partners = selves.flatMap((self) => {
              const other = self.side === 'wms' ? 'finance' : 'wms';
              const p = byKey.get(
                `${other}|${groupKey({ ...self, sku: m.sku, documentRef: m.documentRef })}`,
              );
              return p === undefined ? [] : [p];
            });
            expect(partners.length).toBeGreaterThan(0);
          }
          const scores = matches.map((m) => m.score);
          expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        }
      }),
    );
  });

  it('is symmetric: a suggests b with the score b suggests a', () => {
    fc.assert(
      fc.property(subjects, (list) => {
        const found = suggestMatches(list, { settings, limit: 100 });
        for (const a of list) {
          for (const m of found.get(a.groupKey) ?? []) {
            const b = list.find(
              (s) =>
                s.side !== a.side &&
                s.warehouseId === a.warehouseId &&
                s.sku === m.sku &&
                s.documentRef === m.documentRef,
            );
            expect(b).toBeDefined();
            if (b === undefined) continue;
            const back = (found.get(b.groupKey) ?? []).find(
              (x) => x.documentRef === a.documentRef && x.sku === a.sku,
            );
            expect(back?.score).toBe(m.score);
            expect(scoreMatch(a, b, settings)).toBe(scoreMatch(b, a, settings));
          }
        }
      }),
    );
  });

  it('finds by blocking exactly what comparing every pair finds', () => {
    fc.assert(
      fc.property(subjects, (list) => {
        const found = suggestMatches(list, { settings, limit: 100 });
        let pairs = 0;
        for (const a of list) {
          for (const b of list) {
            if (a.side !== 'wms' || b.side !== 'finance') continue;
            const score = scoreMatch(a, b, settings);
            if (score !== undefined && score >= 0.5) pairs++;
          }
        }
        const shown = [...found.entries()]
          .flatMap(([key, matches]) => matches.map(() => key))
          .filter((key) => list.some((s) => s.groupKey === key && s.side === 'wms'));
        expect(shown.length).toBe(pairs);
      }),
    );
  });
});
