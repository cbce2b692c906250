import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type ListPartitionsInput,
  ListPartitionsInputSchema,
  type ListPartitionsOutput,
} from '../../lib/core/runs/run-events.js';
import { closedPeriod, startedRun } from '../../lib/core/runs/run-request.js';
import { SCHEDULED_RUNS } from '../../lib/declarations/runs.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../lib/declarations/tables.js';
import { config } from '../../lib/adapters/aws/env.js';
import { objectStore } from '../../lib/adapters/ingest/containers.js';
import { dirtyMarks, runStore } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * A scheduled monthly close (月结) starts with only its scheduled time; it closes the month that
 * just ended, and its run and report name that period like a close requested for it.
 */
function withClosedPeriod(input: ListPartitionsInput): ListPartitionsInput {
  const monthly = input.runId.startsWith(SCHEDULED_RUNS.monthlyClose.runIdPrefix);
  if (input.mode !== 'close' || input.period !== undefined || !monthly) return input;
  return { ...input, period: closedPeriod(input.asOf, config.zone()) };
}

/**
 * The run's first task: which partitions it reconciles (every one for a close, the dirty ones for a
 * continuous run), recorded with the dirty-mark versions seen so the summary clears only those.
 * A list too long for a state's payload also goes to S3 for a Distributed Map.
 */
async function listPartitions(event: unknown): Promise<ListPartitionsOutput> {
  const began = performance.now();
  const now = currentTime();
  const input = withClosedPeriod(taskInput(ListPartitionsInputSchema, event, 'ListPartitions'));
  const count = config.partitions();
  const marks = await dirtyMarks().list(count);
  const chosen = input.mode === 'close' ? [...Array(count).keys()] : [...marks.keys()].sort((a, b) => a - b);
  const run = startedRun(input, now, chosen);
  const partitions = chosen.map((partition) => ({ runId: run.runId, partition, asOf: run.asOf }));
  let partitionListKey: string | undefined;
  if (partitions.length > DISTRIBUTED_MAP_THRESHOLD) {
    partitionListKey = `runs/${run.runId}/partitions.json`;
    await objectStore().putJson(config.bucket(), partitionListKey, partitions);
  }
  run.timings.listMs = Math.round(performance.now() - began);
  const dirtyVersions: Record<number, number> = {};
  for (const p of chosen) {
    const version = marks.get(p);
    if (version !== undefined) dirtyVersions[p] = version;
  }
  await runStore().putRun({ run, dirtyVersions });
  metrics.addMetric('partitionsListed', MetricUnit.Count, partitions.length);
  logger.info('run started', { runId: run.runId, mode: run.mode, asOf: run.asOf, partitions: chosen.length });
  return {
    runId: run.runId,
    asOf: run.asOf,
    partitions,
    partitionCount: partitions.length,
    ...(partitionListKey === undefined ? {} : { partitionListKey }),
  };
}

export const handler = taskHandler(listPartitions);
