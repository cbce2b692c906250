import { describe, expect, it } from 'vitest';
import { Api, type VoucherAnswer } from '../src/api.js';

// GET /v1/vouchers hands out a large period a page at a time; the dashboard follows the cursor so
// its view and its CSV export still hold the whole period.

function voucher(id: string): VoucherAnswer['vouchers'][number] {
  return {
    voucherId: id,
    date: '2026-10-21',
    period: '2026-10',
    warehouseId: 'WH-01',
    documentRef: id,
    type: 'RECEIPT',
    eventIds: ['E1'],
    lines: [],
    total: '0.00',
    status: 'proposed',
    caseIds: [],
  };
}

/** A fake API whose pages are keyed by the cursor asked for; it records every URL asked. */
function fakeApi(pages: Record<string, { body: string; cursor: string | null; type: string }>) {
  const asked: string[] = [];
  const api = new Api({
    baseUrl: '',
    token: () => 't',
    fetch: async (input) => {
      const url = new URL(String(input), 'http://x');
      asked.push(`${url.pathname}${url.search}`);
      const page = pages[url.searchParams.get('cursor') ?? ''];
      if (page === undefined) return new Response('{}', { status: 500 });
      const headers: Record<string, string> = { 'content-type': page.type };
      if (page.cursor !== null) headers['x-stocktally-cursor'] = page.cursor;
      return new Response(page.body, { status: 200, headers });
    },
  });
  return { api, asked };
}

describe('Api.vouchers', () => {
  it('follows the cursor and joins the pages into one answer', async () => {
    const page = (vouchers: string[], cursor: string | null, unpriced: string[] = []) => ({
      body: JSON.stringify({
        period: '2026-10',
        vouchers: vouchers.map(voucher),
        unpriced: unpriced.map((eventId) => ({ eventId })),
        cursor,
      }),
      cursor: null,
      type: 'application/json',
    });
    const { api, asked } = fakeApi({
      '': page(['A', 'B'], 'c1'),
      c1: page(['C'], 'c2'),
      c2: page([], null, ['E9']),
    });

    const answer = await api.vouchers({ period: '2026-10', status: 'proposed' });

    expect(answer.vouchers.map((v) => v.voucherId)).toEqual(['A', 'B', 'C']);
    expect(answer.unpriced.map((u) => u.eventId)).toEqual(['E9']);
    expect(answer.cursor).toBeNull();
    expect(asked).toEqual([
      '/v1/vouchers?period=2026-10&status=proposed',
      '/v1/vouchers?period=2026-10&status=proposed&cursor=c1',
      '/v1/vouchers?period=2026-10&status=proposed&cursor=c2',
    ]);
  });
});

describe('Api.vouchersCsv', () => {
  it('joins the CSV pages under one header, following the cursor header', async () => {
    const header = '\uFEFF凭证号,日期\r\n';
    const { api, asked } = fakeApi({
      '': { body: `${header}A,1\r\nA,2\r\n`, cursor: 'c1', type: 'text/csv' },
      c1: { body: `${header}B,1\r\n`, cursor: null, type: 'text/csv' },
    });

    expect(await api.vouchersCsv({ period: '2026-10' })).toBe(`${header}A,1\r\nA,2\r\nB,1\r\n`);
    expect(asked).toEqual([
      '/v1/vouchers?period=2026-10&format=csv',
      '/v1/vouchers?period=2026-10&format=csv&cursor=c1',
    ]);
  });
});
