import { describe, expect, it } from 'vitest';
import type { RunRepository, RunWork, StoredRun } from '../../../lib/core/runs/ports.js';
import type { ListPartitionsInput } from '../../../lib/core/runs/run-events.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { SCHEDULED_RUNS } from '../../../lib/declarations/runs.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../../lib/declarations/tables.js';
import { listPartitions } from '../../../lib/app/runs/list-partitions.js';
import { MemoryLiveView, MemoryPeriods } from '../../support/memory-periods.js';

/** The ports listPartitions uses, kept in memory: dirty marks given, run records and objects written. */
function work(partitions: number, dirty: Map<number, number>) {
  const puts: StoredRun[] = [];
  const objects = new Map<string, unknown>();
  const periods = new MemoryPeriods();
  const live = new MemoryLiveView();
  const deps: Pick<
    RunWork,
    'runs' | 'dirty' | 'putJson' | 'partitions' | 'zone' | 'now' | 'telemetry' | 'periods' | 'live'
  > = {
    periods,
    live,
    runs: { putRun: async (stored: StoredRun) => void puts.push(stored) } as unknown as RunRepository,
    dirty: {
      list: async (count) => new Map([...dirty].filter(([p]) => p < count)),
      mark: async () => undefined,
      clear: async () => [],
    },
    putJson: async (key, value) => void objects.set(key, value),
    partitions: () => partitions,
    zone: () => new ZoneClock('Asia/Shanghai'),
    now: () => new Date('2026-04-30T16:00:00Z'),
    telemetry: { count: () => undefined, info: () => undefined, error: () => undefined },
  };
  return { deps, puts, objects, periods, live };
}

const asOf = '2026-04-30T16:00:00.000Z';

describe('listPartitions', () => {
  it('takes the dirty partitions of a continuous run, in order, with the mark versions it saw', async () => {
    const w = work(
      8,
      new Map([
        [5, 3],
        [1, 7],
      ]),
    );
    const input: ListPartitionsInput = { runId: 'continuous-a', mode: 'continuous', asOf };
    const out = await listPartitions(w.deps, input);
    expect(out.partitions.map((p) => p.partition)).toEqual([1, 5]);
    expect(out.partitionListKey).toBeUndefined();
    expect(w.puts).toHaveLength(1);
    expect(w.puts[0]?.dirtyVersions).toEqual({ 1: 7, 5: 3 });
    expect(w.puts[0]?.run.partitions).toEqual([1, 5]);
  });

  it('takes every partition for a close, and names the month a scheduled monthly close closes', async () => {
    const w = work(4, new Map([[2, 1]]));
    const runId = `${SCHEDULED_RUNS.monthlyClose.runIdPrefix}x1`;
    await listPartitions(w.deps, { runId, mode: 'close', asOf });
    expect(w.puts[0]?.run.partitions).toEqual([0, 1, 2, 3]);
    expect(w.puts[0]?.dirtyVersions).toEqual({ 2: 1 });
    // Midnight of 1 May in Shanghai closes April.
    expect(w.puts[0]?.run.period).toBe('2026-04');
  });

  it('names the period of every run (CONTRACT §7): a close the month before its asOf, a continuous run the month holding it', async () => {
    const w = work(2, new Map());
    await listPartitions(w.deps, { runId: 'close-by-hand', mode: 'close', asOf });
    await listPartitions(w.deps, { runId: 'continuous-b', mode: 'continuous', asOf });
    await listPartitions(w.deps, { runId: 'close-march', mode: 'close', asOf, period: '2026-03' });
    expect(w.puts.map((p) => p.run.period)).toEqual(['2026-04', '2026-05', '2026-03']);
  });

  it('refuses a close of a locked period, and lets a continuous run of it go ahead', async () => {
    const w = work(2, new Map());
    w.periods.records.set('2026-04', {
      period: '2026-04',
      lastClose: null,
      lock: { at: asOf, by: 'zhao', runId: 'close-1', override: null },
    });
    await expect(listPartitions(w.deps, { runId: 'close-again', mode: 'close', asOf })).rejects.toMatchObject(
      {
        code: 'period_locked',
        kind: 'conflict',
      },
    );
    expect(w.puts).toHaveLength(0);
    await listPartitions(w.deps, { runId: 'continuous-c', mode: 'continuous', asOf });
    expect(w.puts).toHaveLength(1);
  });

  it('records a run as of an earlier instant than the live view as a snapshot, and moves the live view forward only', async () => {
    const w = work(2, new Map());
    await listPartitions(w.deps, {
      runId: 'continuous-late',
      mode: 'continuous',
      asOf: '2026-05-10T00:00:00.000Z',
    });
    await listPartitions(w.deps, { runId: 'close-april', mode: 'close', asOf });
    await listPartitions(w.deps, {
      runId: 'continuous-later',
      mode: 'continuous',
      asOf: '2026-05-11T00:00:00.000Z',
    });
    expect(w.puts.map((p) => [p.run.runId, p.run.snapshot ?? false])).toEqual([
      ['continuous-late', false],
      ['close-april', true],
      ['continuous-later', false],
    ]);
    expect(w.live.current).toBe('2026-05-11T00:00:00.000Z');
  });

  it('writes a list too long for a state to runs/<runId>/partitions.json', async () => {
    const w = work(DISTRIBUTED_MAP_THRESHOLD + 1, new Map());
    const out = await listPartitions(w.deps, { runId: 'close-big', mode: 'close', asOf });
    expect(out.partitionListKey).toBe('runs/close-big/partitions.json');
    expect(w.objects.get('runs/close-big/partitions.json')).toEqual(out.partitions);
    expect(out.partitionCount).toBe(DISTRIBUTED_MAP_THRESHOLD + 1);
  });
});
