import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { chain, type ChainedEvent } from '../../core/cases/audit-chain.js';
import type { CaseFacts } from '../../core/cases/case-facts.js';
import { caseChain } from '../../core/ingest/audit-digest.js';
import { caseIdOf } from '../../core/cases/case-id.js';
import {
  apply,
  effectsOf,
  type CaseEffect,
  type CaseWorkflow,
  type EventDraft,
} from '../../core/cases/case-workflow.js';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';
import { linkFromKey, type GroupLink } from '../../core/diagnosis/group-links.js';
import { causeFeatures, type CauseExample, type CauseFeatures } from '../../core/diagnosis/predict-cause.js';
import type { DigestLog } from '../ingest/digest-log.js';
import { CaseConflictError } from '../../errors/cases.js';
import { currentTime } from '../aws/clock.js';
import { AwaitingRegistry } from './awaiting-registry.js';
import {
  caseKey,
  eventItem,
  eventKey,
  eventOf,
  factAttributes,
  HEAD,
  isConditionFailure,
  isOpen,
  json,
  LIST,
  n,
  OPEN_CONDITION,
  OPEN_SEVERITY,
  OPEN_VALUES,
  s,
  storedOf,
  workflowAttributes,
} from './case-items.js';
import { CaseFreezes } from './case-freezes.js';
import { CaseJournal } from './case-journal.js';
import { CaseQueries } from './case-queries.js';
import type {
  ApprovedEntry,
  AwaitingEntry,
  CaseFilter,
  CaseRepository,
  Freeze,
  OpenCasesSummary,
  StoredCase,
} from '../../core/cases/ports.js';

/**
 * Cases in DynamoDB (layout: CASES_TABLE and CASE_EVENTS_TABLE in lib/declarations/tables.ts;
 * items: case-items.ts). The events are the truth and are only ever added: each with a conditional
 * put on its own sequence number (`attribute_not_exists`), so of two writers acting on the same
 * version one wins and the other is told the case moved on (409), and no code path updates or
 * deletes an event. The head is a snapshot of the fold of the events, updated after the event with
 * a condition on its version. Without transactions (dynalite has none), an append is: put the event,
 * carry out its effects (freezes, the journal, the awaiting registry; each idempotent), update the
 * head. A writer that stops in between leaves a head that lags its events; the next read rolls it
 * forward, effects included.
 *
 * This file is the event chain and the heads; the other jobs are their own files, reached through
 * `queries`, `freezeRegistry`, `journalEntries` and `awaiting` (and the few shortcuts below).
 */
export type {
  ApprovedEntry,
  CaseFilter,
  Freeze,
  OpenCasesSummary,
  OpenSeverity,
  StoredCase,
} from '../../core/cases/ports.js';

export interface CaseStoreOptions {
  client: DynamoDBClient;
  casesTable: string;
  eventsTable: string;
  retry?: RetryPolicy;
  /** Where each event appended is anchored (issue 16); without it nothing is anchored. */
  digests?: DigestLog | undefined;
}

/** Approved links (CONTRACT §11), one item per linked finance group: `pk link`, `sk` its key. */
const LINK = 'link';
/** Closed cases' facts and causes, what predicted causes learn from: `pk cause`, `sk` closedAt#key. */
const CAUSE = 'cause';
/** The newest closed cases a prediction learns from. */
const CAUSE_EXAMPLES = 5000;
export class CaseStore implements CaseRepository {
  private readonly cases: DynamoBatch;
  private readonly events: DynamoBatch;

  private readonly digests: DigestLog | undefined;
  readonly queries: CaseQueries;
  readonly freezeRegistry: CaseFreezes;
  readonly journalEntries: CaseJournal;
  readonly awaiting: AwaitingRegistry;

  constructor(options: CaseStoreOptions) {
    this.cases = new DynamoBatch(options.client, options.casesTable, options.retry);
    this.events = new DynamoBatch(options.client, options.eventsTable, options.retry);
    this.digests = options.digests;
    this.queries = new CaseQueries(this.cases, this.events);
    this.freezeRegistry = new CaseFreezes(this.cases);
    this.journalEntries = new CaseJournal(this.cases);
    this.awaiting = new AwaitingRegistry(this.cases);
  }

  private get client(): DynamoDBClient {
    return this.cases.client;
  }

