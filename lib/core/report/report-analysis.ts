import { formatMoney, type Decimal } from '../shared/decimal.js';
import type { Severity } from '../reconcile/discrepancy.js';
import { CASE_STATE_ZH, CASE_STATES, type CaseState } from '../cases/case-workflow.js';
import { ROOT_CAUSE_ZH, type RootCauseCode } from '../cases/root-cause.js';
import type { Bilingual } from './bilingual.js';

/**
 * What the controller reads before signing, beyond the differences themselves (the seed's
 * 原因分析、整改进度、责任人追踪): why they happened (root cause -> count, money), how far their
 * cases are (cases by state, overdue), and who answers for what is still open (owner -> open items,
 * money, the first due date). Every item has a due day: a case awaiting the books is due by the day
 * its approval set; an item still being worked is due `dueDays[severity]` days after the day it was
 * first seen (RED: 0, the same day). Past its due day (before the report's day) it is overdue.
 */

/** Days from the day an item was first seen to the day it is due, by severity. */
export type DueDays = Readonly<Record<Severity, number>>;

export const DEFAULT_DUE_DAYS: DueDays = { RED: 0, YELLOW: 3, GREEN: 10 };

/** What the analysis needs of one discrepancy and its case. */
export interface AnalysedItem {
  severity: Severity;
  money: Decimal;
  /** The case's state; undefined when the item has no case (a CLI run, or cases unavailable). */
  caseState?: CaseState | undefined;
  causeCode?: RootCauseCode | undefined;
  owner?: string | undefined;
  /** ISO instant the books are due to agree by (a case awaiting the books), and its local day. */
  dueBy?: string | undefined;
  dueByDay?: string | undefined;
  /** The local day (YYYY-MM-DD) the item was first seen; the report's day when unknown. */
  firstSeenDay?: string | undefined;
  /** Resolved or accepted: nothing left to do. */
  settled: boolean;
}

export interface CauseLine {
  code: RootCauseCode | null;
  label: Bilingual;
  count: number;
  money: string;
}

export interface ProgressLine {
  state: CaseState | null;
  label: Bilingual;
  count: number;
  money: string;
  overdue: number;
}

export interface OwnerLine {
  owner: string;
  /** Items not yet settled (open, in progress, awaiting the books). */
  open: number;
  red: number;
  money: string;
  /** The earliest due day of its open items, YYYY-MM-DD. */
  firstDue: string | null;
  /** Its RED items due on the report's day (the same-day deadline). */
  redDueToday: number;
  overdue: number;
}

export interface WorkflowAnalysis {
  /** The report's day in the zone: due days are compared to it. */
  today: string;
  dueDays: DueDays;
  causes: CauseLine[];
  progress: ProgressLine[];
  owners: OwnerLine[];
  /** Open items past their due day. */
  overdue: number;
  /** Items with a case (the rest are counted under "no case"). */
  withCase: number;
}

const STATE_EN: Readonly<Record<CaseState, string>> = {
  OPEN: 'open',
  IN_REVIEW: 'in review',
  PROPOSED: 'proposed, awaiting approval',
  AWAITING_BOOKS: 'approved, awaiting the books',
  REJECTED: 'proposal rejected',
  ACCEPTED: 'difference accepted',
  CLOSED: 'closed',
};

export const NO_CASE: Bilingual = { zh: '未建案件', en: 'no case' };
export const NO_CAUSE: Bilingual = { zh: '原因待查明', en: 'cause not yet named' };
export const UNASSIGNED = '未分配 unassigned';

export function caseStateLabel(state: CaseState): Bilingual {
  return { zh: CASE_STATE_ZH[state], en: STATE_EN[state] };
}

export function causeLabel(code: RootCauseCode): Bilingual {
  return { zh: ROOT_CAUSE_ZH[code], en: code };
}

interface Tally {
  count: number;
  money: Decimal;
}

interface OwnerTally extends Tally {
  red: number;
  firstDue: string | null;
  redDueToday: number;
  overdue: number;
}

/** Feeds on items one at a time; memory is one tally per cause, state and owner. */
export class WorkflowAnalyser {
  private readonly causes = new Map<RootCauseCode | null, Tally>();
  private readonly states = new Map<CaseState | null, Tally & { overdue: number }>();
  private readonly owners = new Map<string, OwnerTally>();
  private overdue = 0;
  private withCase = 0;

