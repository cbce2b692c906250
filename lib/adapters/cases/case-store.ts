import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { chain, type ChainedEvent } from '../../core/cases/audit-chain.js';
import { casePeriod, type CaseFacts } from '../../core/cases/case-facts.js';
import { OPEN_CASE_STATES } from '../../core/cases/close-check.js';
import { caseChain } from '../../core/ingest/audit-digest.js';
import { caseIdOf } from '../../core/cases/case-id.js';
import {
  apply,
  effectsOf,
  type CaseEffect,
  type CaseState,
  type CaseWorkflow,
  type EventDraft,
} from '../../core/cases/case-workflow.js';
import { SEVERITIES, type Severity } from '../../core/reconcile/discrepancy.js';
import type { JournalEntry } from '../../core/cases/journal/journal-entry.js';
import { ageDays } from '../../core/runs/lifecycle.js';
import type { AgeBucket } from '../../core/runs/run-events.js';
import { CASES_TABLE } from '../../declarations/tables.js';
import type { RetryPolicy } from '../aws/backoff.js';
import { DynamoBatch, type Item } from '../aws/dynamo-batch.js';
import { linkFromKey, type GroupLink } from '../../core/diagnosis/group-links.js';
import { causeFeatures, type CauseExample, type CauseFeatures } from '../../core/diagnosis/predict-cause.js';
import type { DigestLog } from '../ingest/digest-log.js';
import { CaseConflictError } from '../../errors/cases.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { currentTime } from '../aws/clock.js';
import type {
  ApprovedEntry,
  CaseFilter,
  CaseRepository,
  Freeze,
  OpenCasesSummary,
  OpenSeverity,
  StoredCase,
} from '../../core/cases/ports.js';

export type {
  ApprovedEntry,
  CaseFilter,
  Freeze,
  OpenCasesSummary,
  OpenSeverity,
  StoredCase,
} from '../../core/cases/ports.js';

/**
 * Cases in DynamoDB (layout: CASES_TABLE and CASE_EVENTS_TABLE in lib/declarations/tables.ts). The events
 * are the truth and are only ever added: each with a conditional put on its own sequence number
 * (`attribute_not_exists`), so of two writers acting on the same version one wins and the other
 * is told the case moved on (409), and no code path updates or deletes an event. The head is a
 * snapshot of the fold of the events, updated after the event with a condition on its version.
 * Without transactions (dynalite has none), an append is: put the event, carry out its effects
 * (freezes, the journal; each idempotent), update the head. A writer that stops in between leaves
 * a head that lags its events; the next read rolls it forward, effects included.
 */
