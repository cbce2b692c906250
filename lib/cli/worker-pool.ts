import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reconcileShare, type ShareInit, type ShareMessage } from './worker-share.js';

type WorkerMessage = ShareMessage | { type: 'done' } | { type: 'error'; error: string };

/** The bundled worker sits beside the bundled CLI in dist/. */
export function defaultWorkerScript(): string | undefined {
  const path = fileURLToPath(new URL('./reconcile-worker.js', import.meta.url));
  return existsSync(path) ? path : undefined;
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
  const threads = Array.from(
    { length: workers },
    (_, index) =>
      new Worker(script, {
        workerData: {
          ...init,
          index,
          workers,
          memoryBudgetBytes: Math.ceil(init.memoryBudgetBytes / workers),
        },
        // A larger young generation: parsing allocates many short-lived objects (GC was 20 % of the time).
        resourceLimits: { maxYoungGenerationSizeMb: 64 },
      }),
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
              else onMessage(message);
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
