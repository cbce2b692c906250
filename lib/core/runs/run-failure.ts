import { z } from 'zod';
import { RunIdSchema, RUN_MODES, type RunFailure, type RunRecord } from './run-events.js';
import { startedRun } from './run-request.js';

/**
 * A run that could not finish: ListPartitions or SummarizeRun failed after its retries. The state
 * machine catches the error and hands it here, so the run is closed FAILED with the step and the
 * cause named instead of staying RUNNING for ever. (A failed partition is not this: the Map records
 * it and the run closes PARTIAL.)
 */
export const RunFailureInputSchema = z.object({
  runId: RunIdSchema,
  mode: z.enum(RUN_MODES),
  asOf: z.iso.datetime({ offset: true }),
  /** The state that failed. */
  step: z.string().min(1),
  /** The Catch's Error and Cause (for a function error, Lambda's JSON payload as a string). */
  error: z.string(),
  cause: z.string(),
});
export type RunFailureInput = z.infer<typeof RunFailureInputSchema>;

/**
 * The run closed FAILED with its failure. A run with no record yet (a scheduled run whose listing
 * failed before writing it) gets one. A run already closed keeps its status: only its failure is
 * added, since the step that failed may have been a retry of one that had finished.
 */
export function failedRun(existing: RunRecord | undefined, input: RunFailureInput, now: Date): RunRecord {
  const run = existing ?? startedRun({ runId: input.runId, mode: input.mode, asOf: input.asOf }, now);
  const failure: RunFailure = { step: input.step, error: input.error, cause: input.cause };
  if (run.status !== 'RUNNING') return { ...run, failure };
  const finishedAt = now.toISOString();
  const totalMs = now.getTime() - Date.parse(run.startedAt);
  return { ...run, status: 'FAILED', finishedAt, failure, timings: { ...run.timings, totalMs } };
}

/** Longest error message a caller is shown. */
const MAX_SHOWN_MESSAGE = 300;

/**
 * A failure's Cause as a caller may see it: Lambda's payload carries the stack trace with file
 * paths of the deployed code (`/var/task/...`), which is for the logs, not for the API. What is
 * shown keeps the payload's shape (`{ errorType, errorMessage }`, so readers of the Cause still
 * find the message) without the trace, stack lines and paths inside the message.
 */
export function publicCause(cause: string): string {
  let errorType: string | undefined;
  let message = cause;
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown } | null;
    if (parsed !== null && typeof parsed === 'object') {
      errorType = typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
      message = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : '';
    }
  } catch {
    // A plain message.
  }
  const shown = message
    .split(/\r?\n/)
    .filter((line) => !/^\s*at\s/.test(line))
    .join(' ')
    .replace(/(?:file:\/\/)?(?:[A-Za-z]:)?(?:[\\/][\w@.+-]+){2,}(?::\d+)*/g, '<path>')
    .trim()
    .slice(0, MAX_SHOWN_MESSAGE);
  return JSON.stringify({ ...(errorType === undefined ? {} : { errorType }), errorMessage: shown });
}

/** The run as GET /v1/runs/{runId} answers it: every failure's Cause through publicCause. */
export function publicRun(run: RunRecord): RunRecord {
  return {
    ...run,
    failures: run.failures.map((f) => (f.cause === undefined ? f : { ...f, cause: publicCause(f.cause) })),
    ...(run.failure === undefined
      ? {}
      : { failure: { ...run.failure, cause: publicCause(run.failure.cause) } }),
  };
}
