import { createHash } from 'node:crypto';
import { checkApproval, checkRejection } from './approval-policy.js';
import type { CaseAction, ActionType } from './case-action.js';
import { ACTION_TYPES } from './case-action.js';
import { casePeriod, primaryType, type CaseFacts } from './case-facts.js';
import {
  dueByOf,
  type Actor,
  type CaseState,
  type CaseWorkflow,
  type EventData,
  type EventDraft,
} from './case-workflow.js';
import type { Resolution } from './resolution.js';
import type { RootCause } from './root-cause.js';
import { isOneSided } from '../diagnosis/suggest-matches.js';
import type { GroupLink } from '../diagnosis/group-links.js';
import { abs, parseDecimal } from '../shared/decimal.js';
import { keyPart } from '../records/group-key.js';
import { buildJournalEntry, inventoryAccount } from './journal/journal-entry.js';
import { hasAnyRole, type Caller, type Role } from './roles.js';
import { approversFor, splitAccount, type WorkflowConfig } from './workflow-config.js';
import type { Result } from '../shared/result.js';

/**
 * The rules of working a case, pure: an action by a caller on a case either becomes the event to
 * append or is refused with the reason, as forbidden (the caller's roles; 403), conflict (the
 * case's state; 409) or invalid (the payload; 400, naming the field).
 */
export interface DecideContext {
  caller: Caller;
  /** ISO 8601 instant of the action. */
  now: string;
  config: WorkflowConfig;
  facts: CaseFacts;
  /** Whether the case's account is frozen now. */
  frozen: boolean;
  caseId: string;
}

export interface Refusal {
  kind: 'forbidden' | 'conflict' | 'invalid';
  code: string;
  message: string;
}

export type Decision = Result<{ event: EventDraft }, { refusal: Refusal }>;

/** Roles that may take each action (approve and reject follow the approval policy instead). */
export const ACTION_ROLES: Readonly<Record<Exclude<ActionType, 'approve' | 'reject'>, readonly Role[]>> = {
  assign: ['finance-reviewer', 'warehouse-lead', 'admin'],
  comment: ['warehouse-lead', 'finance-specialist', 'finance-reviewer', 'it-support', 'admin'],
  'start-review': ['warehouse-lead', 'finance-specialist', 'finance-reviewer', 'it-support', 'admin'],
  propose: ['finance-specialist', 'finance-reviewer', 'admin'],
  close: ['finance-specialist', 'finance-reviewer', 'warehouse-lead', 'admin'],
  freeze: ['finance-reviewer', 'warehouse-lead', 'admin'],
  unfreeze: ['finance-reviewer', 'admin'],
  link: ['finance-specialist', 'finance-reviewer', 'admin'],
};

/** Roles that may export the approved journal entries of a period. */
export const EXPORT_ROLES: readonly Role[] = ['finance-specialist', 'finance-reviewer', 'admin'];

/** The states each action starts from. */
const FROM: Readonly<Record<ActionType, readonly CaseState[]>> = {
  assign: ['OPEN', 'IN_REVIEW', 'PROPOSED', 'AWAITING_BOOKS', 'REJECTED'],
  comment: ['OPEN', 'IN_REVIEW', 'PROPOSED', 'AWAITING_BOOKS', 'REJECTED'],
  'start-review': ['OPEN', 'REJECTED'],
  propose: ['IN_REVIEW'],
  approve: ['PROPOSED'],
  reject: ['PROPOSED'],
  close: ['OPEN', 'IN_REVIEW', 'REJECTED', 'AWAITING_BOOKS'],
  freeze: ['OPEN', 'IN_REVIEW', 'PROPOSED', 'AWAITING_BOOKS', 'REJECTED'],
  unfreeze: ['OPEN', 'IN_REVIEW', 'PROPOSED', 'AWAITING_BOOKS', 'REJECTED'],
  // Accepting a suggestion is a proposal made straight from the discrepancy, reviewed or not.
  link: ['OPEN', 'IN_REVIEW', 'REJECTED'],
};

const refuse = (kind: Refusal['kind'], code: string, message: string): Decision => ({
  ok: false,
  refusal: { kind, code, message },
});

export function actorOf(caller: Caller): Actor {
  return { userId: caller.userId, username: caller.username, roles: [...caller.roles] };
}

/** The account key a freeze holds for this case: `warehouseId|<inventory account code>` (`|` escaped). */
export function accountOf(
  config: WorkflowConfig,
  facts: Pick<CaseFacts, 'warehouseId' | 'wmsTypes' | 'financeTypes'>,
): string {
  const account = inventoryAccount(config, facts.warehouseId, primaryType(facts));
  return `${keyPart(facts.warehouseId)}|${keyPart(splitAccount(account).code)}`;
}

/** `ST-202610-1a2b3c4d-5`: unique per case and proposal, short enough for an ERP voucher number. */
export function entryIdFor(groupKey: string, period: string, seq: number): string {
  const digest = createHash('sha256').update(groupKey, 'utf8').digest('hex').slice(0, 8);
  return `ST-${period.replace('-', '')}-${digest}-${seq}`;
}

