import { isOneSided } from '../diagnosis/suggest-matches.js';
import type { Discrepancy } from '../reconcile/discrepancy.js';

/**
 * When a partition's one-sided TIMING_LAG items next change kind by time alone (CONTRACT §7): each
 * becomes MISSING_IN_FINANCE or MISSING_IN_WMS once its side's latest record is older than the lag
 * window. The earliest such instant (epoch ms), or undefined when none waits; a continuous run after
 * it reads the partition again though nothing was written to it.
 */
export function nextLagDeadline(open: readonly Discrepancy[], lagHours: number): number | undefined {
  let due: number | undefined;
  for (const d of open) {
    if (d.kind !== 'TIMING_LAG' || !isOneSided(d)) continue;
    const latest = Date.parse((d.wmsEventIds.length > 0 ? d.latestEventAt : d.latestPostingAt) ?? '');
    if (Number.isNaN(latest)) continue;
    const at = latest + lagHours * 3_600_000;
    if (due === undefined || at < due) due = at;
  }
  return due;
}
