import type { Discrepancy } from '../reconcile/discrepancy.js';
import { groupKey } from '../reconcile/group.js';
import type { Entry } from '../records/records.js';
import type { VoucherStatus } from './voucher-names.js';
import { voucherGroups, type Voucher } from './vouchers.js';

/**
 * A voucher's status follows reconciliation (CONTRACT §9): `proposed` while finance has no entry
 * for any group of its lines, `posted` once finance has entries and every such group agrees,
 * `differs` when finance has entries and a group disagrees (with the cases of those groups).
 */
export { VOUCHER_STATUSES, VOUCHER_STATUS_ZH, type VoucherStatus } from './voucher-names.js';

type GroupFields = Pick<Entry, 'warehouseId' | 'sku' | 'documentRef'>;

/** What reconciliation knows of one group `(warehouseId, sku, documentRef)`. */
export interface GroupStanding {
  hasEntries: boolean;
  agrees: boolean;
}

export interface VoucherWithStatus extends Voucher {
  status: VoucherStatus;
  /** The cases of the groups that disagree (only for `differs`; groups without a case are left out). */
  caseIds: string[];
}

/**
 * The standing of every group of a reconciliation: it agrees unless a discrepancy names it, and it
 * has entries when a finance line of it was read. Groups with only finance lines are included too.
 */
export function groupStandings(
  movements: readonly GroupFields[],
  entries: readonly GroupFields[],
  discrepancies: readonly Pick<Discrepancy, 'groupKey'>[],
): Map<string, GroupStanding> {
  const standings = new Map<string, GroupStanding>();
  for (const m of movements) standings.set(groupKey(m), { hasEntries: false, agrees: true });
  for (const e of entries) {
    const key = groupKey(e);
    const s = standings.get(key);
    if (s === undefined) standings.set(key, { hasEntries: true, agrees: true });
    else s.hasEntries = true;
  }
  for (const d of discrepancies) {
    const s = standings.get(d.groupKey);
    if (s === undefined) standings.set(d.groupKey, { hasEntries: false, agrees: false });
    else s.agrees = false;
  }
  return standings;
}

/**
 * The status of a voucher from its groups' standings. A group reconciliation never saw counts as
 * without entries and not agreeing (it cannot be posted). `caseOf` names a group's case, if any.
 */
export function voucherStatus(
  v: Voucher,
  standings: ReadonlyMap<string, GroupStanding>,
  caseOf: (groupKey: string) => string | undefined,
): VoucherWithStatus {
  const groups = voucherGroups(v);
  const standing = (key: string): GroupStanding => standings.get(key) ?? { hasEntries: false, agrees: false };
  if (!groups.some((key) => standing(key).hasEntries)) return { ...v, status: 'proposed', caseIds: [] };
  const disagreeing = groups.filter((key) => !standing(key).agrees);
  if (disagreeing.length === 0) return { ...v, status: 'posted', caseIds: [] };
  const caseIds = disagreeing.flatMap((key) => {
    const id = caseOf(key);
    return id === undefined ? [] : [id];
  });
  return { ...v, status: 'differs', caseIds };
}
