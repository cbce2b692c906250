import type { IngestHandlers } from './ingest-functions.js';

/**
 * The real ingest handlers (lib/declarations/tables.ts HANDLERS), imported only once the local environment
 * is set, because they read it at module scope. The paths are literal so esbuild bundles the handlers
 * into dist/stocktally.js, and `stocktally reconcile` never loads them.
 */
export async function loadRealHandlers(): Promise<IngestHandlers> {
  const [webhook, s3Drop] = await Promise.all([
    import('../../../functions/ingest/webhook.js'),
    import('../../../functions/ingest/s3-drop.js'),
  ]);
  return { webhook: webhook.handler, s3Drop: s3Drop.handler };
}