  constructor(
    private readonly today: string,
    private readonly asOf: number,
    private readonly dueDays: DueDays = DEFAULT_DUE_DAYS,
  ) {}

  /** The day an unsettled item is due, YYYY-MM-DD; undefined once settled. */
  dueDay(item: AnalysedItem): string | undefined {
    if (item.settled) return undefined;
    if (item.caseState === 'AWAITING_BOOKS' && item.dueBy !== undefined)
      return item.dueByDay ?? item.dueBy.slice(0, 10);
    return addDays(item.firstSeenDay ?? this.today, this.dueDays[item.severity]);
  }

  isOverdue(item: AnalysedItem): boolean {
    if (item.settled) return false;
    // Awaiting the books: overdue past the instant the approval set (CONTRACT section 8).
    if (item.caseState === 'AWAITING_BOOKS' && item.dueBy !== undefined)
      return this.asOf > Date.parse(item.dueBy);
    const due = this.dueDay(item);
    return due !== undefined && due < this.today;
  }

  add(item: AnalysedItem): void {
    const cause = item.causeCode ?? null;
    const c = this.causes.get(cause) ?? { count: 0, money: 0n };
    c.count++;
    c.money += item.money;
    this.causes.set(cause, c);

    const late = this.isOverdue(item);
    if (late) this.overdue++;
    const state = item.caseState ?? null;
    if (state !== null) this.withCase++;
    const s = this.states.get(state) ?? { count: 0, money: 0n, overdue: 0 };
    s.count++;
    s.money += item.money;
    if (late) s.overdue++;
    this.states.set(state, s);

    if (item.settled) return;
    const name = item.owner ?? UNASSIGNED;
    const o = this.owners.get(name) ?? {
      count: 0,
      money: 0n,
      red: 0,
      firstDue: null,
      redDueToday: 0,
      overdue: 0,
    };
    o.count++;
    o.money += item.money;
    const due = this.dueDay(item) ?? null;
    if (due !== null && (o.firstDue === null || due < o.firstDue)) o.firstDue = due;
    if (item.severity === 'RED') {
      o.red++;
      if (due === this.today) o.redDueToday++;
    }
    if (late) o.overdue++;
    this.owners.set(name, o);
  }

  build(): WorkflowAnalysis {
    const byMoney = <T extends { money: Decimal; count: number }>(
      a: [unknown, T],
      b: [unknown, T],
    ): number => (a[1].money !== b[1].money ? (a[1].money > b[1].money ? -1 : 1) : b[1].count - a[1].count);
    const causes = [...this.causes.entries()]
      .sort((a, b) =>
        // The named causes first, largest money first; "not yet named" last.
        a[0] === null ? 1 : b[0] === null ? -1 : byMoney(a, b),
      )
      .map(([code, t]) => ({
        code,
        label: code === null ? NO_CAUSE : causeLabel(code),
        count: t.count,
        money: formatMoney(t.money),
      }));
    const order = (state: CaseState | null): number =>
      state === null ? CASE_STATES.length : CASE_STATES.indexOf(state);
    const progress = [...this.states.entries()]
      .sort((a, b) => order(a[0]) - order(b[0]))
      .map(([state, t]) => ({
        state,
        label: state === null ? NO_CASE : caseStateLabel(state),
        count: t.count,
        money: formatMoney(t.money),
        overdue: t.overdue,
      }));
    const owners = [...this.owners.entries()]
      .sort((a, b) => (a[1].red !== b[1].red ? b[1].red - a[1].red : byMoney(a, b) || (a[0] < b[0] ? -1 : 1)))
      .map(([owner, t]) => ({
        owner,
        open: t.count,
        red: t.red,
        money: formatMoney(t.money),
        firstDue: t.firstDue,
        redDueToday: t.redDueToday,
        overdue: t.overdue,
      }));
    return {
      today: this.today,
      dueDays: this.dueDays,
      causes,
      progress,
      owners,
      overdue: this.overdue,
      withCase: this.withCase,
    };
  }
}

const shifted = new Map<string, string>();

/** `2026-10-31` + 1 -> `2026-11-01` (calendar days; no zone involved). A run has few distinct days. */
export function addDays(day: string, days: number): string {
  const key = `${day}+${days}`;
  let out = shifted.get(key);
  if (out === undefined) {
    out = new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    if (shifted.size > 10_000) shifted.clear();
    shifted.set(key, out);
  }
  return out;
}
