import type { ChainedEvent } from './audit-chain.js';
import type { GroupLink } from '../diagnosis/group-links.js';
import type { JournalEntry } from './journal/journal-entry.js';
import type { Resolution } from './resolution.js';
import type { Role } from './roles.js';
import type { RootCause } from './root-cause.js';
import { DEFAULT_AWAITING_BOOKS_DAYS } from './workflow-config.js';

/**
 * A case: the work on one discrepancy (its group), told by its events. The case's state is the fold
 * of its events (`apply`), so the audit trail is the case and the stored head only a snapshot of
 * it:
 *
 *   OPEN -> IN_REVIEW -> PROPOSED -> AWAITING_BOOKS -> CLOSED     (closed by the run that finds
 *                ^            |  \                                 the group agreeing)
 *                |            v   +-> ACCEPTED                     (accept-difference approved)
 *                +------- REJECTED          (a rejected proposal goes back to review for a new one)
 *
 * The books decide (CONTRACT section 8): an approved resolution waits in AWAITING_BOOKS until a run
 * finds the group agreeing, and only an approved accept-difference ends a case whose group still
 * disagrees (ACCEPTED). A case also closes from OPEN, IN_REVIEW or REJECTED once a run has found its
 * group agreeing (its cause must still be named). A closed case whose group disagrees again, or an
 * accepted one whose difference is no longer the one accepted, is reopened by the run. Nothing but
 * the run acts on a closed or accepted case.
 */
