import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ChainedEvent } from '../../core/cases/audit-chain.js';
import { casePeriod, type CaseFacts } from '../../core/cases/case-facts.js';
import { caseIdOf } from '../../core/cases/case-id.js';
import { upgradeWorkflow, type CaseState, type CaseWorkflow } from '../../core/cases/case-workflow.js';
import { OPEN_CASE_STATES } from '../../core/cases/close-check.js';
import { CASES_TABLE } from '../../declarations/tables.js';
import type { Item } from '../aws/dynamo-batch.js';
import type { StoredCase } from '../../core/cases/ports.js';

/**
 * How a case lives in DynamoDB items (layout: CASES_TABLE and CASE_EVENTS_TABLE in
 * lib/declarations/tables.ts): the keys, an event as an item and back, and the head's attributes
 * (its workflow snapshot, its facts, the list and index keys). Shared by the case store's parts.
 */
export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });
export const HEAD = 'head';
export const LIST = 'case';
/** The attribute (and index key) an open case's head carries, and only an open one's. */
export const OPEN_SEVERITY = 'openSeverity';
export const OPEN_INDEX =
  CASES_TABLE.indexes.find((i) => i.partitionKey === OPEN_SEVERITY)?.name ?? 'open-by-severity';
export const isOpen = (state: CaseState): boolean => OPEN_CASE_STATES.includes(state);
/** The condition "the head's state is an open one", with its values. */
export const OPEN_CONDITION = `#state IN (${OPEN_CASE_STATES.map((_, i) => `:open${i}`).join(', ')})`;
export const OPEN_VALUES: Record<string, AttributeValue> = Object.fromEntries(
  OPEN_CASE_STATES.map((state, i) => [`:open${i}`, s(state)]),
);

/** The dueBy of a case not waiting for the books: after every ISO date, so `dueBy < now` skips it. */
export const NOT_DUE = 'none';

export const caseKey = (groupKey: string): string => `case#${groupKey}`;
export const eventKey = (seq: number): string => `e#${String(seq).padStart(8, '0')}`;
export const periodKey = (period: string): string => `period#${period}`;

export function json<T>(item: Item | undefined, name: string): T | undefined {
  const text = item?.[name]?.S;
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** An event as stored: its fields as attributes, the JSON ones as text. */
export function eventItem(event: ChainedEvent): Item {
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
export function factAttributes(facts: CaseFacts, factsHash: string): Item {
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

/**
 * The attributes of a head that come from its workflow. `dueBy` is the due date while the case
 * waits for the books (the list's overdue filter), else `none`, which sorts after every date.
 */
export function workflowAttributes(workflow: CaseWorkflow): Item {
  return {
    workflow: s(JSON.stringify(workflow)),
    state: s(workflow.state),
    owner: s(workflow.owner),
    version: n(workflow.version),
    lastHash: s(workflow.lastHash),
    updatedAt: s(workflow.updatedAt),
    dueBy: s(workflow.state === 'AWAITING_BOOKS' ? (workflow.awaiting?.dueBy ?? NOT_DUE) : NOT_DUE),
  };
}

export function storedOf(item: Item | undefined): StoredCase | undefined {
  const workflow = json<CaseWorkflow>(item, 'workflow');
  const facts = json<CaseFacts>(item, 'facts');
  if (workflow === undefined || facts === undefined) return undefined;
  return {
    caseId: caseIdOf(workflow.groupKey),
    // A head written before the books decided reads in today's states.
    workflow: upgradeWorkflow(workflow),
    facts,
    factsHash: item?.factsHash?.S ?? '',
  };
}
