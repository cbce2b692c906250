import { parentPort, workerData } from 'node:worker_threads';
import { reconcileShare, type ShareInit } from './worker-share.js';

// A worker thread reconciling its share of the partitions; errors travel back as a message.
const port = parentPort;
if (port === null) throw new Error('reconcile-worker must run as a worker thread');
try {
  reconcileShare(workerData as ShareInit, (message) => port.postMessage(message));
  port.postMessage({ type: 'done' });
} catch (error) {
  port.postMessage({
    type: 'error',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
