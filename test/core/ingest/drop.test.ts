import { describe, expect, it } from 'vitest';
import { routeDrop } from '../../../lib/core/ingest/drop.js';

describe('routing S3 drops', () => {
  it('routes ledger files by folder and extension', () => {
    expect(routeDrop('incoming/wms/a.csv', 'incoming/')).toEqual({ ok: true, kind: 'wms', format: 'csv' });
    expect(routeDrop('incoming/finance/2026/10/b.NDJSON', 'incoming/')).toEqual({
      ok: true,
      kind: 'finance',
      format: 'ndjson',
    });
    expect(routeDrop('incoming/wms/c.jsonl', 'incoming/')).toEqual({
      ok: true,
      kind: 'wms',
      format: 'ndjson',
    });
  });

  it('routes unit and cost tables, as CSV only', () => {
    expect(routeDrop('incoming/uom/u.csv', 'incoming/')).toEqual({ ok: true, kind: 'uom', format: 'csv' });
    expect(routeDrop('incoming/costs/c.csv', 'incoming/')).toEqual({
      ok: true,
      kind: 'costs',
      format: 'csv',
    });
    expect(routeDrop('incoming/costs/c.ndjson', 'incoming/')).toMatchObject({ ok: false });
  });

  it('refuses other folders and extensions with a reason', () => {
    expect(routeDrop('incoming/wms/a.txt', 'incoming/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('.csv'),
    });
    expect(routeDrop('incoming/erp/a.csv', 'incoming/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('incoming/wms/'),
    });
    expect(routeDrop('incoming/a.csv', 'incoming/')).toMatchObject({ ok: false });
    expect(routeDrop('tables/uom.csv', 'incoming/')).toMatchObject({ ok: false });
  });

  it.each([
    ['incoming/wms/../finance/x.csv', '. or .. segment'],
    ['incoming/wms/./x.csv', '. or .. segment'],
    ['incoming/wms//x.csv', 'empty segment'],
    ['incoming/wms/x\u0000.csv', 'control character'],
    ['incoming/wms/a\\..\\b.csv', 'backslash'],
    [`incoming/wms/${'a'.repeat(990)}.csv`, 'at most 512'],
  ])('refuses %j as a path or too long, never routing it by its folder', (key, why) => {
    expect(routeDrop(key, 'incoming/')).toEqual({ ok: false, reason: expect.stringContaining(why) });
  });

  it('takes a key of 512 bytes, Chinese included', () => {
    const key = `incoming/wms/${'上'.repeat(164)}.csv`;
    expect(new TextEncoder().encode(key).length).toBe(509);
    expect(routeDrop(key, 'incoming/')).toEqual({ ok: true, kind: 'wms', format: 'csv' });
  });
});