/**
 * A person closes a case only once a run has found its group agreeing (the books decide); a
 * difference that stays ends only through an approved accept-difference.
 */
function closeBlock(workflow: CaseWorkflow, facts: CaseFacts): Decision | undefined {
  if (facts.state === 'RESOLVED') return undefined;
  const still = `the group still disagrees (${facts.kind}, ${facts.moneyAtStake} at stake, as run ${facts.runId} found it)`;
  if (workflow.state === 'AWAITING_BOOKS') {
    return refuse(
      'conflict',
      'awaiting_books',
      `approved and waiting for the books: the case closes by itself when a run finds the group agreeing; ${still}`,
    );
  }
  return refuse(
    'conflict',
    'difference_persists',
    `${still}: a case closes once a run finds its group agreeing; to end it with the difference, propose accept-difference`,
  );
}

/** The checks every action passes before its payload is looked at: the case, the caller, the state. */
function guard(
  workflow: CaseWorkflow,
  type: ActionType,
  ctx: DecideContext,
  version?: number,
): Decision | undefined {
  if (workflow.state === 'CLOSED' || workflow.state === 'ACCEPTED') {
    return refuse(
      'conflict',
      'case_closed',
      `the case is ${workflow.state}: no ${type} on it (a run reopens it if its group disagrees again)`,
    );
  }
  if (version !== undefined && version !== workflow.version) {
    return refuse(
      'conflict',
      'version_conflict',
      `version: the case is at version ${workflow.version}, not ${version}; read it again`,
    );
  }
  const { caller } = ctx;
  if (caller.roles.length === 0) {
    return refuse('forbidden', 'no_role', `${caller.username} holds no Stocktally role`);
  }
  if (type !== 'approve' && type !== 'reject') {
    const roles = ACTION_ROLES[type];
    const mayAssign = type === 'assign' && caller.username === workflow.owner;
    if (!hasAnyRole(caller, roles) && !mayAssign) {
      return refuse('forbidden', 'role_required', `${type} needs one of the roles ${roles.join(', ')}`);
    }
  }
  if (!FROM[type].includes(workflow.state)) {
    return refuse(
      'conflict',
      'invalid_transition',
      `${type} is not possible on a ${workflow.state} case (from ${FROM[type].join(', ')})`,
    );
  }
  const proposal = workflow.proposal;
  if ((type === 'approve' || type === 'reject') && proposal !== undefined) {
    const check = type === 'approve' ? checkApproval(proposal, caller) : checkRejection(proposal, caller);
    if (!check.ok) return refuse(check.kind, check.code, check.message);
  }
  if (type === 'close') return closeBlock(workflow, ctx.facts);
  if (type === 'propose' && ctx.frozen) {
    return refuse(
      'conflict',
      'account_frozen',
      `the account ${accountOf(ctx.config, ctx.facts)} is frozen: no new proposal on its cases until it is unfrozen`,
    );
  }
  if (type === 'freeze' && ctx.frozen)
    return refuse('conflict', 'already_frozen', 'the account is frozen already');
  if (type === 'unfreeze' && !ctx.frozen)
    return refuse('conflict', 'not_frozen', 'the account is not frozen');
  return undefined;
}

/** The actions `caller` could take on the case now (payloads aside): what a dashboard offers. */
export function allowedActions(workflow: CaseWorkflow, ctx: DecideContext): ActionType[] {
  return ACTION_TYPES.filter((type) => guard(workflow, type, ctx) === undefined);
}

const draft = (ctx: DecideContext, type: EventDraft['type'], data: Record<string, unknown>): Decision => ({
  ok: true,
  event: { type, at: ctx.now, actor: actorOf(ctx.caller), data },
});

const defined = <T extends Record<string, unknown>>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The larger of the entry's total and the money at stake, as the proposal shows it. */
export function approvalAmount(entryTotal: string | undefined, moneyAtStake: string): string {
  const stake = parseDecimal(moneyAtStake);
  const entry = entryTotal === undefined ? undefined : parseDecimal(entryTotal);
  if (entry === undefined || !entry.ok) return moneyAtStake;
  if (!stake.ok) return entryTotal ?? moneyAtStake;
  return abs(entry.value) > abs(stake.value) ? (entryTotal ?? moneyAtStake) : moneyAtStake;
}

/**
 * A link (CONTRACT §11) names the other side's group in the same warehouse: the finance group's
 * records then reconcile under the WMS group's key. Both groups must be one-sided, on two sides.
 */
