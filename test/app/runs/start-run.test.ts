import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../lib/core/cases/roles.js';
import type { RunRepository, StoredRun } from '../../../lib/core/runs/ports.js';
import type { ListPartitionsInput } from '../../../lib/core/runs/run-events.js';
import type { Telemetry } from '../../../lib/core/shared/ports.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { startRun } from '../../../lib/app/runs/start-run.js';
import { MemoryPeriods } from '../../support/memory-periods.js';
import { ForbiddenError } from '../../../lib/errors/access.js';

/** The run records as the use case writes them, newest write last. */
function work(start: (input: ListPartitionsInput) => Promise<void>) {
  const puts: StoredRun[] = [];
  const started: ListPartitionsInput[] = [];
  const lines: string[] = [];
  const telemetry: Telemetry = {
    count: () => undefined,
    info: (message) => void lines.push(message),
    error: (message) => void lines.push(message),
  };
  const runs = { putRun: async (stored: StoredRun) => void puts.push(stored) } as unknown as RunRepository;
  const clock = [new Date('2026-03-31T16:00:00Z'), new Date('2026-03-31T16:00:05Z')];
  let tick = 0;
  const periods = new MemoryPeriods();
  return {
    puts,
    started,
    lines,
    periods,
    deps: {
      runs,
      periods,
      starter: {
        start: async (input: ListPartitionsInput) => {
          started.push(input);
          await start(input);
        },
      },
      zone: () => new ZoneClock('Asia/Shanghai'),
      now: () => clock[Math.min(tick++, clock.length - 1)] as Date,
      telemetry,
    },
  };
}

const finance: Caller = { userId: 'u1', username: 'mei', roles: ['finance-specialist'] };
const viewer: Caller = { userId: 'u2', username: 'li', roles: [] };

describe('startRun', () => {
  it('records the run RUNNING, then starts its state machine with the same input', async () => {
    const w = work(async () => undefined);
    const runId = await startRun(w.deps, finance, { mode: 'close', period: '2026-03' });
    expect(w.started).toHaveLength(1);
    expect(w.started[0]?.runId).toBe(runId);
    expect(w.started[0]?.period).toBe('2026-03');
    expect(w.puts.map((p) => p.run.status)).toEqual(['RUNNING']);
    expect(w.puts[0]?.run.runId).toBe(runId);
    expect(w.lines).toEqual(['run requested']);
  });

  it('closes the run FAILED, at the time the start failed, when the state machine does not start', async () => {
    const w = work(async () => {
      throw new Error('throttled');
    });
    await expect(startRun(w.deps, finance, { mode: 'continuous' })).rejects.toThrow('throttled');
    expect(w.puts.map((p) => p.run.status)).toEqual(['RUNNING', 'FAILED']);
    expect(w.puts[1]?.run.finishedAt).toBe('2026-03-31T16:00:05.000Z');
    expect(w.lines).toEqual([]);
  });

  it('refuses a caller without a run-starting role before writing anything', async () => {
    const w = work(async () => undefined);
    const refused = startRun(w.deps, viewer, { mode: 'continuous' });
    await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refused).rejects.toThrow('li holds no role');
    expect(w.puts).toEqual([]);
    expect(w.started).toEqual([]);
  });

  it('refuses a close of a locked period before recording or starting anything (409)', async () => {
    const w = work(async () => undefined);
    w.periods.records.set('2026-03', {
      period: '2026-03',
      lastClose: null,
      lock: { at: '2026-04-02T00:00:00.000Z', by: 'zhao', runId: 'close-1', override: null },
    });
    await expect(startRun(w.deps, finance, { mode: 'close', period: '2026-03' })).rejects.toMatchObject({
      code: 'period_locked',
    });
    expect(w.puts).toHaveLength(0);
    expect(w.started).toHaveLength(0);
  });
});
