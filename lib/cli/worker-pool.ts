import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reconcileShare, type ShareInit, type ShareMessage } from './worker-share.js';
import {
  checkedIndexes,
  fileRanges,
  indexShare,
  placeIndexes,
  reconcileIndexed,
  type RangedInit,
  type RangedMessage,
  type RangeIndex,
} from './ranged-share.js';

type WorkerMessage = RangedMessage | { type: 'done' } | { type: 'error'; error: string };

/**
 * The bundled worker sits beside the bundled CLI in dist/; this module may itself be bundled into
 * dist/chunks/, one level down. Without a worker the shares run on this thread, so a worker that is
 * not found costs every core but one: look in both places.
 */
export function defaultWorkerScript(): string | undefined {
  for (const relative of ['./reconcile-worker.js', '../reconcile-worker.js']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** A larger young generation: parsing allocates many short-lived objects (GC was 20 % of the time). */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 64 };

/** Runs the workers to their end, each message of theirs to `onMessage`. */
async function runWorkers(
  script: string,
  data: readonly object[],
  onMessage: (worker: Worker, message: RangedMessage) => void,
): Promise<void> {
  const threads = data.map(
    (workerData) => new Worker(script, { workerData, resourceLimits: RESOURCE_LIMITS }),
  );
  try {
    await Promise.all(
      threads.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.on('message', (message: WorkerMessage) => {
              if (message.type === 'done') resolve();
              else if (message.type === 'error')
                reject(new Error(`a reconcile worker failed: ${message.error}`));
              else onMessage(worker, message);
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a reconcile worker exited with code ${code}`));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/**
 * Runs the reconciliation as `workers` shares on worker threads, or in this thread when workers is
 * 0 (tests, tiny inputs, or no bundled worker beside this module).
 */
export async function runShares(
  init: Omit<ShareInit, 'index' | 'workers'>,
  workers: number,
  onMessage: (message: ShareMessage) => void,
  script = defaultWorkerScript(),
): Promise<void> {
  if (workers === 0 || script === undefined) {
    reconcileShare({ ...init, index: 0, workers: 1 }, onMessage);
    return;
  }
  const data = Array.from({ length: workers }, (_, index) => ({
    ...init,
    index,
    workers,
    memoryBudgetBytes: Math.ceil(init.memoryBudgetBytes / workers),
  }));
  await runWorkers(script, data, (_worker, message) => {
    if (message.type !== 'indexed') onMessage(message);
  });
}

/**
 * The CSV reconciliation split once (ranged-share.ts): each worker splits its byte ranges of the two
 * files, the main thread places every range's index and hands all of them to every worker, which
 * then reconciles its partitions.
 */
export async function runRangedShares(
  init: Omit<RangedInit, 'index' | 'workers' | 'bounds'>,
  workers: number,
  onMessage: (message: ShareMessage) => void,
  script = defaultWorkerScript(),
): Promise<void> {
  const count = workers === 0 || script === undefined ? 1 : workers;
  const wms = fileRanges(init.data.wms, count);
  const finance = fileRanges(init.data.finance, count);
  const bounds = { wms: wms.bounds, finance: finance.bounds };
  const firstLine = { wms: wms.firstLine, finance: finance.firstLine };
  if (count === 1) {
    const share = { ...init, bounds, index: 0, workers: 1 };
    const { placed, malformed } = placeIndexes(firstLine, [indexShare(share, onMessage)]);
    if (malformed.length > 0) onMessage({ type: 'malformed', rejected: malformed });
    reconcileIndexed(share, placed, onMessage);
    return;
  }
  const found: { wms: RangeIndex; finance: RangeIndex }[] = [];
  const threads: Worker[] = [];
  let indexed = 0;
  await runWorkers(
    script ?? '',
    Array.from({ length: count }, (_, index) => ({ ...init, bounds, index, workers: count, mode: 'ranged' })),
    (worker, message) => {
      if (message.type !== 'indexed') {
        onMessage(message);
        return;
      }
      found[message.index] = { wms: message.wms, finance: message.finance };
      threads[message.index] = worker;
      if (++indexed < count) return;
      const checked = checkedIndexes({ ...init, bounds }, found, onMessage);
      const { placed, malformed } = placeIndexes(firstLine, checked);
      if (malformed.length > 0) onMessage({ type: 'malformed', rejected: malformed });
      for (const thread of threads) thread.postMessage({ type: 'placed', placed });
    },
  );
}
