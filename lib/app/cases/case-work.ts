import { verifyChain, type ChainedEvent } from '../../core/cases/audit-chain.js';
import type { CaseView, Trail } from '../../api/cases.js';

export type { CaseView, Trail } from '../../api/cases.js';
import type { CaseAction } from '../../core/cases/case-action.js';
import {
  accountOf,
  allowedActions,
  decide,
  EXPORT_ROLES,
  type Refusal,
} from '../../core/cases/case-decide.js';
import { casePeriod, primaryType } from '../../core/cases/case-facts.js';
import { inventoryAccount } from '../../core/cases/journal/journal-entry.js';
import { MOVEMENT_TYPES } from '../../core/records/movement-type.js';
import { caseIdOf } from '../../core/cases/case-id.js';
import { awaitingBooks } from '../../core/cases/awaiting-books.js';
import { planRunCases, releaseHeld, settleIfAgreeing } from '../../core/cases/case-run.js';
import { CASE_STATE_ZH, type EventDraft } from '../../core/cases/case-workflow.js';
import { closeCheck, type CloseCheck } from '../../core/cases/close-check.js';
import { ageBucket, ageDays } from '../../core/runs/lifecycle.js';
import type { RunDiscrepancy } from '../../core/runs/run-events.js';
import { hasAnyRole, type Caller } from '../../core/cases/roles.js';
import { accountsFor, splitAccount, type WorkflowConfig } from '../../core/cases/workflow-config.js';
import type { ApprovedEntry, CaseRepository, Freeze, StoredCase } from '../../core/cases/ports.js';
import { ForbiddenError } from '../../errors/access.js';
import { CaseConflictError, CaseNotFoundError } from '../../errors/cases.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import type { GroupLink } from '../../core/diagnosis/group-links.js';

/**
 * The exception workflow's work on top of the case store: a person's action on a case, what a run
 * does to the cases, the journal export, the trail and the period-close gate. The rules are the
 * core's (case-decide.ts, case-run.ts, close-check.ts); this reads, decides and appends.
 */

export interface ViewContext {
  caller: Caller;
  config: WorkflowConfig;
  freezes: ReadonlyMap<string, Freeze>;
  now: Date;
}

export function caseView(stored: StoredCase, ctx: ViewContext): CaseView {
  const { workflow, facts } = stored;
  const account = accountOf(ctx.config, facts);
  const freeze = ctx.freezes.get(account);
  const caseId = caseIdOf(workflow.groupKey);
  const awaiting = awaitingBooks(workflow, ctx.now.toISOString());
  return {
    caseId,
    groupKey: workflow.groupKey,
    state: workflow.state,
    stateZh: CASE_STATE_ZH[workflow.state],
    owner: workflow.owner,
    version: workflow.version,
    openedAt: workflow.openedAt,
    updatedAt: workflow.updatedAt,
    warehouseId: facts.warehouseId,
    sku: facts.sku,
    documentRef: facts.documentRef,
    kind: facts.kind,
    severity: facts.severity,
    period: casePeriod(facts),
    moneyAtStake: facts.moneyAtStake,
    firstSeen: facts.firstSeen,
    ageDays: ageDays(facts.firstSeen, ctx.now.toISOString()),
    ageBucket: ageBucket(facts.firstSeen, ctx.now.toISOString()),
    facts,
    proposal: workflow.proposal ?? null,
    rootCause: workflow.rootCause ?? null,
    closed: workflow.closed ?? null,
    awaiting: awaiting ?? null,
    overdue: awaiting?.overdue ?? false,
    accepted: workflow.accepted ?? null,
    held: workflow.held ?? null,
    account: {
      key: account,
      ...splitAccount(inventoryAccount(ctx.config, facts.warehouseId, primaryType(facts))),
      bookings: {
        byType: Object.fromEntries(
          MOVEMENT_TYPES.map((type) => [type, accountsFor(ctx.config, facts.warehouseId, type)]),
        ) as CaseView['account']['bookings']['byType'],
        suspense: ctx.config.accounts.suspense,
        writeOff: ctx.config.accounts.writeOff,
      },
      frozen:
        freeze === undefined
          ? null
          : { account, groupKey: freeze.groupKey, by: freeze.by, at: freeze.at, reason: freeze.reason },
    },
    comments: workflow.comments,
    exports: workflow.exports,
    allowedActions: allowedActions(workflow, {
      caller: ctx.caller,
      now: ctx.now.toISOString(),
      config: ctx.config,
      facts,
      frozen: freeze !== undefined,
      caseId,
    }),
  };
}

