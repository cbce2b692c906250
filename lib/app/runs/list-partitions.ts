import type { ListPartitionsInput, ListPartitionsOutput } from '../../core/runs/run-events.js';
import type { RunWork } from '../../core/runs/ports.js';
import { startedRun } from '../../core/runs/run-request.js';
import { closedPeriod } from '../../core/shared/period.js';
import type { ZoneClock } from '../../core/shared/zone-clock.js';
import { SCHEDULED_RUNS } from '../../declarations/runs.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../declarations/tables.js';

/**
 * A scheduled monthly close (月结) starts with only its scheduled time; it closes the month that
 * just ended, and its run and report name that period like a close requested for it.
 */
function withClosedPeriod(input: ListPartitionsInput, zone: ZoneClock): ListPartitionsInput {
  const monthly = input.runId.startsWith(SCHEDULED_RUNS.monthlyClose.runIdPrefix);
  if (input.mode !== 'close' || input.period !== undefined || !monthly) return input;
  return { ...input, period: closedPeriod(input.asOf, zone) };
}

/**
 * The run's first task: which partitions it reconciles (every one for a close, the dirty ones for a
 * continuous run), recorded with the dirty-mark versions seen so the summary clears only those.
 * A list too long for a state's payload also goes to S3 for a Distributed Map.
 */
export async function listPartitions(
  work: Pick<RunWork, 'runs' | 'dirty' | 'putJson' | 'partitions' | 'zone' | 'now' | 'telemetry'>,
  requested: ListPartitionsInput,
): Promise<ListPartitionsOutput> {
  const began = performance.now();
  const now = work.now();
  const input = withClosedPeriod(requested, work.zone());
  const count = work.partitions();
  const marks = await work.dirty.list(count);
  const chosen = input.mode === 'close' ? [...Array(count).keys()] : [...marks.keys()].sort((a, b) => a - b);
  const run = startedRun(input, now, chosen);
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
