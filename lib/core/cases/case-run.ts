import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { accountOf } from './case-decide.js';
import { casePeriod, toCaseFacts, type CaseFacts } from './case-facts.js';
import { SYSTEM_ACTOR, type CaseWorkflow, type EventDraft } from './case-workflow.js';
import type { RunDiscrepancy } from '../runs/run-events.js';
import { ownerFor, type WorkflowConfig } from './workflow-config.js';

/**
 * What a run does to the cases, pure: every discrepancy it finds has a case (opened on first
 * sight, never made twice), every case shows the latest facts the runs know, and the books decide
 * when a case ends (CONTRACT section 8):
 *
 * - a case AWAITING_BOOKS (its resolution approved) closes by itself when the run finds its group
 *   agreeing, the close naming the run; so does an OPEN TIMING_LAG nobody has started on (the lag
 *   cleared, as lags do), with late posting as its cause;
 * - a CLOSED case whose group disagrees again is reopened, and so is an ACCEPTED one whose group
 *   shows another difference than the one accepted (a new occurrence, another kind or amount).
 * - either case of an approved link (CONTRACT §11) closes when the run reconciles the two groups
 *   as one and finds them agreeing;
 *
 * While the case's account is frozen a close is held instead (a `hold` event); unfreezing the
 * account closes the held cases whose group still agrees. Every other case waits for a person, even
 * when its group agrees now: its cause must be named.
 */
export interface CaseSnapshot {
  workflow: CaseWorkflow;
  facts: CaseFacts;
  factsHash: string;
}

export interface CasePlan {
  groupKey: string;
  facts: CaseFacts;
  factsHash: string;
  /** The facts differ from the stored ones (or the case is new). */
  writeFacts: boolean;
  /** Events to append, in order; the first event of a new case is its `open`. */
  events: EventDraft[];
  create: boolean;
}

export interface RunCaseContext {
  config: WorkflowConfig;
  runId: string;
  /** ISO 8601 instant the events are dated. */
  now: string;
  /** Account keys frozen now (accountOf). */
  frozen: ReadonlySet<string>;
  /** Group keys of approved links (CONTRACT §11): both groups of each. */
  linked?: ReadonlySet<string>;
}

