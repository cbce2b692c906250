/**
 * GET /v1/vouchers's wire names, shared by the API and the dashboard: a CSV page's next cursor
 * travels in this response header (a JSON page carries it as `cursor`); absent on the last page.
 */
export const VOUCHER_CURSOR_HEADER = 'x-stocktally-cursor';
