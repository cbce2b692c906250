import type { ChainedEvent } from './audit-chain.js';
import type { GroupLink } from '../diagnosis/group-links.js';
import type { JournalEntry } from './journal/journal-entry.js';
import type { Resolution } from './resolution.js';
import type { Role } from './roles.js';
import type { RootCause } from './root-cause.js';

/**
 * A case: the work on one discrepancy (its group), told by its events. The case's state is the fold
 * of its events (`apply`), so the audit trail is the case and the stored head only a snapshot of
 * it:
 *
 *   OPEN -> IN_REVIEW -> PROPOSED -> APPROVED -> CLOSED
 *                ^            |
 *                |            v
 *                +------- REJECTED          (a rejected proposal goes back to review for a new one)
 *
 * A case also closes from OPEN, IN_REVIEW or REJECTED once a run finds its group agreeing (the
 * difference is gone; its cause must still be named), and a closed case whose group disagrees again
 * is reopened by the run. Nothing but the run acts on a closed case.
 */
export const CASE_STATES = ['OPEN', 'IN_REVIEW', 'PROPOSED', 'APPROVED', 'REJECTED', 'CLOSED'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STATE_ZH: Readonly<Record<CaseState, string>> = {
  OPEN: '待处理',
  IN_REVIEW: '审查中',
  PROPOSED: '待审批',
  APPROVED: '已审批',
  REJECTED: '已驳回',
  CLOSED: '已关闭',
};

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
  closed?: { at: string; by: string; auto: boolean };
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
  approve: { complete: boolean; comment?: string };
  reject: { reason: string };
  close: { rootCause: RootCause; auto: boolean; reason?: string; comment?: string };
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
      const { proposal: _p, rootCause: _r, closed: _c, held: _h, ...rest } = next;
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
      return {
        ...next,
        state: d.complete ? 'APPROVED' : next.state,
        proposal: {
          ...next.proposal,
          approvals: [...next.proposal.approvals, approval],
          ...(d.complete ? { outcome: 'approved' as const } : {}),
        },
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
      const { held: _held, ...rest } = next;
      return {
        ...rest,
        state: 'CLOSED',
        rootCause: d.rootCause,
        closed: { at: event.at, by: event.actor.username, auto: d.auto },
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
  | { kind: 'link'; link: GroupLink; groupKey: string; approvedAt: string };

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
    case 'approve': {
      const proposal = before?.proposal;
      if (!data({ type: 'approve', data: event.data }).complete || proposal === undefined) return [];
      const effects: CaseEffect[] = [];
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