function refusalError(refusal: Refusal): Error {
  switch (refusal.kind) {
    case 'forbidden':
      return new ForbiddenError(refusal.code, refusal.message);
    case 'conflict':
      return new CaseConflictError(refusal.code, refusal.message);
    case 'invalid':
      return new InvalidRequestError(refusal.message);
  }
}

export async function findCase(
  store: CaseRepository,
  config: WorkflowConfig,
  groupKey: string,
): Promise<StoredCase> {
  const stored = await store.getCase(groupKey, (facts) => accountOf(config, facts));
  if (stored === undefined) throw new CaseNotFoundError(`no case ${caseIdOf(groupKey)} (${groupKey})`);
  return stored;
}

/**
 * A person's action on a case: decided by the core rules on the case as it is now, appended to
 * its trail (409 when someone else's event got there first). An approval of a case whose group a
 * run already found agreeing closes it at once (the close names that run). Unfreezing an account
 * also closes the cases whose automatic close it held, where their group still agrees; the approval
 * that completes a link hands the link to `onLink` (the partitions of its groups are read again).
 */
export async function actOnCase(
  store: CaseRepository,
  config: WorkflowConfig,
  groupKey: string,
  action: CaseAction,
  caller: Caller,
  now: Date,
  onLink?: (link: GroupLink) => Promise<void>,
): Promise<{ stored: StoredCase; event: ChainedEvent; released: string[] }> {
  const stored = await findCase(store, config, groupKey);
  const freezes = await store.freezes();
  const account = accountOf(config, stored.facts);
  const decision = decide(stored.workflow, action, {
    caller,
    now: now.toISOString(),
    config,
    facts: stored.facts,
    frozen: freezes.has(account),
    caseId: caseIdOf(groupKey),
  });
  if (!decision.ok) throw refusalError(decision.refusal);
  const { stored: acted, event } = await store.append(stored, decision.event, account);
  let after = acted;
  // Approved after a run had already found the group agreeing: the books agree, it closes now.
  const settle =
    action.type === 'approve'
      ? settleIfAgreeing(after.workflow, after.facts, {
          runId: after.facts.runId,
          now: now.toISOString(),
          frozen: freezes.has(account),
          account,
        })
      : undefined;
  if (settle !== undefined) after = (await store.append(after, settle, account)).stored;
  // The last approval of a link: the runs must look at both groups again (CONTRACT §11).
  const link = after.workflow.proposal?.link;
  if (
    action.type === 'approve' &&
    event.type === 'approve' &&
    link !== undefined &&
    after.workflow.state !== 'PROPOSED'
  ) {
    await onLink?.(link);
  }
  const released: string[] = [];
  if (action.type === 'unfreeze') {
    for (const held of freezes.get(account)?.held ?? []) {
      const other = await store.getCase(held, (facts) => accountOf(config, facts));
      if (other === undefined) continue;
      const draft = releaseHeld(other.workflow, other.facts, now.toISOString(), caller.username);
      if (draft === undefined) continue;
      try {
        await store.append(other, draft, accountOf(config, other.facts));
        released.push(held);
      } catch (error) {
        // Someone acted on that case meanwhile; it stays with them.
        if (!(error instanceof CaseConflictError)) throw error;
      }
    }
  }
  return { stored: after, event, released };
}

/** Appends a system event, reading the case again when another writer got there first. */
async function appendWithRetry(
  store: CaseRepository,
  config: WorkflowConfig,
  groupKey: string,
  draftFor: (stored: StoredCase) => EventDraft | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await store.getCase(groupKey, (facts) => accountOf(config, facts));
    if (stored === undefined) return false;
    const draft = draftFor(stored);
    if (draft === undefined) return false;
    try {
      await store.append(stored, draft, accountOf(config, stored.facts));
      return true;
    } catch (error) {
      if (!(error instanceof CaseConflictError) || attempt === 4) throw error;
    }
  }
  return false;
}

