import { describe, expect, it } from 'vitest';
import type { RunRepository, RunWork, StoredRun } from '../../../lib/core/runs/ports.js';
import type { ListPartitionsInput } from '../../../lib/core/runs/run-events.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { SCHEDULED_RUNS } from '../../../lib/declarations/runs.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../../lib/declarations/tables.js';
import { listPartitions } from '../../../lib/app/runs/list-partitions.js';

/** The ports listPartitions uses, kept in memory: dirty marks given, run records and objects written. */
function work(partitions: number, dirty: Map<number, number>) {
  const puts: StoredRun[] = [];
  const objects = new Map<string, unknown>();
  const deps: Pick<RunWork, 'runs' | 'dirty' | 'putJson' | 'partitions' | 'zone' | 'now' | 'telemetry'> = {
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
  return { deps, puts, objects };
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

  it('leaves a requested close without a period as it is', async () => {
    const w = work(2, new Map());
    await listPartitions(w.deps, { runId: 'close-by-hand', mode: 'close', asOf });
    expect(w.puts[0]?.run.period).toBeUndefined();
  });

  it('writes a list too long for a state to runs/<runId>/partitions.json', async () => {
    const w = work(DISTRIBUTED_MAP_THRESHOLD + 1, new Map());
    const out = await listPartitions(w.deps, { runId: 'close-big', mode: 'close', asOf });
    expect(out.partitionListKey).toBe('runs/close-big/partitions.json');
    expect(w.objects.get('runs/close-big/partitions.json')).toEqual(out.partitions);
    expect(out.partitionCount).toBe(DISTRIBUTED_MAP_THRESHOLD + 1);
  });
});