/** The facts' fingerprint, their source run aside: an unchanged group is not written again. */
export function factsHash(facts: CaseFacts): string {
  const { runId: _runId, ...rest } = facts;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/**
 * Whether the run may close this case by itself once its group agrees. `linked` holds the groups
 * of approved links (CONTRACT §11): the other group of a link closes with it, unless a person has
 * a proposal of their own waiting on it.
 */
export function closesByItself(
  workflow: CaseWorkflow,
  facts: Pick<CaseFacts, 'kind'>,
  linked: ReadonlySet<string> = new Set(),
): boolean {
  return (
    workflow.state === 'AWAITING_BOOKS' ||
    (workflow.state === 'OPEN' && facts.kind === 'TIMING_LAG') ||
    (linked.has(workflow.groupKey) &&
      workflow.state !== 'PROPOSED' &&
      workflow.state !== 'CLOSED' &&
      workflow.state !== 'ACCEPTED')
  );
}

function autoClose(
  workflow: CaseWorkflow,
  now: string,
  runId: string,
  reason: string,
  linked = false,
): EventDraft {
  const cause = workflow.rootCause ?? { code: linked ? 'wrong-reference' : 'late-posting' };
  return {
    type: 'close',
    at: now,
    actor: SYSTEM_ACTOR,
    data: { rootCause: cause, auto: true, reason, runId },
  };
}

/**
 * The close (or, while the account is frozen, the hold) of a case whose group the run `runId` found
 * agreeing; undefined when the case waits for a person, or is held already.
 */
export function settleIfAgreeing(
  workflow: CaseWorkflow,
  facts: CaseFacts,
  ctx: {
    runId: string;
    now: string;
    frozen: boolean;
    account: string;
    linked?: ReadonlySet<string> | undefined;
  },
): EventDraft | undefined {
  if (facts.state !== 'RESOLVED' || !closesByItself(workflow, facts, ctx.linked)) return undefined;
  const linked = ctx.linked?.has(workflow.groupKey) === true;
  if (!ctx.frozen) {
    const reason = linked
      ? `run ${ctx.runId} reconciled the linked groups as one and found them agreeing`
      : `run ${ctx.runId} found the group agreeing`;
    return autoClose(workflow, ctx.now, ctx.runId, reason, linked);
  }
  if (workflow.held !== undefined) return undefined;
  return {
    type: 'hold',
    at: ctx.now,
    actor: SYSTEM_ACTOR,
    data: { account: ctx.account, runId: ctx.runId },
  };
}

/** Whether a run showing `shown` reopens the case: its group disagrees again after it ended. */
export function reopens(
  workflow: CaseWorkflow,
  shown: Pick<RunDiscrepancy, 'state' | 'kind' | 'moneyAtStake' | 'firstSeen'>,
): boolean {
  if (shown.state === 'RESOLVED') return false;
  if (workflow.state === 'CLOSED') return true;
  const accepted = workflow.accepted;
  if (workflow.state !== 'ACCEPTED' || accepted === undefined) return false;
  return (
    accepted.firstSeen !== shown.firstSeen ||
    accepted.kind !== shown.kind ||
    accepted.moneyAtStake !== shown.moneyAtStake
  );
}

export function planRunCases(
  discrepancies: readonly RunDiscrepancy[],
  existing: ReadonlyMap<string, CaseSnapshot>,
  ctx: RunCaseContext,
): CasePlan[] {
  const plans: CasePlan[] = [];
  for (const shown of discrepancies) {
    const facts = toCaseFacts(shown, ctx.runId);
    const hash = factsHash(facts);
    const known = existing.get(shown.groupKey);
    if (known === undefined) {
      if (shown.state === 'RESOLVED') continue;
      const open: EventDraft = {
        type: 'open',
        at: ctx.now,
        actor: SYSTEM_ACTOR,
        data: {
          owner: ownerFor(ctx.config, shown.warehouseId),
          runId: ctx.runId,
          kind: shown.kind,
          severity: shown.severity,
          moneyAtStake: shown.moneyAtStake,
          period: casePeriod(shown),
        },
      };
      plans.push({
        groupKey: shown.groupKey,
        facts,
        factsHash: hash,
        writeFacts: true,
        events: [open],
        create: true,
      });
      continue;
    }
    const { workflow } = known;
    const events: EventDraft[] = [];
    if (reopens(workflow, shown)) {
      events.push({
        type: 'reopen',
        at: ctx.now,
        actor: SYSTEM_ACTOR,
        data: { runId: ctx.runId, firstSeen: shown.firstSeen },
      });
    }
    const account = accountOf(ctx.config, facts);
    const settle = settleIfAgreeing(workflow, facts, {
      runId: ctx.runId,
      now: ctx.now,
      frozen: ctx.frozen.has(account),
      account,
      linked: ctx.linked,
    });
    if (settle !== undefined) events.push(settle);
    const writeFacts = hash !== known.factsHash;
    if (writeFacts || events.length > 0) {
      plans.push({ groupKey: shown.groupKey, facts, factsHash: hash, writeFacts, events, create: false });
    }
  }
  return plans;
}

/** The close of a held case once its account is unfrozen, if its group still agrees. */
export function releaseHeld(
  workflow: CaseWorkflow,
  facts: CaseFacts,
  now: string,
  by: string,
): EventDraft | undefined {
  if (workflow.held === undefined || facts.state !== 'RESOLVED' || !closesByItself(workflow, facts))
    return undefined;
  return autoClose(
    workflow,
    now,
    facts.runId,
    `account ${workflow.held.account} unfrozen by ${by}; run ${facts.runId} found the group agreeing`,
  );
}
