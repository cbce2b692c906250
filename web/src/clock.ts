import { replaceableClock } from '../../lib/core/shared/clock.js';

/**
 * The dashboard's one clock: the browser's time, read only here. Ages come from the API (the
 * server's clock); what the page works out itself (the next scheduled runs, a session's expiry)
 * asks this. Unit tests set a fixed clock; the browser test fixes the page's with Playwright.
 */
const clock = replaceableClock(() => new Date());

export const now = (): Date => clock.now();

/** Makes `next` the page's clock; the answer puts the previous one back. */
export const useClock: typeof clock.use = (next) => clock.use(next);
