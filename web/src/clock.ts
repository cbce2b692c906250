import type { Clock } from '../../lib/core/clock.js';

/**
 * The dashboard's one clock: the browser's time, read only here. Ages come from the API (the
 * server's clock); what the page works out itself (the next scheduled runs, a session's expiry)
 * asks this. Unit tests set a fixed clock; the browser test fixes the page's with Playwright.
 */
let current: Clock = () => new Date();

export function now(): Date {
  return current();
}

/** Makes `clock` the page's clock; the answer puts the previous one back. */
export function useClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}
