import { replaceableClock } from '../../core/shared/clock.js';
import { systemClock } from '../../clock.js';

/**
 * The functions' one clock. In Lambda it is the machine's; `stocktally start --now` and the tests,
 * which assemble the work themselves, set another with `useClock` before anything reads it.
 *
 * Not on this clock, by design: the instants a counterparty checks against its own time (an SDK
 * request's or a presigned link's signature, which S3 verifies; a webhook's timestamp, which the
 * sender stamps), and durations (timeouts, phase timings, cache lifetimes, on `performance.now()`).
 */
const clock = replaceableClock(systemClock);

/** Now, as the functions' clock reads it. */
export const currentTime = (): Date => clock.now();

/** Makes `next` the functions' clock; the answer puts the previous one back. */
export const useClock: typeof clock.use = (next) => clock.use(next);