export interface RunCaseCounts {
  opened: number;
  factsUpdated: number;
  events: number;
}

/**
 * What a run does to the cases of the discrepancies it wrote (case-run.ts): opens the new ones,
 * gives every case the latest facts, reopens, closes or holds where the rules say. Idempotent: a
 * retried task finds its cases opened and its events appended, and plans nothing new.
 */
export async function applyRunToCases(
  store: CaseRepository,
  config: WorkflowConfig,
  discrepancies: readonly RunDiscrepancy[],
  runId: string,
  now: Date,
  options: { linked?: ReadonlySet<string> } = {},
): Promise<RunCaseCounts> {
  const counts: RunCaseCounts = { opened: 0, factsUpdated: 0, events: 0 };
  if (discrepancies.length === 0) return counts;
  const existing = await store.getCases(discrepancies.map((d) => d.groupKey));
  const frozen = new Set((await store.freezes()).keys());
  const context = { config, runId, now: now.toISOString(), frozen, linked: options.linked };
  const plans = planRunCases(discrepancies, existing, context);
  const byGroup = new Map(discrepancies.map((d) => [d.groupKey, d]));
  await mapInFlight(plans, 8, async (plan) => {
    if (plan.create) {
      const [open] = plan.events;
      if (open === undefined) return;
      const { stored, created } = await store.open(plan.facts, plan.factsHash, open);
      if (created) counts.opened += 1;
      else if (stored.factsHash !== plan.factsHash) await store.writeFacts(plan.facts, plan.factsHash);
      return;
    }
    if (plan.writeFacts) {
      await store.writeFacts(plan.facts, plan.factsHash);
      counts.factsUpdated += 1;
    }
    const shown = byGroup.get(plan.groupKey);
    if (plan.events.length === 0 || shown === undefined) return;
    // Planned again on the case as it is when appended: another writer may have moved it meanwhile.
    const appended = await appendWithRetry(store, config, plan.groupKey, (stored) => {
      const [again] = planRunCases([shown], new Map([[plan.groupKey, stored]]), context);
      return again?.events[0];
    });
    if (appended) counts.events += 1;
  });
  return counts;
}

/** The approved entries of a period; exporting them appends an `export` event to each case. */
export async function exportJournal(
  store: CaseRepository,
  config: WorkflowConfig,
  period: string,
  format: 'csv' | 'json',
  caller: Caller,
  now: Date,
): Promise<ApprovedEntry[]> {
  if (!hasAnyRole(caller, EXPORT_ROLES)) {
    throw new ForbiddenError(
      'role_required',
      `exporting journal entries needs one of the roles ${EXPORT_ROLES.join(', ')}`,
    );
  }
  const entries = (await store.journal(period)).sort((a, b) => (a.entry.entryId < b.entry.entryId ? -1 : 1));
  for (const approved of entries) {
    await appendWithRetry(store, config, approved.entry.groupKey, () => ({
      type: 'export',
      at: now.toISOString(),
      actor: { userId: caller.userId, username: caller.username, roles: [...caller.roles] },
      data: { period, format, entryId: approved.entry.entryId },
    }));
  }
  return entries;
}

export async function trailOf(store: CaseRepository, groupKey: string): Promise<Trail> {
  const [events, head] = await Promise.all([store.eventsOf(groupKey), store.headOf(groupKey)]);
  if (events.length === 0 && head === undefined) {
    throw new CaseNotFoundError(`no case ${caseIdOf(groupKey)} (${groupKey})`);
  }
  const check = verifyChain(groupKey, events, head);
  return {
    caseId: caseIdOf(groupKey),
    groupKey,
    events,
    verified: check.verified,
    ...(check.verified ? {} : { brokenAt: check.brokenAt }),
  };
}

export async function periodCloseCheck(store: CaseRepository, period: string): Promise<CloseCheck> {
  const cases = await store.casesOfPeriod(period);
  return closeCheck(
    period,
    cases.map((c) => ({
      caseId: c.caseId,
      groupKey: c.workflow.groupKey,
      state: c.workflow.state,
      severity: c.facts.severity,
      owner: c.workflow.owner,
      moneyAtStake: c.facts.moneyAtStake,
    })),
  );
}
