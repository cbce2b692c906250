import type { ListPartitionsInput, ListPartitionsOutput } from '../../core/runs/run-events.js';
import type { RunWork } from '../../core/runs/ports.js';
import { startedRun } from '../../core/runs/run-request.js';
import { isSnapshot, runPeriodOf } from '../../core/runs/run-period.js';
import { refuseLocked } from '../periods/period-guard.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../declarations/tables.js';

/**
 * Every run answers for a period (CONTRACT §7): a close for its own, or (a scheduled monthly close
 * (月结) among them) for the month that ended just before its asOf; a continuous run for the month
 * holding its asOf, the live view. A close of a locked period is refused.
 */
async function withPeriod(
  input: ListPartitionsInput,
  work: Pick<RunWork, 'periods' | 'zone'>,
): Promise<ListPartitionsInput & { period: string }> {
  const period = runPeriodOf(input, work.zone());
  if (input.mode === 'close') await refuseLocked(work.periods, period);
  return { ...input, period };
}

/**
 * The run's first task: which partitions it reconciles (every one for a close, the dirty ones for a
 * continuous run), recorded with the dirty-mark versions seen so the summary clears only those.
 * A list too long for a state's payload also goes to S3 for a Distributed Map.
 */
export async function listPartitions(
  work: Pick<
    RunWork,
    'runs' | 'dirty' | 'putJson' | 'partitions' | 'zone' | 'now' | 'telemetry' | 'periods' | 'live'
  >,
  requested: ListPartitionsInput,
): Promise<ListPartitionsOutput> {
  const began = performance.now();
  const now = work.now();
  const input = await withPeriod(requested, work);
  // The live view moves forward in time only: a run as of an earlier instant records a snapshot.
  const snapshot =
    isSnapshot(input.asOf, await work.live.asOf()) || !(await work.live.advance(input.asOf, input.runId));
  const count = work.partitions();
  const marks = await work.dirty.list(count);
  const chosen = input.mode === 'close' ? [...Array(count).keys()] : [...marks.keys()].sort((a, b) => a - b);
  const run = { ...startedRun(input, now, chosen), ...(snapshot ? { snapshot: true as const } : {}) };
  const partitions = chosen.map((partition) => ({ runId: run.runId, partition, asOf: run.asOf }));
  let partitionListKey: string | undefined;
  if (partitions.length > DISTRIBUTED_MAP_THRESHOLD) {
    partitionListKey = `runs/${run.runId}/partitions.json`;
    await work.putJson(partitionListKey, partitions);
  }
  run.timings.listMs = Math.round(performance.now() - began);
  const dirtyVersions: Record<number, number> = {};
  for (const p of chosen) {
    const version = marks.get(p);
    if (version !== undefined) dirtyVersions[p] = version;
  }
  await work.runs.putRun({ run, dirtyVersions });
  work.telemetry.count('partitionsListed', partitions.length);
  work.telemetry.info('run started', {
    runId: run.runId,
    mode: run.mode,
    asOf: run.asOf,
    period: run.period,
    snapshot,
    partitions: chosen.length,
  });
  return {
    runId: run.runId,
    asOf: run.asOf,
    partitions,
    partitionCount: partitions.length,
    ...(partitionListKey === undefined ? {} : { partitionListKey }),
  };
}
