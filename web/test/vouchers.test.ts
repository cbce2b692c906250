// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Api, VoucherAnswer, VoucherQuery } from '../src/api.js';
import type { Context } from '../src/context.js';
import { setLanguage } from '../src/i18n.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import type { Route } from '../src/routes.js';
import { defaultPeriod, renderVouchers, voucherQuery } from '../src/views/vouchers.js';

// The dashboard's voucher view (CONTRACT §9) on a fake API: what it asks for and what it shows.

afterEach(() => setLanguage('zh'));

const ANSWER: VoucherAnswer = {
  period: '2026-10',
  cursor: null,
  vouchers: [
    {
      voucherId: 'MV-202610-0123456789abcdef',
      date: '2026-10-21',
      period: '2026-10',
      warehouseId: 'WH-上海-02',
      documentRef: 'PO-7',
      type: 'RECEIPT',
      eventIds: ['E1', 'E2'],
      lines: [
        {
          sku: 'SKU-1',
          quantity: '1200',
          account: '1403',
          accountName: '原材料',
          debit: '1234567.5',
          credit: '0.00',
        },
        {
          sku: 'SKU-1',
          quantity: '1200',
          account: '2202',
          accountName: '应付账款',
          debit: '0.00',
          credit: '1234567.5',
        },
      ],
      total: '1234567.50',
      status: 'differs',
      caseIds: [caseIdOf('WH-上海-02|SKU-1|PO-7')],
    },
    {
      voucherId: 'MV-202610-fedcba9876543210',
      date: '2026-10-22',
      period: '2026-10',
      warehouseId: 'WH-01',
      documentRef: 'SO-1',
      type: 'SHIPMENT',
      eventIds: ['E3'],
      lines: [
        {
          sku: 'SKU-2',
          quantity: '5',
          account: '6401',
          accountName: '主营业务成本',
          debit: '50.00',
          credit: '0.00',
        },
        {
          sku: 'SKU-2',
          quantity: '5',
          account: '1405',
          accountName: '库存商品',
          debit: '0.00',
          credit: '50.00',
        },
      ],
      total: '50.00',
      status: 'posted',
      caseIds: [],
    },
  ],
  unpriced: [
    {
      eventId: 'E9',
      reason: 'no unit cost: no standard cost table was given and the movement carries no unitCost',
      warehouseId: 'WH-01',
      sku: 'SKU-9',
      documentRef: 'PO-9',
      type: 'RECEIPT',
      period: '2026-10',
    },
  ],
};

function fakeContext(asked: VoucherQuery[], csvAsked: VoucherQuery[], routes: Route[]): Context {
  const api = {
    vouchers: (q: VoucherQuery) => {
      asked.push(q);
      return Promise.resolve(ANSWER);
    },
    vouchersCsv: (q: VoucherQuery) => {
      csvAsked.push(q);
      return Promise.resolve('\uFEFF凭证号\r\n');
    },
    heatMap: () => Promise.resolve({ warehouses: ['WH-01', 'WH-02'] }),
  } as unknown as Api;
  return {
    api,
    config: { mode: 'local', apiUrl: '' },
    session: { token: 't', username: 'li.finance', roles: ['finance-specialist'] },
    navigate: (route) => routes.push(route),
    period: undefined,
    periods: () => Promise.resolve(undefined),
    runs: () =>
      Promise.resolve([
        {
          runId: 'close-1',
          asOf: '2026-11-02T00:00:00.000Z',
          summary: { timezone: 'Asia/Shanghai' },
        },
      ] as never),
    workflow: () => Promise.resolve(true),
    users: () => Promise.resolve([]),
    current: () => true,
  } as Context;
}

describe('the voucher view', () => {
  it('opens on the last month ended as of the latest run and asks the API for exactly the filters', async () => {
    const asked: VoucherQuery[] = [];
    const el = document.createElement('div');
    await renderVouchers(fakeContext(asked, [], []), el, { view: 'vouchers' });
    expect(asked).toEqual([{ period: '2026-10' }]);
    await renderVouchers(fakeContext(asked, [], []), el, {
      view: 'vouchers',
      period: '2026-09',
      status: 'differs',
      warehouseId: 'WH-01',
    });
    expect(asked[1]).toEqual({ period: '2026-09', status: 'differs', warehouseId: 'WH-01' });
    expect(voucherQuery({ view: 'vouchers' }, '2026-10')).toEqual({ period: '2026-10' });
    expect(defaultPeriod(undefined, 'UTC')).toMatch(/^\d{4}-\d{2}$/);
  });

  it('shows each voucher’s lines with exact amounts, its status and the cases of one that differs', async () => {
    const el = document.createElement('div');
    await renderVouchers(fakeContext([], [], []), el, { view: 'vouchers' });
    const rows = [...el.querySelectorAll('[data-test="voucher-table"] tbody tr')];
    expect(rows).toHaveLength(4);
    expect(rows[0]?.textContent).toContain('MV-202610-0123456789abcdef');
    expect(rows[0]?.textContent).toContain('1,234,567.50');
    expect(rows[0]?.textContent).toContain('有差异');
    expect(rows[1]?.textContent).toContain('2202 应付账款');
    expect(rows[2]?.textContent).toContain('已入账');
    const link = el.querySelector<HTMLAnchorElement>('[data-test="voucher-case"]');
    expect(link?.getAttribute('href')).toBe(`#/d/close-1/${encodeURIComponent('WH-上海-02|SKU-1|PO-7')}`);
    expect(el.querySelector('[data-test="unpriced"]')?.textContent).toContain('E9');
    expect(el.querySelector('[data-test="voucher-count"]')?.textContent).toContain('共 2 张凭证');
  });

  it('navigates on a filter and downloads the CSV of what is shown', async () => {
    const routes: Route[] = [];
    const csv: VoucherQuery[] = [];
    const el = document.createElement('div');
    await renderVouchers(fakeContext([], csv, routes), el, { view: 'vouchers', status: 'posted' });
    const status = el.querySelector<HTMLSelectElement>('[data-test="voucher-status"]');
    expect(
      [...(status?.options ?? [])].filter((o) => o.hasAttribute('selected')).map((o) => o.value),
    ).toEqual(['posted']);
    const warehouse = el.querySelector<HTMLSelectElement>('[data-test="voucher-warehouse"]');
    expect([...(warehouse?.options ?? [])].map((o) => o.value)).toEqual(['', 'WH-01', 'WH-02', 'WH-上海-02']);
    if (warehouse !== null) {
      warehouse.value = 'WH-02';
      warehouse.dispatchEvent(new Event('change'));
    }
    expect(routes).toEqual([{ view: 'vouchers', period: '2026-10', status: 'posted', warehouseId: 'WH-02' }]);
    el.querySelector<HTMLButtonElement>('[data-test="voucher-csv"]')?.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(csv).toEqual([{ period: '2026-10', status: 'posted' }]);
  });
});
