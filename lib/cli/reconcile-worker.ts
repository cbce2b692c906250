import { parentPort, workerData } from 'node:worker_threads';
import { prepare, type JobContext, type PartitionJob } from './partition-job.js';

// A worker thread owning whole partitions: it parses their records in full and reconciles them.
const port = parentPort;
if (port === null) throw new Error('reconcile-worker must run as a worker thread');
const run = prepare(workerData as JobContext);
port.on('message', (job: PartitionJob) => {
  try {
    port.postMessage({ ok: true, outcome: run(job) });
  } catch (error) {
    port.postMessage({
      ok: false,
      partition: job.partition,
      error: error instanceof Error ? error.stack : String(error),
    });
  }
});
