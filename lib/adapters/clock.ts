import type { Clock } from '../core/clock.js';
import { systemClock } from '../clock.js';

/**
 * The functions' one clock. In Lambda it is the machine's; `stocktally start --now` and the tests,
 * which assemble the work themselves, set another with `useClock` before anything reads it.
 *
 * Not on this clock, by design: the instants a counterparty checks against its own time (an SDK
 * request's or a presigned link's signature, which S3 verifies; a webhook's timestamp, which the
 * sender stamps), and durations (timeouts, phase timings, cache lifetimes, on `performance.now()`).
 */
let current: Clock = systemClock;

/** Now, as the functions' clock reads it. */
export function currentTime(): Date {
  return current();
}

/** Makes `clock` the functions' clock; the answer puts the previous one back. */
export function useClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}
