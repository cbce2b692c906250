import { parentPort, workerData } from 'node:worker_threads';
import { reconcileShare, type ShareInit } from './worker-share.js';
import { indexShare, reconcileIndexed, type PlacedIndex, type RangedInit } from './ranged-share.js';
import type { Source } from '../core/records/records.js';

// A worker thread reconciling its share of the partitions; errors travel back as a message.
const port = parentPort;
if (port === null) throw new Error('reconcile-worker must run as a worker thread');
const data = workerData as (ShareInit & { mode?: undefined }) | (RangedInit & { mode: 'ranged' });
const fail = (error: unknown) =>
  port.postMessage({
    type: 'error',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
try {
  if (data.mode === 'ranged') {
    // Split this worker's ranges, hand the indexes over, and wait for every range's.
    const emit = (message: unknown) => port.postMessage(message);
    port.once('message', (message: { type: 'placed'; placed: Record<Source, PlacedIndex[]> }) => {
      try {
        reconcileIndexed(data, message.placed, emit);
        port.postMessage({ type: 'done' });
      } catch (error) {
        fail(error);
      }
    });
    port.postMessage({ type: 'indexed', index: data.index, ...indexShare(data, emit) });
  } else {
    reconcileShare(data, (message) => port.postMessage(message));
    port.postMessage({ type: 'done' });
  }
} catch (error) {
  fail(error);
}
