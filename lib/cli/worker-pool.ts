import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepare, type JobContext, type PartitionJob, type PartitionOutcome } from './partition-job.js';

type Reply = { ok: true; outcome: PartitionOutcome } | { ok: false; partition: number; error: string };

/** The bundled worker sits beside the bundled CLI in dist/. */
export function defaultWorkerScript(): string | undefined {
  const url = new URL('./reconcile-worker.js', import.meta.url);
  const path = fileURLToPath(url);
  return existsSync(path) ? path : undefined;
}

/**
 * Runs partition jobs on `workers` threads, each taking the next job as it finishes one, or in
 * this thread when workers is 0 (tests, tiny inputs). Outcomes come back in completion order.
 */
export async function runJobs(
  context: JobContext,
  jobs: AsyncIterable<PartitionJob> | Iterable<PartitionJob>,
  workers: number,
  onOutcome: (outcome: PartitionOutcome) => void,
  script = defaultWorkerScript(),
): Promise<void> {
  if (workers === 0 || script === undefined) {
    const run = prepare(context);
    for await (const job of jobs) onOutcome(run(job));
    return;
  }
  const iterator = (Symbol.asyncIterator in jobs ? jobs[Symbol.asyncIterator]() : jobs[Symbol.iterator]()) as
    AsyncIterator<PartitionJob> | Iterator<PartitionJob>;
  const threads = Array.from(
    { length: workers },
    () => new Worker(script, { workerData: context, resourceLimits: { maxYoungGenerationSizeMb: 64 } }),
  );
  try {
    await Promise.all(
      threads.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = async (): Promise<void> => {
              const step = await iterator.next();
              if (step.done === true) return resolve();
              const job = step.value;
              const transfer = [...job.wms.blocks, ...job.finance.blocks].map((b) => b.buffer as ArrayBuffer);
              worker.postMessage(job, [...new Set(transfer)]);
            };
            worker.on('message', (reply: Reply) => {
              if (!reply.ok) return reject(new Error(`partition ${reply.partition} failed: ${reply.error}`));
              onOutcome(reply.outcome);
              next().catch(reject);
            });
            worker.on('error', reject);
            next().catch(reject);
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