export const CASE_STATES = [
  'OPEN',
  'IN_REVIEW',
  'PROPOSED',
  'AWAITING_BOOKS',
  'REJECTED',
  'ACCEPTED',
  'CLOSED',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STATE_ZH: Readonly<Record<CaseState, string>> = {
  OPEN: '待处理',
  IN_REVIEW: '审查中',
  PROPOSED: '待审批',
  AWAITING_BOOKS: '已审批待入账',
  REJECTED: '已驳回',
  ACCEPTED: '差异已核销',
  CLOSED: '已关闭',
};

/** The states in which no alert is sent for the case but its overdue one (CONTRACT section 8). */
export const QUIET_CASE_STATES: readonly CaseState[] = ['AWAITING_BOOKS', 'ACCEPTED', 'CLOSED'];

export const CASE_EVENT_TYPES = [
  'open',
  'reopen',
  'assign',
  'comment',
  'start-review',
  'propose',
  'approve',
  'reject',
  'close',
  'freeze',
  'unfreeze',
  'hold',
  'export',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** Who did it: a person, or the product itself (a run opening or closing a case). */
export interface Actor {
  userId: string;
  username: string;
  roles: Role[];
}

export const SYSTEM_ACTOR: Actor = { userId: 'stocktally', username: 'stocktally', roles: [] };

export interface Approval {
  by: Actor;
  at: string;
  comment?: string;
}

export interface Proposal {
  /** The sequence number of the propose event. */
  seq: number;
  resolution: Resolution;
  rootCause?: RootCause;
  entry: JournalEntry | null;
  /** The amount that decided the approvals: the larger of the entry's total and the money at stake. */
  amount: string;
  /** One approval per element, by a different person holding one of its roles. */
  requirements: Role[][];
  proposedBy: Actor;
  proposedAt: string;
  approvals: Approval[];
  outcome?: 'approved' | 'rejected';
  /** A link proposal's groups (CONTRACT §11): whose records reconcile under whose key. */
  link?: GroupLink;
}

/** The difference an approved accept-difference accepted: a run finding another one reopens the case. */
export interface AcceptedDifference {
  at: string;
  by: string;
  kind: string;
  moneyAtStake: string;
  firstSeen: string;
}

export interface CaseWorkflow {
  groupKey: string;
  state: CaseState;
  owner: string;
  openedAt: string;
  updatedAt: string;
  /** The sequence number of the last event applied. */
  version: number;
  /** The hash of the last event applied. */
  lastHash: string;
  proposal?: Proposal;
  rootCause?: RootCause;
  /** `runId`: the run that found the group agreeing (an automatic close). */
  closed?: { at: string; by: string; auto: boolean; runId?: string };
  /** Since the approval, and the day the books are due to agree by (then the case is overdue). */
  awaiting?: { since: string; dueBy: string };
  accepted?: AcceptedDifference;
  /** An automatic close that waits for a frozen account (the account key). */
  held?: { account: string; since: string };
  comments: number;
  exports: number;
}

/** An event before the chain numbers and hashes it. */
export interface EventDraft {
  type: CaseEventType;
  at: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** The data each event type carries (what `apply` reads). */
export interface EventData {
  open: {
    owner: string;
    runId: string;
    kind: string;
    severity: string;
    moneyAtStake: string;
    period: string;
  };
  reopen: { runId: string; firstSeen: string };
  assign: { owner: string; from: string };
  comment: { text: string };
  'start-review': { comment?: string };
  propose: {
    resolution: Resolution;
    rootCause?: RootCause;
    entry: JournalEntry | null;
    amount: string;
    requirements: Role[][];
    comment?: string;
    link?: GroupLink;
  };
  /**
   * A complete approval starts the wait for the books (`dueBy`), or, for accept-difference, records
   * the difference accepted.
   */
  approve: {
    complete: boolean;
    comment?: string;
    dueBy?: string;
    accepted?: Pick<AcceptedDifference, 'kind' | 'moneyAtStake' | 'firstSeen'>;
  };
  reject: { reason: string };
  close: { rootCause: RootCause; auto: boolean; reason?: string; comment?: string; runId?: string };
  freeze: { account: string; reason: string };
  unfreeze: { account: string; reason?: string };
  hold: { account: string; runId: string };
  export: { period: string; format: string; entryId: string };
}

function data<T extends CaseEventType>(event: { type: T; data: Record<string, unknown> }): EventData[T] {
  return event.data as unknown as EventData[T];
}

/** The case after `event`; the first event of a case is its `open`. */
export function apply(workflow: CaseWorkflow | undefined, event: ChainedEvent): CaseWorkflow {
  const type = event.type as CaseEventType;
  const base = { version: event.seq, lastHash: event.hash, updatedAt: event.at };
  if (workflow === undefined) {
    if (type !== 'open') throw new Error(`case ${event.groupKey} starts with ${type}, not open`);
    return {
      groupKey: event.groupKey,
      state: 'OPEN',
      owner: data({ type: 'open', data: event.data }).owner,
      openedAt: event.at,
      comments: 0,
      exports: 0,
      ...base,
    };
  }
  const next: CaseWorkflow = { ...workflow, ...base };
  switch (type) {
    case 'open':
      throw new Error(`case ${event.groupKey} is opened twice (event ${event.seq})`);
    case 'reopen': {
      const { proposal: _p, rootCause: _r, closed: _c, held: _h, awaiting: _w, accepted: _a, ...rest } = next;
      return { ...rest, state: 'OPEN' };
    }
    case 'assign':
      return { ...next, owner: data({ type, data: event.data }).owner };
    case 'comment':
      return { ...next, comments: next.comments + 1 };
    case 'start-review':
      return { ...next, state: 'IN_REVIEW' };
    case 'propose': {
      const d = data({ type, data: event.data });
      return {
        ...next,
        state: 'PROPOSED',
        ...(d.rootCause === undefined ? {} : { rootCause: d.rootCause }),
        proposal: {
          seq: event.seq,
          resolution: d.resolution,
          ...(d.rootCause === undefined ? {} : { rootCause: d.rootCause }),
          entry: d.entry,
          amount: d.amount,
          requirements: d.requirements,
          proposedBy: event.actor as Actor,
          proposedAt: event.at,
          approvals: [],
          ...(d.link === undefined ? {} : { link: d.link }),
        },
      };
    }
    case 'approve': {
      const d = data({ type, data: event.data });
      if (next.proposal === undefined) throw new Error(`case ${event.groupKey}: approval without a proposal`);
      const approval: Approval = {
        by: event.actor as Actor,
        at: event.at,
        ...(d.comment === undefined ? {} : { comment: d.comment }),
      };
      const proposal = {
        ...next.proposal,
        approvals: [...next.proposal.approvals, approval],
        ...(d.complete ? { outcome: 'approved' as const } : {}),
      };
      if (!d.complete) return { ...next, proposal };
      if (next.proposal.resolution.action === 'accept-difference') {
        const accepted = d.accepted ?? { kind: '', moneyAtStake: '', firstSeen: '' };
        return {
          ...next,
          state: 'ACCEPTED',
          proposal,
          accepted: { ...accepted, at: event.at, by: event.actor.username },
        };
      }
      return {
        ...next,
        state: 'AWAITING_BOOKS',
        proposal,
        awaiting: { since: event.at, dueBy: d.dueBy ?? dueByOf(event.at, DEFAULT_AWAITING_BOOKS_DAYS) },
      };
    }
    case 'reject':
      return {
        ...next,
        state: 'REJECTED',
        ...(next.proposal === undefined
          ? {}
          : { proposal: { ...next.proposal, outcome: 'rejected' as const } }),
      };
    case 'close': {
      const d = data({ type, data: event.data });
      const { held: _held, awaiting: _awaiting, ...rest } = next;
      return {
        ...rest,
        state: 'CLOSED',
        rootCause: d.rootCause,
        closed: {
          at: event.at,
          by: event.actor.username,
          auto: d.auto,
          ...(d.runId === undefined ? {} : { runId: d.runId }),
        },
      };
    }
    case 'hold':
      return { ...next, held: { account: data({ type, data: event.data }).account, since: event.at } };
    case 'export':
      return { ...next, exports: next.exports + 1 };
    case 'freeze':
    case 'unfreeze':
      return next;
  }
}

const DAY_MS = 86_400_000;

/** The instant `days` whole days after `since`. */
export function dueByOf(since: string, days: number): string {
  return new Date(Date.parse(since) + days * DAY_MS).toISOString();
}

/**
 * A head stored before cases waited for the books (state APPROVED): read as AWAITING_BOOKS since its
 * last approval, with the default wait, so a stack upgraded in place needs no backfill.
 */
export function upgradeWorkflow(workflow: CaseWorkflow): CaseWorkflow {
  if ((workflow.state as string) !== 'APPROVED') return workflow;
  const since = workflow.proposal?.approvals.at(-1)?.at ?? workflow.updatedAt;
  return {
    ...workflow,
    state: 'AWAITING_BOOKS',
    awaiting: { since, dueBy: dueByOf(since, DEFAULT_AWAITING_BOOKS_DAYS) },
  };
}

/** The case as its events tell it. */
export function fold(events: readonly ChainedEvent[]): CaseWorkflow | undefined {
  let workflow: CaseWorkflow | undefined;
  for (const event of events) workflow = apply(workflow, event);
  return workflow;
}

/**
 * What an event changes beyond its case, for the store to carry out (idempotently, so that a
 * writer that stopped half-way can do it again): the account registry of freezes (and the cases a
 * freeze holds), the journal of approved entries a period exports, and the links the runs apply.
 */
export type CaseEffect =
  | { kind: 'freeze'; account: string; groupKey: string; by: string; at: string; reason: string }
  | { kind: 'unfreeze'; account: string }
  | { kind: 'hold'; account: string; groupKey: string }
  | { kind: 'journal'; entry: JournalEntry; approvedAt: string; approvedBy: string[]; proposedBy: string }
  | { kind: 'link'; link: GroupLink; groupKey: string; approvedAt: string }
  /** The case waits for the books: listed where the overdue check finds it without reading every case. */
  | { kind: 'await'; groupKey: string; since: string; dueBy: string }
  /** It waits no more (closed). */
  | { kind: 'settle'; groupKey: string };

export function effectsOf(
  before: CaseWorkflow | undefined,
  event: ChainedEvent,
  account: string,
): CaseEffect[] {
  switch (event.type as CaseEventType) {
    case 'freeze': {
      const d = data({ type: 'freeze', data: event.data });
      return [
        {
          kind: 'freeze',
          account: d.account,
          groupKey: event.groupKey,
          by: event.actor.username,
          at: event.at,
          reason: d.reason,
        },
      ];
    }
    case 'unfreeze':
      return [{ kind: 'unfreeze', account: data({ type: 'unfreeze', data: event.data }).account }];
    case 'hold':
      return [
        { kind: 'hold', account: data({ type: 'hold', data: event.data }).account, groupKey: event.groupKey },
      ];
    case 'close':
      return before?.state === 'AWAITING_BOOKS' ? [{ kind: 'settle', groupKey: event.groupKey }] : [];
    case 'approve': {
      const proposal = before?.proposal;
      const d = data({ type: 'approve', data: event.data });
      if (!d.complete || proposal === undefined) return [];
      const effects: CaseEffect[] = [];
      if (proposal.resolution.action !== 'accept-difference') {
        effects.push({
          kind: 'await',
          groupKey: event.groupKey,
          since: event.at,
          dueBy: d.dueBy ?? dueByOf(event.at, DEFAULT_AWAITING_BOOKS_DAYS),
        });
      }
      if (proposal.entry !== null) {
        effects.push({
          kind: 'journal',
          entry: proposal.entry,
          approvedAt: event.at,
          approvedBy: [...proposal.approvals.map((a) => a.by.username), event.actor.username],
          proposedBy: proposal.proposedBy.username,
        });
      }
      if (proposal.link !== undefined) {
        effects.push({ kind: 'link', link: proposal.link, groupKey: event.groupKey, approvedAt: event.at });
      }
      if (proposal.resolution.action === 'freeze-account') {
        effects.push({
          kind: 'freeze',
          account,
          groupKey: event.groupKey,
          by: event.actor.username,
          at: event.at,
          reason: proposal.resolution.reason,
        });
      }
      return effects;
    }
    default:
      return [];
  }
}