  /** Every event of a case, in sequence order. */
  async eventsOf(groupKey: string, afterSeq = 0): Promise<ChainedEvent[]> {
    const items = await this.events.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': s(caseKey(groupKey)), ':after': s(eventKey(afterSeq)) },
      ConsistentRead: true,
    });
    return items.map(eventOf);
  }

  /** The head item as stored (version, lastHash), for the audit; undefined when there is none. */
  async headOf(groupKey: string): Promise<{ version: number; lastHash: string } | undefined> {
    const { Item } = await this.cases.send('GetItem', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.cases.table,
          Key: { pk: s(caseKey(groupKey)), sk: s(HEAD) },
          ProjectionExpression: 'version, lastHash',
          ConsistentRead: true,
        }),
      ),
    );
    if (Item === undefined) return undefined;
    return { version: Number(Item.version?.N ?? 0), lastHash: Item.lastHash?.S ?? '' };
  }

  /**
   * A case as of its last event: the head, rolled forward over events a writer appended without
   * getting to the head (their effects carried out again); undefined when there is no such case.
   */
  async getCase(groupKey: string, account?: (facts: CaseFacts) => string): Promise<StoredCase | undefined> {
    const { Item } = await this.cases.send('GetItem', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.cases.table,
          Key: { pk: s(caseKey(groupKey)), sk: s(HEAD) },
          ConsistentRead: true,
        }),
      ),
    );
    const stored = storedOf(Item);
    if (stored === undefined) return undefined;
    const later = await this.eventsOf(groupKey, stored.workflow.version);
    if (later.length === 0) return stored;
    let workflow = stored.workflow;
    for (const event of later) {
      // Only a link that continues the chain is folded; a broken one is the audit's to report.
      if (event.seq !== workflow.version + 1 || event.prevHash !== workflow.lastHash) break;
      await this.carryOut(effectsOf(workflow, event, account?.(stored.facts) ?? ''));
      workflow = apply(workflow, event);
    }
    if (workflow.version === stored.workflow.version) return stored;
    await this.updateHead(stored.workflow.version, workflow);
    return { ...stored, workflow };
  }

  /** The heads of these groups' cases as stored, for a run (no roll-forward: a lost race retries). */
  async getCases(groupKeys: readonly string[]): Promise<Map<string, StoredCase>> {
    const found = new Map<string, StoredCase>();
    const unique = [...new Set(groupKeys)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Item[] = unique.slice(i, i + 100).map((g) => ({ pk: s(caseKey(g)), sk: s(HEAD) }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0)
          await this.cases.pause(attempt, 'BatchGetItem', `${keys.length} keys left unprocessed`);
        const answer = await this.cases.send('BatchGetItem', () =>
          this.client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.cases.table]: { Keys: keys, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of answer.Responses?.[this.cases.table] ?? []) {
          const stored = storedOf(item);
          if (stored !== undefined) found.set(stored.workflow.groupKey, stored);
        }
        keys = answer.UnprocessedKeys?.[this.cases.table]?.Keys ?? [];
      }
    }
    return found;
  }

  /**
   * Opens a case: its `open` event and its head, each only if absent. Doing it again (a retried
   * run task, or two runs at once) finds the case and leaves it as it is.
   */
  async open(
    facts: CaseFacts,
    factsHash: string,
    draft: EventDraft,
  ): Promise<{ stored: StoredCase; created: boolean }> {
    const event = chain(undefined, { ...draft, groupKey: facts.groupKey });
    try {
      await this.putEvent(event);
    } catch (error) {
      if (!(error instanceof CaseConflictError)) throw error;
      const existing = await this.getCase(facts.groupKey);
      if (existing !== undefined) return { stored: existing, created: false };
      // The event is there without its head (a writer stopped in between): build the head from it.
      return {
        stored: await this.createHead(facts, factsHash, await this.eventsOf(facts.groupKey)),
        created: false,
      };
    }
    return { stored: await this.createHead(facts, factsHash, [event]), created: true };
  }

  private async createHead(
    facts: CaseFacts,
    factsHash: string,
    events: readonly ChainedEvent[],
  ): Promise<StoredCase> {
    let workflow: CaseWorkflow | undefined;
    for (const e of events) workflow = apply(workflow, e);
    if (workflow === undefined) throw new Error(`case ${facts.groupKey} has no events`);
    try {
      await this.cases.send('PutItem', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.cases.table,
            Item: {
              pk: s(caseKey(facts.groupKey)),
              sk: s(HEAD),
              lpk: s(LIST),
              lsk: s(`${workflow.openedAt}#${facts.groupKey}`),
              ...workflowAttributes(workflow),
              ...factAttributes(facts, factsHash),
              ...(isOpen(workflow.state) ? { [OPEN_SEVERITY]: s(facts.severity) } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getCase(facts.groupKey);
      if (existing !== undefined) return existing;
    }
    return { caseId: caseIdOf(facts.groupKey), workflow, facts, factsHash };
  }

  /**
   * Appends one event to a case read a moment ago: 409 when another event took its place first.
   * `account` is the case's freeze key, for the effects that need it.
   */
  async append(
    current: StoredCase,
    draft: EventDraft,
    account: string,
  ): Promise<{ stored: StoredCase; event: ChainedEvent }> {
    const { workflow } = current;
    const event = chain(
      { seq: workflow.version, hash: workflow.lastHash },
      { ...draft, groupKey: workflow.groupKey },
    );
    await this.putEvent(event);
    await this.carryOut(effectsOf(workflow, event, account));
    const next = apply(workflow, event);
    if (next.state === 'CLOSED' && next.rootCause !== undefined) {
      await this.putCauseExample(current.facts, next.rootCause.code, event.at);
    }
    await this.updateHead(workflow.version, next);
    return { stored: { ...current, workflow: next }, event };
  }

  private async putEvent(event: ChainedEvent): Promise<void> {
    try {
      await this.events.send('PutItem', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.events.table,
            Item: eventItem(event),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new CaseConflictError(
        'case_changed',
        `the case changed while this was being done (event ${event.seq} exists already); read it again`,
      );
    }
    // Anchored as soon as it is stored: a link nobody anchored was not written through Stocktally.
    await this.digests?.append(
      [{ chain: caseChain(event.groupKey), seq: event.seq, hash: event.hash }],
      currentTime(),
    );
  }

  /** The head moves to `next` only from `fromVersion`; a head already moved on stays as it is. */
  /**
   * The head moves to `next` only from `fromVersion`; a head already moved on stays as it is. The
   * open index follows the state in the same update: an open case's head takes its severity from
   * the head itself (a run may have changed it meanwhile), a case that left the open states loses it.
   */
  private async updateHead(fromVersion: number, next: CaseWorkflow): Promise<void> {
    await this.setOnHead(
      next.groupKey,
      workflowAttributes(next),
      '#version = :from',
      { ':from': n(fromVersion) },
      isOpen(next.state) ? 'copySeverity' : 'remove',
    );
  }

  /**
   * The latest facts of a case's discrepancy (the workflow is left alone). The open index key
   * follows a changed severity only on an open case's head: each update is conditioned on the state
   * it assumes, so a state change in between sends it round again.
   */
  async writeFacts(facts: CaseFacts, factsHash: string): Promise<void> {
    const attributes = factAttributes(facts, factsHash);
    for (let attempt = 0; attempt < 3; attempt++) {
      const open = await this.setOnHead(
        facts.groupKey,
        { ...attributes, [OPEN_SEVERITY]: s(facts.severity) },
        `attribute_exists(pk) AND ${OPEN_CONDITION}`,
        OPEN_VALUES,
      );
      if (open) return;
      const notOpen = await this.setOnHead(
        facts.groupKey,
        attributes,
        `attribute_exists(pk) AND NOT (${OPEN_CONDITION})`,
        OPEN_VALUES,
        'remove',
      );
      if (notOpen) return;
      const head = await this.headOf(facts.groupKey);
      if (head === undefined) return;
    }
  }

  /**
   * Sets `attributes` on a case head when `condition` holds (true); when it does not, leaves the
   * head as it is (false). `openIndex` also sets the open index key from the head's own severity,
   * or removes it.
   */
  private async setOnHead(
    groupKey: string,
    attributes: Record<string, AttributeValue>,
    condition: string,
    conditionValues: Record<string, AttributeValue>,
    openIndex?: 'copySeverity' | 'remove',
  ): Promise<boolean> {
    const names = Object.keys(attributes);
    const sets = names.map((name) => `#${name} = :${name}`);
    const extraNames: Record<string, string> = {};
    let remove = '';
    if (openIndex === 'copySeverity') {
      sets.push('#openSeverity = #severity');
      extraNames['#openSeverity'] = OPEN_SEVERITY;
      extraNames['#severity'] = 'severity';
    } else if (openIndex === 'remove') {
      remove = ' REMOVE #openSeverity';
      extraNames['#openSeverity'] = OPEN_SEVERITY;
    }
    if (condition.includes('#state')) extraNames['#state'] = 'state';
    try {
      await this.cases.send('UpdateItem', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.cases.table,
            Key: { pk: s(caseKey(groupKey)), sk: s(HEAD) },
            UpdateExpression: `SET ${sets.join(', ')}${remove}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: {
              ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
              ...extraNames,
            },
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((name) => [`:${name}`, attributes[name] as AttributeValue])),
              ...conditionValues,
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Effects are idempotent: doing one twice leaves what doing it once left. */
  private async carryOut(effects: readonly CaseEffect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'freeze':
          await this.freezeRegistry.freeze(effect);
          break;
        case 'unfreeze':
          await this.freezeRegistry.unfreeze(effect.account);
          break;
        case 'hold':
          await this.freezeRegistry.hold(effect.account, effect.groupKey);
          break;
        case 'link':
          await this.cases.send('PutItem', () =>
            this.client.send(
              new PutItemCommand({
                TableName: this.cases.table,
                Item: {
                  pk: s(LINK),
                  sk: s(linkFromKey(effect.link)),
                  link: s(JSON.stringify(effect.link)),
                  groupKey: s(effect.groupKey),
                  approvedAt: s(effect.approvedAt),
                },
              }),
            ),
          );
          break;
        case 'journal':
          await this.journalEntries.add(effect);
          break;
        case 'await':
          await this.awaiting.add(effect);
          break;
        case 'settle':
          await this.awaiting.remove(effect.groupKey);
          break;
      }
    }
  }

  /**
   * A closed case's facts and cause, for the predicted causes (CONTRACT §11). Idempotent: one item
   * per close, keyed by its time and group, so a retried append writes the same item again.
   */
  private async putCauseExample(facts: CaseFacts, code: string, at: string): Promise<void> {
    await this.cases.send('PutItem', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.cases.table,
          Item: {
            pk: s(CAUSE),
            sk: s(`${at}#${facts.groupKey}`),
            code: s(code),
            features: s(JSON.stringify(causeFeatures(facts))),
          },
        }),
      ),
    );
  }

  /** The newest closed cases' facts and causes (at most CAUSE_EXAMPLES). */
  async causeExamples(): Promise<CauseExample[]> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(CAUSE) },
      ScanIndexForward: false,
    });
    return items.slice(0, CAUSE_EXAMPLES).flatMap((item) => {
      const features = json<CauseFeatures>(item, 'features');
      const code = item.code?.S;
      return features === undefined || code === undefined ? [] : [{ features, code }];
    });
  }

  /** Every approved link (CONTRACT §11): the runs reconcile each linked pair of groups as one. */
  async links(): Promise<GroupLink[]> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(LINK) },
    });
    return items.flatMap((item) => {
      const link = json<GroupLink>(item, 'link');
      return link === undefined ? [] : [link];
    });
  }

  /** Frozen accounts, with the cases each one holds. */
  freezes(): Promise<Map<string, Freeze>> {
    return this.freezeRegistry.all();
  }

  /** The approved entries of a period, in entry id order. */
  journal(period: string): Promise<ApprovedEntry[]> {
    return this.journalEntries.ofPeriod(period);
  }

  /** The cases waiting for the books past `instant` (the registry's word: check each case). */
  awaitingDue(instant: string): Promise<AwaitingEntry[]> {
    return this.awaiting.due(instant);
  }

  casesOfPeriod(period: string): Promise<StoredCase[]> {
    return this.queries.casesOfPeriod(period);
  }

  list(
    filter: CaseFilter,
    options: { cursor?: string | undefined; limit: number; now: number },
  ): Promise<{ items: StoredCase[]; cursor: string | null }> {
    return this.queries.list(filter, options);
  }

  openSummary(options: { warehouseId?: string | undefined; now: number }): Promise<OpenCasesSummary> {
    return this.queries.openSummary(options);
  }

  allGroupKeys(): Promise<string[]> {
    return this.queries.allGroupKeys();
  }
}
