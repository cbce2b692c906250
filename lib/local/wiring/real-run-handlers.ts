import type { RunHandlers } from './run-functions.js';

/**
 * The real run handlers (HANDLERS in lib/declarations/tables.ts), the alert handlers, and the ports the runs
 * API and Notify use (run starter, alert publisher), imported together once the local environment is
 * set (they read it at module scope), so the starter the pipeline puts in is the very one the runs
 * API handler uses. Literal paths, so esbuild bundles them into the CLI's start chunk.
 */
export async function loadRealRunHandlers(): Promise<RunHandlers> {
  const [
    listPartitions,
    reconcilePartition,
    summarizeRun,
    runsApi,
    starter,
    notifyRun,
    deliverChat,
    publisher,
    failRun,
  ] = await Promise.all([
    import('../../../functions/runs/list-partitions.js'),
    import('../../../functions/runs/reconcile-partition.js'),
    import('../../../functions/runs/summarize-run.js'),
    import('../../../functions/runs/runs-api.js'),
    import('../../adapters/runs/run-starter.js'),
    import('../../../functions/notify/notify-run.js'),
    import('../../../functions/notify/deliver-chat.js'),
    import('../../adapters/alerts/alert-publisher.js'),
    import('../../../functions/runs/fail-run.js'),
  ]);
  return {
    listPartitions: listPartitions.handler,
    reconcilePartition: reconcilePartition.handler,
    summarizeRun: summarizeRun.handler,
    notifyRun: notifyRun.handler,
    failRun: failRun.handler,
    runsApi: runsApi.handler,
    setRunStarter: starter.setRunStarter,
    deliverChat: deliverChat.handler,
    setAlertPublisher: publisher.setAlertPublisher,
  };
}
