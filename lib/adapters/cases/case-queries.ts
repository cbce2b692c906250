import { QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { caseIdOf } from '../../core/cases/case-id.js';
import { OPEN_CASE_STATES } from '../../core/cases/close-check.js';
import { SEVERITIES, type Severity } from '../../core/reconcile/discrepancy.js';
import { ageDays } from '../../core/runs/lifecycle.js';
import type { AgeBucket } from '../../core/runs/run-events.js';
import { CASES_TABLE } from '../../declarations/tables.js';
import type { DynamoBatch, Item } from '../aws/dynamo-batch.js';
import { InvalidRequestError } from '../../errors/runs.js';
import type { CaseFilter, OpenCasesSummary, OpenSeverity, StoredCase } from '../../core/cases/ports.js';
import { LIST, OPEN_INDEX, OPEN_SEVERITY, periodKey, s, storedOf } from './case-items.js';

/**
 * Reading many cases at once: the list (index by-opened, filtered server side), the open cases'
 * summary (the sparse index open-by-severity, counted without reading a case), a period's cases
 * (index by-period, the close check) and every case's key (the audit).
 */
const DAY_MS = 86_400_000;

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

export class CaseQueries {
  constructor(
    private readonly cases: DynamoBatch,
    private readonly events: DynamoBatch,
  ) {}

  private get client() {
    return this.cases.client;
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
    oneOf('period', filter.period === undefined ? undefined : [filter.period]);
    if (filter.overdue === true) {
      names['#dueBy'] = 'dueBy';
      values[':dueNow'] = s(new Date(options.now).toISOString());
      conditions.push('#dueBy < :dueNow');
    }
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
