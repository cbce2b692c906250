import { describe, expect, it } from 'vitest';
import { decodeEventKey, unquoteEtag } from '../../lib/adapters/aws/object-store.js';
import { decodeText } from '../../lib/core/shared/decode-text.js';

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('the object store helpers', () => {
  it('decodes UTF-8 split anywhere across network chunks', async () => {
    const text = '\uFEFFwarehouseId\nWH-上海-02,物料-9,😀\r\n';
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 3, 5, 7]) {
      let out = '';
      for await (const part of decodeText(chunks(bytes, size))) out += part;

      // The decoder drops the BOM, as the record stream would.
      expect(out, `chunks of ${size}`).toBe(text.slice(1));
    }
  });

  it('decodes event keys the AWS way', () => {
    expect(decodeEventKey('incoming/finance/%E4%B8%8A%E6%B5%B7+entries%2BOct.csv')).toBe(
      'incoming/finance/上海 entries+Oct.csv',
    );
    expect(decodeEventKey('incoming/wms/plain.csv')).toBe('incoming/wms/plain.csv');
  });

  it('takes the quotes off an etag', () => {
    expect(unquoteEtag('"abc"')).toBe('abc');
    expect(unquoteEtag('abc')).toBe('abc');
  });
});
