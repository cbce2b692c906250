import type { ListPartitionsInput, RunRecord, RunRequest } from './run-events.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import { periodEnd } from '../shared/period.js';

/** `close-20261102T000000Z-1a2b3c4d`: readable, sortable by moment, and a valid execution name. */
export function newRunId(mode: string, asOf: string, suffix: string): string {
  const moment = asOf.replace(/\.\d+/, '').replace(/[-:]/g, '');
  return `${mode}-${moment}-${suffix}`;
}

export function runInput(
  request: RunRequest,
  zone: ZoneClock,
  now: Date,
  suffix: string,
): ListPartitionsInput {
  const asOf =
    request.asOf !== undefined
      ? new Date(request.asOf).toISOString()
      : request.period !== undefined
        ? periodEnd(request.period, zone)
        : now.toISOString();
  return {
    runId: newRunId(request.mode, asOf, suffix),
    mode: request.mode,
    asOf,
    ...(request.period === undefined ? {} : { period: request.period }),
    ...(request.scope === undefined ? {} : { scope: request.scope }),
  };
}

/** The record of a run that has started but not listed its partitions yet. */
export function startedRun(
  input: ListPartitionsInput,
  startedAt: Date,
  partitions: number[] = [],
): RunRecord {
  return {
    runId: input.runId,
    status: 'RUNNING',
    mode: input.mode,
    asOf: new Date(input.asOf).toISOString(),
    ...(input.period === undefined ? {} : { period: input.period }),
    ...(input.scope === undefined ? {} : { scope: input.scope }),
    summary: null,
    failures: [],
    partitions,
    startedAt: startedAt.toISOString(),
    timings: {},
  };
}