export interface CaseStoreOptions {
  client: DynamoDBClient;
  casesTable: string;
  eventsTable: string;
  retry?: RetryPolicy;
  /** Where each event appended is anchored (issue 16); without it nothing is anchored. */
  digests?: DigestLog | undefined;
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const HEAD = 'head';
const LIST = 'case';
const FREEZE = 'freeze';
/** Approved links (CONTRACT §11), one item per linked finance group: `pk link`, `sk` its key. */
const LINK = 'link';
/** Closed cases' facts and causes, what predicted causes learn from: `pk cause`, `sk` closedAt#key. */
const CAUSE = 'cause';
/** The newest closed cases a prediction learns from. */
const CAUSE_EXAMPLES = 5000;
const DAY_MS = 86_400_000;
/** The attribute (and index key) an open case's head carries, and only an open one's. */
const OPEN_SEVERITY = 'openSeverity';
const OPEN_INDEX =
  CASES_TABLE.indexes.find((i) => i.partitionKey === OPEN_SEVERITY)?.name ?? 'open-by-severity';
const isOpen = (state: CaseState): boolean => OPEN_CASE_STATES.includes(state);
/** The condition "the head's state is an open one", with its values. */
const OPEN_CONDITION = `#state IN (${OPEN_CASE_STATES.map((_, i) => `:open${i}`).join(', ')})`;
const OPEN_VALUES: Record<string, AttributeValue> = Object.fromEntries(
  OPEN_CASE_STATES.map((state, i) => [`:open${i}`, s(state)]),
);

export const caseKey = (groupKey: string): string => `case#${groupKey}`;
const eventKey = (seq: number): string => `e#${String(seq).padStart(8, '0')}`;
const periodKey = (period: string): string => `period#${period}`;
const journalKey = (period: string): string => `journal#${period}`;

function json<T>(item: Item | undefined, name: string): T | undefined {
  const text = item?.[name]?.S;
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** An event as stored: its fields as attributes, the JSON ones as text. */
function eventItem(event: ChainedEvent): Item {
  return {
    pk: s(caseKey(event.groupKey)),
    sk: s(eventKey(event.seq)),
    seq: n(event.seq),
    type: s(event.type),
    at: s(event.at),
    actor: s(JSON.stringify(event.actor)),
    data: s(JSON.stringify(event.data)),
    prevHash: s(event.prevHash),
    hash: s(event.hash),
  };
}

/** The event an item holds, as read (a tampered item reads as tampered: verification decides). */
export function eventOf(item: Item): ChainedEvent {
  const parse = (name: string): Record<string, unknown> => {
    try {
      return json<Record<string, unknown>>(item, name) ?? {};
    } catch {
      return { unreadable: item[name]?.S ?? '' };
    }
  };
  return {
    groupKey: (item.pk?.S ?? '').replace(/^case#/, ''),
    seq: Number(item.seq?.N ?? Number.NaN),
    type: item.type?.S ?? '',
    at: item.at?.S ?? '',
    actor: parse('actor') as ChainedEvent['actor'],
    data: parse('data'),
    prevHash: item.prevHash?.S ?? '',
    hash: item.hash?.S ?? '',
  };
}

/** The attributes of a head that come from its facts (filters, the period index). */
function factAttributes(facts: CaseFacts, factsHash: string): Item {
  const period = casePeriod(facts);
  return {
    facts: s(JSON.stringify(facts)),
    factsHash: s(factsHash),
    severity: s(facts.severity),
    kind: s(facts.kind),
    warehouseId: s(facts.warehouseId),
    firstSeen: s(facts.firstSeen),
    period: s(period),
    ppk: s(periodKey(period)),
    psk: s(facts.groupKey),
  };
}

/** The attributes of a head that come from its workflow. */
function workflowAttributes(workflow: CaseWorkflow): Item {
  return {
    workflow: s(JSON.stringify(workflow)),
    state: s(workflow.state),
    owner: s(workflow.owner),
    version: n(workflow.version),
    lastHash: s(workflow.lastHash),
    updatedAt: s(workflow.updatedAt),
  };
}

function storedOf(item: Item | undefined): StoredCase | undefined {
  const workflow = json<CaseWorkflow>(item, 'workflow');
  const facts = json<CaseFacts>(item, 'facts');
  if (workflow === undefined || facts === undefined) return undefined;
  return { caseId: caseIdOf(workflow.groupKey), workflow, facts, factsHash: item?.factsHash?.S ?? '' };
}

/** The firstSeen range of an age bucket at `now` (ageDays as lib/core/runs/lifecycle.ts counts them). */
function ageRange(bucket: AgeBucket, now: number): { after?: string; atOrBefore?: string } {
  const daysAgo = (d: number): string => new Date(now - d * DAY_MS).toISOString();
  switch (bucket) {
    case '0-1':
      return { after: daysAgo(2) };
    case '2-7':
      return { after: daysAgo(8), atOrBefore: daysAgo(2) };
    case '8-30':
      return { after: daysAgo(31), atOrBefore: daysAgo(8) };
    case '>30':
      return { atOrBefore: daysAgo(31) };
  }
}

export function encodeCaseCursor(key: Item): string {
  const plain = Object.fromEntries(Object.entries(key).map(([k, v]) => [k, v.S]));
  return Buffer.from(JSON.stringify(plain), 'utf8').toString('base64url');
}

export function decodeCaseCursor(cursor: string): Item {
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    key = undefined;
  }
  const names = ['pk', 'sk', 'lpk', 'lsk'];
  if (
    key === undefined ||
    key === null ||
    key.lpk !== LIST ||
    !names.every((name) => typeof key?.[name] === 'string') ||
    Object.keys(key).length !== names.length
  ) {
    throw new InvalidRequestError('cursor: not a cursor of this list; pass the cursor of the previous page');
  }
  return Object.fromEntries(names.map((name) => [name, s(String(key?.[name]))]));
}

export class CaseStore implements CaseRepository {
  private readonly cases: DynamoBatch;
  private readonly events: DynamoBatch;

  private readonly digests: DigestLog | undefined;

  constructor(options: CaseStoreOptions) {
    this.cases = new DynamoBatch(options.client, options.casesTable, options.retry);
    this.events = new DynamoBatch(options.client, options.eventsTable, options.retry);
    this.digests = options.digests;
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

  /**
   * The open cases by severity from the sparse index open-by-severity, without reading a case:
   * counts (Select COUNT, paged) of everything and of what is older than each age bucket's bound
   * (the buckets as the list's age filter draws them), and the oldest (the index's first item).
   * With a warehouse, the index's items are filtered on it (its projection holds warehouseId).
   */
  async openSummary(options: { warehouseId?: string | undefined; now: number }): Promise<OpenCasesSummary> {
    const { warehouseId, now } = options;
    const bounds = { '2-7': 2, '8-30': 8, '>30': 31 } as const;
    const daysAgo = (d: number): string => new Date(now - d * DAY_MS).toISOString();
    const bySeverity = Object.fromEntries(
      await Promise.all(
        SEVERITIES.map(async (severity) => {
          const [count, atLeast2, atLeast8, atLeast31, oldest] = await Promise.all([
            this.countOpen(severity, undefined, warehouseId),
            this.countOpen(severity, daysAgo(bounds['2-7']), warehouseId),
            this.countOpen(severity, daysAgo(bounds['8-30']), warehouseId),
            this.countOpen(severity, daysAgo(bounds['>30']), warehouseId),
            this.oldestOpen(severity, warehouseId),
          ]);
          // Counted one after another while cases move: never below zero.
          const byAge: Record<AgeBucket, number> = {
            '0-1': Math.max(0, count - atLeast2),
            '2-7': Math.max(0, atLeast2 - atLeast8),
            '8-30': Math.max(0, atLeast8 - atLeast31),
            '>30': atLeast31,
          };
          const asOf = new Date(now).toISOString();
          const entry: OpenSeverity = {
            count,
            byAge,
            oldest:
              oldest === undefined
                ? null
                : { ...oldest, caseId: caseIdOf(oldest.groupKey), ageDays: ageDays(oldest.firstSeen, asOf) },
          };
          return [severity, entry] as const;
        }),
      ),
    ) as Record<Severity, OpenSeverity>;
    return {
      asOf: new Date(now).toISOString(),
      warehouseId: warehouseId ?? null,
      states: OPEN_CASE_STATES,
      bySeverity,
    };
  }

  private openQuery(severity: Severity, atOrBefore: string | undefined, warehouseId: string | undefined) {
    return {
      TableName: this.cases.table,
      IndexName: OPEN_INDEX,
      KeyConditionExpression: `#open = :sev${atOrBefore === undefined ? '' : ' AND #firstSeen <= :before'}`,
      ...(warehouseId === undefined ? {} : { FilterExpression: '#warehouseId = :wh' }),
      ExpressionAttributeNames: {
        '#open': OPEN_SEVERITY,
        ...(atOrBefore === undefined ? {} : { '#firstSeen': 'firstSeen' }),
        ...(warehouseId === undefined ? {} : { '#warehouseId': 'warehouseId' }),
      },
      ExpressionAttributeValues: {
        ':sev': s(severity),
        ...(atOrBefore === undefined ? {} : { ':before': s(atOrBefore) }),
        ...(warehouseId === undefined ? {} : { ':wh': s(warehouseId) }),
      },
    };
  }

  private async countOpen(
    severity: Severity,
    atOrBefore: string | undefined,
    warehouseId: string | undefined,
  ): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      const page = await this.cases.send('Query', () =>
        this.client.send(
          new QueryCommand({
            ...this.openQuery(severity, atOrBefore, warehouseId),
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        ),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  }

  /** The open case of this severity first seen earliest (ties: the index's order). */
  private async oldestOpen(
    severity: Severity,
    warehouseId: string | undefined,
  ): Promise<{ groupKey: string; firstSeen: string } | undefined> {
    let start: Item | undefined;
    do {
      const page = await this.cases.send('Query', () =>
        this.client.send(
          new QueryCommand({
            ...this.openQuery(severity, undefined, warehouseId),
            ScanIndexForward: true,
            // Without a filter the first item is the answer; with one, a page of candidates.
            Limit: warehouseId === undefined ? 1 : 500,
            ExclusiveStartKey: start,
          }),
        ),
      );
      const [first] = page.Items ?? [];
      if (first !== undefined) {
        return {
          groupKey: (first.pk?.S ?? '').replace(/^case#/, ''),
          firstSeen: first.firstSeen?.S ?? '',
        };
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return undefined;
  }

  /** Effects are idempotent: doing one twice leaves what doing it once left. */
  private async carryOut(effects: readonly CaseEffect[]): Promise<void> {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'freeze':
          try {
            await this.cases.send('PutItem', () =>
              this.client.send(
                new PutItemCommand({
                  TableName: this.cases.table,
                  Item: {
                    pk: s(FREEZE),
                    sk: s(effect.account),
                    groupKey: s(effect.groupKey),
                    by: s(effect.by),
                    at: s(effect.at),
                    reason: s(effect.reason),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                }),
              ),
            );
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
          break;
        case 'unfreeze':
          await this.cases.send('DeleteItem', () =>
            this.client.send(
              new DeleteItemCommand({
                TableName: this.cases.table,
                Key: { pk: s(FREEZE), sk: s(effect.account) },
              }),
            ),
          );
          break;
        case 'hold':
          try {
            await this.cases.send('UpdateItem', () =>
              this.client.send(
                new UpdateItemCommand({
                  TableName: this.cases.table,
                  Key: { pk: s(FREEZE), sk: s(effect.account) },
                  UpdateExpression: 'ADD held :g',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':g': { SS: [effect.groupKey] } },
                }),
              ),
            );
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
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
          await this.cases.send('PutItem', () =>
            this.client.send(
              new PutItemCommand({
                TableName: this.cases.table,
                Item: {
                  pk: s(journalKey(effect.entry.period)),
                  sk: s(effect.entry.entryId),
                  groupKey: s(effect.entry.groupKey),
                  entry: s(JSON.stringify(effect.entry)),
                  approvedAt: s(effect.approvedAt),
                  approvedBy: s(JSON.stringify(effect.approvedBy)),
                  proposedBy: s(effect.proposedBy),
                },
              }),
            ),
          );
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
  async freezes(): Promise<Map<string, Freeze>> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(FREEZE) },
      ConsistentRead: true,
    });
    return new Map(
      items.map((item) => {
        const account = item.sk?.S ?? '';
        return [
          account,
          {
            account,
            groupKey: item.groupKey?.S ?? '',
            by: item.by?.S ?? '',
            at: item.at?.S ?? '',
            reason: item.reason?.S ?? '',
            held: item.held?.SS ?? [],
          },
        ];
      }),
    );
  }

  /** The approved entries of a period, in entry id order. */
  async journal(period: string): Promise<ApprovedEntry[]> {
    const items = await this.cases.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(journalKey(period)) },
      ConsistentRead: true,
    });
    return items.flatMap((item) => {
      const entry = json<JournalEntry>(item, 'entry');
      if (entry === undefined) return [];
      return [
        {
          entry,
          approvedAt: item.approvedAt?.S ?? '',
          approvedBy: json<string[]>(item, 'approvedBy') ?? [],
          proposedBy: item.proposedBy?.S ?? '',
        },
      ];
    });
  }

  /** The cases of an accounting period (index by-period). */
  async casesOfPeriod(period: string): Promise<StoredCase[]> {
    const items = await this.cases.queryAll({
      IndexName: CASES_TABLE.indexes[1]?.name ?? 'by-period',
      KeyConditionExpression: 'ppk = :p',
      ExpressionAttributeValues: { ':p': s(periodKey(period)) },
    });
    return items.map(storedOf).filter((c): c is StoredCase => c !== undefined);
  }

  /**
   * One page of cases, newest first (index by-opened), filtered server side with bounded work per
   * request: a sparse filter answers a short page with a cursor to go on.
   */
  async list(
    filter: CaseFilter,
    options: { cursor?: string | undefined; limit: number; now: number },
  ): Promise<{ items: StoredCase[]; cursor: string | null }> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = { ':lpk': s(LIST) };
    const conditions: string[] = [];
    const oneOf = (name: string, list: readonly string[] | undefined): void => {
      if (list === undefined || list.length === 0) return;
      names[`#${name}`] = name;
      conditions.push(
        `#${name} IN (${list
          .map((v, i) => {
            values[`:${name}${i}`] = s(v);
            return `:${name}${i}`;
          })
          .join(', ')})`,
      );
    };
    oneOf('state', filter.states);
    oneOf('severity', filter.severities);
    oneOf('kind', filter.kinds);
    oneOf('owner', filter.owner === undefined ? undefined : [filter.owner]);
    oneOf('warehouseId', filter.warehouseId === undefined ? undefined : [filter.warehouseId]);
    if (filter.ageBuckets !== undefined && filter.ageBuckets.length > 0) {
      names['#firstSeen'] = 'firstSeen';
      const ranges = filter.ageBuckets.map((bucket, i) => {
        const { after, atOrBefore } = ageRange(bucket, options.now);
        const parts: string[] = [];
        if (after !== undefined) {
          values[`:after${i}`] = s(after);
          parts.push(`#firstSeen > :after${i}`);
        }
        if (atOrBefore !== undefined) {
          values[`:before${i}`] = s(atOrBefore);
          parts.push(`#firstSeen <= :before${i}`);
        }
        return parts;
      });
      // DynamoDB refuses redundant parentheses: only groups that need them get them.
      const texts = ranges.map((parts) =>
        ranges.length > 1 && parts.length > 1 ? `(${parts.join(' AND ')})` : parts.join(' AND '),
      );
      const either = texts.join(' OR ');
      conditions.push(texts.length > 1 && conditions.length > 0 ? `(${either})` : either);
    }
    const items: StoredCase[] = [];
    let start = options.cursor === undefined ? undefined : decodeCaseCursor(options.cursor);
    let evaluated = 0;
    while (items.length < options.limit && evaluated < 20 * options.limit + 1000) {
      const page = await this.cases.send('Query', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.cases.table,
            IndexName: CASES_TABLE.indexes[0]?.name ?? 'by-opened',
            KeyConditionExpression: 'lpk = :lpk',
            ...(conditions.length === 0 ? {} : { FilterExpression: conditions.join(' AND ') }),
            ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            ExclusiveStartKey: start,
            Limit: Math.max(100, options.limit),
          }),
        ),
      );
      evaluated += page.ScannedCount ?? 0;
      const matched = page.Items ?? [];
      const room = options.limit - items.length;
      for (const item of matched.slice(0, room)) {
        const stored = storedOf(item);
        if (stored !== undefined) items.push(stored);
      }
      const last = matched[room - 1];
      start =
        matched.length > room && last !== undefined
          ? ({ pk: last.pk, sk: last.sk, lpk: last.lpk, lsk: last.lsk } as Item)
          : page.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return { items, cursor: start === undefined ? null : encodeCaseCursor(start) };
  }

  /**
   * Every case's group key, from its events (a chain can exist before its head) and from the heads
   * (a head whose events are gone): what `stocktally audit verify` walks.
   */
  async allGroupKeys(): Promise<string[]> {
    const keys = new Set<string>();
    let start: Item | undefined;
    do {
      const page = await this.events.send('Scan', () =>
        this.client.send(
          new ScanCommand({
            TableName: this.events.table,
            ProjectionExpression: 'pk',
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S;
        if (pk !== undefined) keys.add(pk.replace(/^case#/, ''));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const heads = await this.cases.queryAll({
      IndexName: CASES_TABLE.indexes[0]?.name ?? 'by-opened',
      KeyConditionExpression: 'lpk = :lpk',
      ExpressionAttributeValues: { ':lpk': s(LIST) },
      ProjectionExpression: 'pk',
    });
    for (const item of heads) {
      const pk = item.pk?.S;
      if (pk !== undefined) keys.add(pk.replace(/^case#/, ''));
    }
    return [...keys].sort();
  }
}
