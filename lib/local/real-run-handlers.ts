import type { RunHandlers } from './run-functions.js';

/**
 * The real run handlers (HANDLERS in lib/declarations.ts) and the run starter port the runs API
 * reads, imported together once the local environment is set (they read it at module scope), so
 * the starter the pipeline puts in is the very one the runs API handler uses. Literal paths, so
 * esbuild bundles them into the CLI's start chunk.
 */
export async function loadRealRunHandlers(): Promise<RunHandlers> {
  const [listPartitions, reconcilePartition, summarizeRun, runsApi, starter] = await Promise.all([
    import('../../functions/runs/list-partitions.js'),
    import('../../functions/runs/reconcile-partition.js'),
    import('../../functions/runs/summarize-run.js'),
    import('../../functions/runs/runs-api.js'),
    import('../adapters/run-starter.js'),
  ]);
  return {
    listPartitions: listPartitions.handler,
    reconcilePartition: reconcilePartition.handler,
    summarizeRun: summarizeRun.handler,
    runsApi: runsApi.handler,
    setRunStarter: starter.setRunStarter,
  };
}
