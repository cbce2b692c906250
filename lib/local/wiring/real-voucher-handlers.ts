import type { VoucherHandlers } from './voucher-functions.js';

/**
 * The real vouchers API handler (HANDLERS.vouchersApi), imported once the local environment is set
 * (it reads it on first use). A literal path, so esbuild bundles it into the CLI's start chunk.
 */
export async function loadRealVoucherHandlers(): Promise<VoucherHandlers> {
  const vouchersApi = await import('../../../functions/vouchers/vouchers-api.js');
  return { vouchersApi: vouchersApi.handler };
}
