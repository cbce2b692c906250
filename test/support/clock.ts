import { fixedClock } from '../../lib/core/shared/clock.js';
import { useClock } from '../../lib/adapters/aws/clock.js';

/**
 * The suite's "now": three days and nine hours after the fixtures' asOf (2026-11-02), so a 48-hour
 * lag window has passed and every age is known. Set for every test file by the setup below; a test
 * that means another moment sets it with `useClock`, and one that reads "now" reads this.
 */
export const SUITE_NOW = '2026-11-05T09:00:00.000Z';

/** Whole days from `iso` to the suite's now, as the functions count ages. */
export const daysToNow = (iso: string): number =>
  Math.floor((Date.parse(SUITE_NOW) - Date.parse(iso)) / 86_400_000);

export function fixSuiteClock(): void {
  useClock(fixedClock(SUITE_NOW));
}