function linkOf(facts: CaseFacts, target: { documentRef: string; sku: string }): GroupLink | Refusal {
  const invalid = (message: string): Refusal => ({ kind: 'invalid', code: 'invalid_link', message });
  if (!isOneSided(facts)) {
    return invalid(`resolution: only a one-sided discrepancy links to another group (this is ${facts.kind})`);
  }
  if (target.documentRef === facts.documentRef && target.sku === facts.sku) {
    return invalid('resolution.documentRef: a group cannot link to itself');
  }
  const self = { sku: facts.sku, documentRef: facts.documentRef };
  const other = { sku: target.sku, documentRef: target.documentRef };
  const selfIsWms = facts.wmsEventIds.length > 0;
  return selfIsWms
    ? { warehouseId: facts.warehouseId, from: other, to: self }
    : { warehouseId: facts.warehouseId, from: self, to: other };
}

/** A proposal: its journal entry (none for accept-timing and link), the approvals it needs. */
function proposal(
  workflow: CaseWorkflow,
  ctx: DecideContext,
  resolution: Resolution,
  rootCause: RootCause | undefined,
  comment: string | undefined,
): Decision {
  let link: GroupLink | undefined;
  if (resolution.action === 'link') {
    const found = linkOf(ctx.facts, resolution);
    if ('kind' in found) return { ok: false, refusal: found };
    link = found;
  }
  const seq = workflow.version + 1;
  const built = buildJournalEntry(resolution, ctx.facts, ctx.config, {
    entryId: entryIdFor(workflow.groupKey, casePeriod(ctx.facts), seq),
    caseId: ctx.caseId,
  });
  if (!built.ok) return refuse('invalid', 'invalid_resolution', `${built.field}: ${built.reason}`);
  // Maker-checker follows what is really at stake: a small voucher on a RED case still needs
  // the RED approvals, and an entry moving more than the difference needs its own tier.
  const amount = approvalAmount(built.entry?.total, ctx.facts.moneyAtStake);
  const parsed = parseDecimal(amount);
  const requirements = approversFor(ctx.config, parsed.ok ? parsed.value : 0n);
  return draft(
    ctx,
    'propose',
    defined({ resolution, rootCause, entry: built.entry, amount, requirements, comment, link }),
  );
}

/**
 * What a complete approval settles: the difference accepted (accept-difference, as the facts show
 * it now), or the day the books are due to agree by.
 */
function settlement(
  action: Resolution['action'],
  complete: boolean,
  ctx: DecideContext,
): Pick<EventData['approve'], 'dueBy' | 'accepted'> {
  if (!complete) return {};
  if (action === 'accept-difference') {
    const { kind, moneyAtStake, firstSeen } = ctx.facts;
    return { accepted: { kind, moneyAtStake, firstSeen } };
  }
  return { dueBy: dueByOf(ctx.now, ctx.config.awaitingBooksDays) };
}

export function decide(workflow: CaseWorkflow, action: CaseAction, ctx: DecideContext): Decision {
  const blocked = guard(workflow, action.type, ctx, action.version);
  if (blocked !== undefined) return blocked;
  const account = accountOf(ctx.config, ctx.facts);
  switch (action.type) {
    case 'assign':
      if (action.owner === workflow.owner) {
        return refuse('conflict', 'already_owner', `${action.owner} owns the case already`);
      }
      return draft(ctx, 'assign', { owner: action.owner, from: workflow.owner });
    case 'comment':
      return draft(ctx, 'comment', { text: action.text });
    case 'start-review':
      return draft(ctx, 'start-review', defined({ comment: action.comment }));
    case 'link':
      return proposal(
        workflow,
        ctx,
        { action: 'link', documentRef: action.documentRef, sku: action.sku },
        action.rootCause ?? { code: 'wrong-reference' },
        action.comment,
      );
    case 'propose':
      if (action.resolution.action === 'accept-difference' && ctx.facts.state === 'RESOLVED') {
        return refuse(
          'conflict',
          'no_difference',
          'the group agrees: there is no difference to accept; close the case with its root cause instead',
        );
      }
      return proposal(workflow, ctx, action.resolution, action.rootCause, action.comment);
    case 'approve': {
      const proposal = workflow.proposal;
      if (proposal === undefined)
        return refuse('conflict', 'no_proposal', 'the case has no proposal to approve');
      const check = checkApproval(proposal, ctx.caller);
      if (!check.ok) return refuse(check.kind, check.code, check.message);
      return draft(
        ctx,
        'approve',
        defined({
          complete: check.complete,
          comment: action.comment,
          ...settlement(proposal.resolution.action, check.complete, ctx),
        }),
      );
    }
    case 'reject':
      return draft(ctx, 'reject', { reason: action.reason });
    case 'close': {
      const rootCause = action.rootCause ?? workflow.rootCause;
      if (rootCause === undefined) {
        return refuse(
          'invalid',
          'root_cause_required',
          'rootCause: a case closes only with its root cause ({ "code": "late-posting" | ... })',
        );
      }
      return draft(ctx, 'close', defined({ rootCause, auto: false, comment: action.comment }));
    }
    case 'freeze':
      return draft(ctx, 'freeze', { account, reason: action.reason });
    case 'unfreeze':
      return draft(ctx, 'unfreeze', defined({ account, reason: action.reason }));
  }
}
