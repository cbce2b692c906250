import { groupKey, type GroupParts } from '../records/group-key.js';
import type { LedgerRecord } from '../records/records.js';

/**
 * An accepted suggestion (CONTRACT §11, case action `link`): the finance lines of one group were
 * booked under a mistyped documentRef or sku, and from the next run on they reconcile under the
 * WMS group's key, so the two one-sided groups become one group that agrees (or shows what still
 * differs). The key mapping is applied to the records before grouping; nothing stored changes.
 */
export interface GroupLink {
  warehouseId: string;
  /** The group whose records move: the finance side's, booked under the mistyped code. */
  from: { sku: string; documentRef: string };
  /** The group they reconcile under: the WMS side's. */
  to: { sku: string; documentRef: string };
}

export const linkFromKey = (link: GroupLink): string =>
  groupKey({ warehouseId: link.warehouseId, ...link.from });
export const linkToKey = (link: GroupLink): string => groupKey({ warehouseId: link.warehouseId, ...link.to });

/** The group keys links touch: both groups of every link (their cases close as one). */
export function linkedKeys(links: readonly GroupLink[]): Set<string> {
  const keys = new Set<string>();
  for (const link of links) {
    keys.add(linkFromKey(link));
    keys.add(linkToKey(link));
  }
  return keys;
}

/**
 * The records with every linked group's records under its target's key. Records of other groups
 * come back as they are (the same objects); an empty list of links returns the list itself.
 */
export function applyLinks<R extends LedgerRecord>(
  records: readonly R[],
  links: readonly GroupLink[],
): readonly R[] {
  if (links.length === 0) return records;
  const targets = new Map<string, GroupLink['to']>();
  for (const link of links) targets.set(linkFromKey(link), link.to);
  return records.map((r) => {
    const to = targets.get(groupKey(r as GroupParts));
    return to === undefined ? r : { ...r, sku: to.sku, documentRef: to.documentRef };
  });
}
