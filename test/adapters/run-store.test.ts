import { BatchWriteItemCommand, type BatchWriteItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { injectDynamoFaults, type Aws } from '../functions/ingest-harness.js';
import { resetTables, RUNS, scanRuns, startRunsAws } from '../functions/runs-harness.js';
import { StoreBusyError } from '../../lib/errors/common.js';
import { InvalidRequestError } from '../../lib/errors/runs.js';
import { encodeCursor, RunStore } from '../../lib/adapters/runs/run-store.js';
import type { Discrepancy } from '../../lib/core/reconcile/discrepancy.js';
import { found, notFound, type GroupStatus, type Transition } from '../../lib/core/runs/lifecycle.js';
import { startedRun } from '../../lib/core/runs/run-request.js';

const T0 = '2026-11-02T00:00:00.000Z';
const T1 = '2026-11-02T06:00:00.000Z';

let aws: Aws;
let restore: (() => void) | undefined;
beforeAll(async () => {
  aws = await startRunsAws();
});
afterAll(async () => aws.stop());
beforeEach(async () => resetTables(aws));
afterEach(() => {
  restore?.();
  restore = undefined;
});

const store = (options: Partial<ConstructorParameters<typeof RunStore>[0]> = {}) =>
  new RunStore({ client: aws.dynamo, tableName: RUNS, ...options });

function discrepancy(documentRef: string, kind: Discrepancy['kind'] = 'TIMING_LAG'): Discrepancy {
  return {
    groupKey: `WH-01|SKU-1|${documentRef}`,
    kind,
    severity: 'GREEN',
    warehouseId: 'WH-01',
    sku: 'SKU-1',
    documentRef,
    uom: 'EA',
    wmsQuantity: '1',
    financeQuantity: '0',
    quantityDelta: '-1',
    unitCost: null,
    unitCostSource: null,
    financeUnitCost: null,
    expectedAmount: null,
    financeAmount: '0.00',
    amountDelta: null,
    moneyAtStake: '0.00',
    wmsTypes: ['RECEIPT'],
    financeTypes: [],
    latestEventAt: T0,
    latestPostingAt: null,
    wmsPeriod: '2026-11',
    financePeriod: null,
    wmsEventIds: ['E1'],
    financeEntryIds: [],
    duplicateEntryIds: [],
    explanation: 'x',
    explanationZh: '说明',
    rejectedRows: [],
  };
}

const foundNow = (d: Discrepancy, asOf = T0, prior?: GroupStatus): Transition => ({
  groupKey: d.groupKey,
  prior,
  next: { lifecycle: found(prior?.lifecycle, asOf), discrepancy: d },
});

describe('the run store', () => {
  it('keeps a run record and the dirty-mark versions it listed', async () => {
    const run = startedRun({ runId: 'r1', mode: 'continuous', asOf: T0 }, new Date(T0), [3, 7]);
    await store().putRun({ run, dirtyVersions: { 3: 2, 7: 1 } });

    expect(await store().getRun('r1')).toEqual({ run, dirtyVersions: { 3: 2, 7: 1 } });
    expect(await store().getRun('r2')).toBeUndefined();
  });

  it('replaces what an earlier attempt of the run wrote for a partition, and only that partition', async () => {
    const [a, b, c] = ['A', 'B', 'C'].map((ref) => discrepancy(ref)) as [
      Discrepancy,
      Discrepancy,
      Discrepancy,
    ];
    await store().writePartition('r1', 1, T0, [foundNow(a), foundNow(b), foundNow(c)]);
    await store().writePartition('r1', 2, T0, [foundNow(discrepancy('Z'))]);
    await store().writePartition('r1', 1, T0, [foundNow(a), foundNow(c)]);

    const keys = (await scanRuns(aws)).map((i) => i.sk?.S).sort();
    expect(keys).toEqual(['d#p#0001#WH-01|SKU-1|A', 'd#p#0001#WH-01|SKU-1|C', 'd#p#0002#WH-01|SKU-1|Z']);
  });

  it('commits a run’s lifecycle, and shows a re-run of that run what was known before it', async () => {
    const a = discrepancy('A');
    await store().writePartition('r1', 0, T0, [foundNow(a)]);
    await store().commitLifecycle('r1', T0, [0]);
    const afterFirst = await store().readLifecycle(0, 'r2');
    const prior = afterFirst.get(a.groupKey);
    expect(prior?.lifecycle).toEqual({ state: 'NEW', firstSeen: T0, lastSeen: T0 });
    expect(await store().readLifecycle(0, 'r1')).toEqual(new Map());

    const resolved = notFound(prior?.lifecycle, T1);
    expect(resolved).toBeDefined();
    await store().writePartition('r2', 0, T1, [
      { groupKey: a.groupKey, prior, next: { lifecycle: resolved ?? prior!.lifecycle, discrepancy: a } },
    ]);
    await store().commitLifecycle('r2', T1, [0]);

    expect((await store().readLifecycle(0, 'r3')).get(a.groupKey)?.lifecycle.state).toBe('RESOLVED');
    expect((await store().readLifecycle(0, 'r2')).get(a.groupKey)).toEqual(prior);
  });

  it('puts back what an earlier attempt of the run committed for a group this attempt no longer has', async () => {
    const [a, b, c] = ['A', 'B', 'C'].map((ref) => discrepancy(ref)) as [
      Discrepancy,
      Discrepancy,
      Discrepancy,
    ];
    await store().writePartition('r0', 0, T0, [foundNow(b)]);
    await store().commitLifecycle('r0', T0, [0]);
    const before = await store().readLifecycle(0, 'r1');
    const bBefore = before.get(b.groupKey);

    await store().writePartition('r1', 0, T1, [foundNow(a, T1), foundNow(b, T1, bBefore), foundNow(c, T1)]);
    await store().commitLifecycle('r1', T1, [0]);
    await store().writePartition('r1', 0, T1, [foundNow(a, T1)]);
    await store().commitLifecycle('r1', T1, [0]);

    const after = await store().readLifecycle(0, 'r2');
    expect([...after.keys()].sort()).toEqual([a.groupKey, b.groupKey]);
    expect(after.get(b.groupKey)).toEqual(bBefore);
  });

  it('lists what a run found, hides what it resolved unless asked, and resumes a page cut short exactly', async () => {
    const open = ['A', 'B', 'C', 'D'].map((ref) => foundNow(discrepancy(ref)));
    const gone = discrepancy('E');
    const resolvedMove: Transition = {
      groupKey: gone.groupKey,
      prior: undefined,
      next: {
        lifecycle: { state: 'RESOLVED', firstSeen: T0, lastSeen: T0, resolvedAt: T1 },
        discrepancy: gone,
      },
    };
    await store().writePartition('r1', 0, T1, [...open, resolvedMove]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = await store().listDiscrepancies('r1', {}, { cursor, limit: 1 });
      seen.push(...answer.items.map((d) => d.documentRef));
      if (answer.cursor === null) break;
      cursor = answer.cursor;
    }
    expect(seen).toEqual(['A', 'B', 'C', 'D']);
    const resolved = await store().listDiscrepancies('r1', { states: ['RESOLVED'] }, { limit: 10 });
    expect(resolved).toEqual({
      items: [expect.objectContaining({ documentRef: 'E', resolvedAt: T1 })],
      cursor: null,
    });
  });

  it('refuses a cursor that is not one of this run', async () => {
    const foreign = encodeCursor({ pk: { S: 'run#r2' }, sk: { S: 'd#p#0000#x' } });
    await expect(store().listDiscrepancies('r1', {}, { cursor: foreign, limit: 5 })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(store().listDiscrepancies('r1', {}, { cursor: '%%%', limit: 5 })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('shows a group across runs, newest first, through the by-group index', async () => {
    const a = discrepancy('A');
    await store().writePartition('r1', 0, T0, [foundNow(a)]);
    await store().writePartition('r2', 0, T1, [foundNow({ ...a, kind: 'MISSING_IN_FINANCE' }, T1)]);

    const history = await store().groupHistory(a.groupKey);
    expect(history.map((h) => [h.runId, h.kind])).toEqual([
      ['r2', 'MISSING_IN_FINANCE'],
      ['r1', 'TIMING_LAG'],
    ]);
  });

  it('sends unprocessed items again until every one is stored', async () => {
    let refusals = 0;
    restore = injectDynamoFaults(async (command, real) => {
      if (command instanceof BatchWriteItemCommand && refusals < 2) {
        refusals++;
        const requests = command.input.RequestItems?.[RUNS] ?? [];
        const half = Math.ceil(requests.length / 2);
        await real(new BatchWriteItemCommand({ RequestItems: { [RUNS]: requests.slice(0, half) } }));
        return { UnprocessedItems: { [RUNS]: requests.slice(half) } } as BatchWriteItemCommandOutput;
      }
      return real(command);
    });
    const moves = Array.from({ length: 30 }, (_, i) => foundNow(discrepancy(`D${i}`)));
    await store({ retry: { attempts: 5, baseMs: 1, capMs: 2 } }).writePartition('r1', 0, T0, moves);
    restore();
    restore = undefined;

    expect(refusals).toBe(2);
    expect(await scanRuns(aws)).toHaveLength(30);
  });

  it('gives up with StoreBusyError once its attempts are spent', async () => {
    restore = injectDynamoFaults(async (command, real) => {
      if (command instanceof BatchWriteItemCommand) {
        return { UnprocessedItems: command.input.RequestItems } as BatchWriteItemCommandOutput;
      }
      return real(command);
    });
    await expect(
      store({ retry: { attempts: 3, baseMs: 1, capMs: 2 } }).writePartition('r1', 0, T0, [
        foundNow(discrepancy('A')),
      ]),
    ).rejects.toBeInstanceOf(StoreBusyError);
  });
});
