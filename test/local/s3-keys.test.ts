import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStoredKey, encodeStoredKey } from '../../lib/local/standins/s3-keys.js';

// The local S3 stand-in stores a key as a path: every key must map to a path inside its bucket,
// made of names a file system takes, and back to the same key.
describe('keys on the local S3 stand-in', () => {
  it('stores a plain key as the path it always was', () => {
    expect(encodeStoredKey('incoming/finance/十月 file.csv')).toBe('incoming/finance/十月 file.csv');
    expect(encodeStoredKey('ingest-reports/incoming/wms/a.csv.json')).toBe(
      'ingest-reports/incoming/wms/a.csv.json',
    );
  });

  it('maps any key to segments that are names (no . or .., none empty, none over 200 bytes) and back', () => {
    const segment = fc.oneof(
      fc.constantFrom('.', '..', '', '&', '&2e', '&+', '&-', 'a'.repeat(990), '上'.repeat(120)),
      fc.string({ unit: fc.constantFrom('a', '.', '&', '+', '-', '2', 'e', '上', '😀') }),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const key = segments.join('/');
        const stored = encodeStoredKey(key);
        const parts = stored.split('/');
        for (const part of parts.slice(0, -1)) {
          expect(['', '.', '..']).not.toContain(part);
        }
        expect(['.', '..']).not.toContain(parts[parts.length - 1]);
        for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(200);
        expect(decodeStoredKey(stored)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });
});
