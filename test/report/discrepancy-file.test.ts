import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { readDiscrepancyArray } from '../../lib/report/discrepancy-file.js';
import { discrepancy, tmp } from './factories.js';

const CHUNK = 1 << 20;

async function readAll(text: string): Promise<unknown[]> {
  const path = join(tmp(), 'discrepancies.json');
  writeFileSync(path, text);
  const items: unknown[] = [];
  for await (const d of readDiscrepancyArray(path)) items.push(d);
  return items;
}

describe('reading discrepancies.json back one object at a time', () => {
  it('reads the array whatever its layout, strings with braces, quotes and escapes included', async () => {
    const list: Discrepancy[] = [
      discrepancy({ explanation: 'braces } { ] [ in "quotes" and a \\ backslash' }),
      discrepancy({ warehouseId: 'WH-上海-02', explanation: '\\"' }),
      discrepancy({ explanation: 'ends with a backslash \\' }),
    ];
    expect(await readAll(JSON.stringify(list))).toEqual(list);
    expect(await readAll('\uFEFF' + JSON.stringify(list, null, 2))).toEqual(list);
    expect(await readAll(`[\n${list.map((d) => JSON.stringify(d)).join(',\n')}\n]\n`)).toEqual(list);
    expect(await readAll('[]')).toEqual([]);
  });

  it('follows objects and escapes across read chunks', async () => {
    const list = Array.from({ length: 3000 }, (_, i) =>
      discrepancy({ explanation: `${'仓库'.repeat(i % 50)} {"x": "\\\\"} ${i}` }),
    );
    const text = JSON.stringify(list);
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * CHUNK);
    expect(await readAll(text)).toEqual(list);
  });

  it('reads an escaped quote whose backslash ends one chunk', async () => {
    const head = '[{"explanation":"';
    const filler = 'a'.repeat(CHUNK - head.length - 1);
    // The backslash is the chunk's last byte; the quote it escapes is the next chunk's first.
    const odd = `${head}${filler}\\"still inside"}]`;
    expect(Buffer.byteLength(odd.slice(0, head.length + filler.length + 1))).toBe(CHUNK);
    expect(await readAll(odd)).toEqual(JSON.parse(odd));
    // An escaped backslash split the same way closes the string at the next quote.
    const even = `${head}${filler}\\\\"}, {"explanation":"next"}]`;
    expect(await readAll(even)).toEqual(JSON.parse(even));
  });

  it('refuses what is not a complete JSON array', async () => {
    await expect(readAll('{"kind":"TIMING_LAG"}')).rejects.toThrow(/not a JSON array/);
    await expect(readAll('[{"kind":"TIMING_LAG"},')).rejects.toThrow(/ends before/);
    await expect(readAll('')).rejects.toThrow(/ends before/);
  });
});
