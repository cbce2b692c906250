import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseIdOf as apiCaseIdOf, groupKeyOf } from '../../lib/core/cases/case-id.js';
import { caseIdOf } from '../src/case-id.js';

describe('case ids made in the browser', () => {
  it('are the API’s ids (base64url of the UTF-8 group key), for any group key', () => {
    expect(caseIdOf('WH-10|SKU-00065|DOC-0000153')).toBe('V0gtMTB8U0tVLTAwMDY1fERPQy0wMDAwMTUz');
    expect(caseIdOf('WH-上海-02|SKU/1|PO/2026/001')).toBe(apiCaseIdOf('WH-上海-02|SKU/1|PO/2026/001'));
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 3, maxLength: 3 }),
        (parts) => {
          const groupKey = parts.join('|');
          const id = caseIdOf(groupKey);
          expect(id).toBe(apiCaseIdOf(groupKey));
          expect(groupKeyOf(id)).toBe(groupKey);
        },
      ),
    );
  });
});
