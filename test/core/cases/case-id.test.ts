import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseIdOf, groupKeyOf } from '../../../lib/core/cases/case-id.js';

describe('case ids', () => {
  it('are the base64url of the UTF-8 group key (what Buffer makes), both ways, for any group key', () => {
    expect(caseIdOf('WH-10|SKU-00065|DOC-0000153')).toBe('V0gtMTB8U0tVLTAwMDY1fERPQy0wMDAwMTUz');
    fc.assert(
      fc.property(
        // A part holding `|` or `\` would make another group key (group-key.ts escapes both before it gets here).
        fc.array(
          fc
            .string({ unit: 'grapheme', minLength: 1 })
            .filter((part) => !part.includes('|') && !part.includes('\\')),
          { minLength: 3, maxLength: 3 },
        ),
        (parts) => {
          const groupKey = parts.join('|');
          const id = caseIdOf(groupKey);
          expect(id).toBe(Buffer.from(groupKey, 'utf8').toString('base64url'));
          expect(groupKeyOf(id)).toBe(groupKey);
        },
      ),
    );
  });

  it('refuse what is not the canonical id of a group key', () => {
    expect(groupKeyOf('')).toBeUndefined();
    expect(groupKeyOf('a/b')).toBeUndefined();
    expect(groupKeyOf('V0gtMTB8U0tVLTAwMDY1fERPQy0wMDAwMTUz=')).toBeUndefined();
    expect(groupKeyOf(caseIdOf('no-pipes-here'))).toBeUndefined();
    // Bytes that are not UTF-8 do not round-trip, so they name no case.
    expect(groupKeyOf(Buffer.from([0x57, 0x7c, 0xff, 0x7c, 0x41]).toString('base64url'))).toBeUndefined();
  });
});
