import { describe, expect, it } from 'vitest';
import { JsonNumber } from '../../../lib/core/shared/json-text.js';
import { readWebhookBody, validateBodyRows } from '../../../lib/core/ingest/webhook-body.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

describe('webhook bodies', () => {
  // Numbers are kept as the text they were written in (json-text.ts), to be read exactly.
  it('numbers the elements of a JSON array from 1', () => {
    expect(readWebhookBody('[{"a":1}, 2]', 'application/json')).toEqual({
      ok: true,
      rows: [
        { line: 1, value: { a: new JsonNumber('1') } },
        { line: 2, value: new JsonNumber('2') },
      ],
    });
  });

  it('takes one JSON object as line 1, with or without a BOM', () => {
    expect(readWebhookBody('\uFEFF{"a":1}', undefined)).toEqual({
      ok: true,
      rows: [{ line: 1, value: { a: new JsonNumber('1') } }],
    });
  });

  it('reads NDJSON by physical line, keeping a bad line as an error row', () => {
    const body = readWebhookBody('{"a":1}\r\n\nnot json\n{"b":2}\n', 'application/x-ndjson; charset=utf-8');

    expect(body).toEqual({
      ok: true,
      rows: [
        { line: 1, value: { a: new JsonNumber('1') } },
        { line: 3, error: expect.stringContaining('is not valid JSON') },
        { line: 4, value: { b: new JsonNumber('2') } },
      ],
    });
  });

  it('reads several JSON lines sent as application/json as NDJSON', () => {
    expect(readWebhookBody('{"a":1}\n{"b":2}', 'application/json')).toMatchObject({
      ok: true,
      rows: [{ line: 1 }, { line: 2 }],
    });
  });

  it('refuses what cannot be read at all', () => {
    for (const [text, type] of [
      ['', 'application/json'],
      ['   \n', 'application/x-ndjson'],
      ['hello', 'application/json'],
      ['"a string"', 'application/json'],
      ['null', 'application/json'],
      ['nope\nnever', 'application/x-ndjson'],
    ] as const) {
      expect(readWebhookBody(text, type).ok, text).toBe(false);
    }
  });

  it('validates rows with the record parser, a bad row a rejection with its line', () => {
    const rows = [
      {
        line: 1,
        value: {
          entryId: 'F1',
          warehouseId: 'W',
          sku: 'S',
          type: 'RECEIPT',
          quantity: '1',
          amount: '2',
          documentRef: 'D',
          postedAt: '2026-10-05',
        },
      },
      { line: 2, error: 'is not valid JSON (x)' },
      { line: 3, value: { entryId: 'F3' } },
    ];

    const { records, rejected } = validateBodyRows(rows, 'finance', 'webhook/1', new ZoneClock('UTC'));

    expect(records.map((r) => [r.id, r.line, r.file])).toEqual([['F1', 1, 'webhook/1']]);
    expect(rejected.map((r) => [r.line, r.field])).toEqual([
      [2, undefined],
      [3, 'warehouseId'],
    ]);
  });
});
