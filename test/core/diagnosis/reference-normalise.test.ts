import { describe, expect, it } from 'vitest';
import {
  compareCodes,
  describeLikeness,
  likenessScore,
  normaliseCode,
} from '../../../lib/core/diagnosis/reference-normalise.js';

// How people mistype a document reference or sku (CONTRACT §11), on both sides of each rule.

describe('normaliseCode', () => {
  it('sets aside spacing, case, punctuation, look-alike letters next to digits and leading zeros', () => {
    expect(normaliseCode(' po-010234 ')).toBe(normaliseCode('PO10234'));
    expect(normaliseCode('DOC-O000118')).toBe(normaliseCode('DOC-0000118'));
    expect(normaliseCode('ＤＯＣ－１２３')).toBe(normaliseCode('DOC-123'));
  });

  it('keeps letters that do not touch a digit, and the digits themselves', () => {
    expect(normaliseCode('SKU-1')).not.toBe(normaliseCode('5KU-1'.replace('5', 'Z')));
    expect(normaliseCode('PO-10234')).not.toBe(normaliseCode('PO-10243'));
    expect(normaliseCode('DOC-1020')).not.toBe(normaliseCode('DOC-102'));
  });
});

describe('compareCodes', () => {
  it.each([
    ['DOC-0000864', 'DOC-0000864 ', ['spacing']],
    ['DOC-0000505', 'doc-0000505', ['case']],
    ['DOC-0000567', 'DOC0000567', ['punctuation']],
    ['DOC-0000543', 'DOC-000-0543', ['punctuation']],
    ['DOC-0000118', 'DOC-O000118', ['look-alike']],
    ['DOC-0000214', 'DOC-214', ['leading-zeros']],
    ['PO-10234', 'po-010234', ['case', 'leading-zeros']],
  ])('%j and %j are one code written differently (%j)', (a, b, steps) => {
    expect(compareCodes(a, b)).toEqual({ kind: 'normalised', steps });
    expect(likenessScore(compareCodes(a, b))).toBeGreaterThan(0.9);
  });

  it('finds one transposition, one wrong character and one character too many', () => {
    expect(compareCodes('PO-10234', 'PO-10243')).toMatchObject({ kind: 'transposed', pair: ['34', '43'] });
    expect(compareCodes('DOC-0000074', 'DOC-0000704')).toMatchObject({ kind: 'transposed' });
    expect(compareCodes('DOC-0001114', 'DOC-0001184')).toMatchObject({
      kind: 'substituted',
      pair: ['1', '8'],
    });
    expect(compareCodes('PO-10234', 'PO-102345')).toMatchObject({ kind: 'inserted', char: '5' });
  });

  it('calls anything further another code', () => {
    expect(compareCodes('DOC-0001159', 'RMA-8202-H')).toEqual({ kind: 'different' });
    expect(compareCodes('PO-10234', 'PO-43210')).toEqual({ kind: 'different' });
    expect(compareCodes('PO-10234', 'PO-10299')).toEqual({ kind: 'different' });
    // Too short for a slip to mean anything.
    expect(compareCodes('A1', 'A2')).toEqual({ kind: 'different' });
    expect(likenessScore({ kind: 'different' })).toBe(0);
  });

  it('is the same both ways round', () => {
    for (const [a, b] of [
      ['PO-10234', 'PO-10243'],
      ['DOC-0000214', 'DOC-214'],
      ['X-1', 'Y-22'],
    ] as const) {
      expect(likenessScore(compareCodes(a, b))).toBe(likenessScore(compareCodes(b, a)));
    }
  });

  it('names only what differed: both codes spelling SKU with an S is no look-alike', () => {
    expect(compareCodes('SKU-00317', 'SKU-00137')).toEqual({
      kind: 'transposed',
      steps: [],
      pair: ['31', '13'],
    });
    expect(describeLikeness(compareCodes('SKU-00317', 'SKU-00137')).en).toBe(
      'has two characters transposed (31 for 13)',
    );
    expect(describeLikeness(compareCodes('DOC-0000118', 'DOC-O000118'))).toEqual({
      en: 'differs only in look-alike characters (O for 0)',
      zh: '仅形近字符(O 与 0)不同',
    });
  });
});
