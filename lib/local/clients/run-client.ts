import type { RunRecord, RunRequest } from '../../core/runs/run-events.js';

/**
 * The runs routes of CONTRACT §4 as a caller uses them, with the local bearer token: start a run,
 * read it, wait for it to stop. `stocktally run` and `stocktally start --demo` go through here, so
 * both see the run exactly as any client of the API does.
 */
export interface RunApi {
  /** Base URL of the API (endpoints.json `api`). */
  api: string;
  token: string;
}

export class RunApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API's error code (`period_locked`, `close_check_failed`, ...), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RunApiError';
  }
}

export async function call(client: RunApi, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${client.api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${client.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let answer: unknown = text;
  try {
    answer = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  if (!response.ok) {
    const detail =
      typeof answer === 'object' && answer !== null && 'message' in answer
        ? String((answer as { message: unknown }).message)
        : text.slice(0, 200);
    const code =
      typeof answer === 'object' && answer !== null && 'code' in answer
        ? String((answer as { code: unknown }).code)
        : undefined;
    throw new RunApiError(response.status, `${method} ${path} answered ${response.status}: ${detail}`, code);
  }
  return answer;
}

/** POST /v1/runs: 202 with the new run's id. */
export async function startRun(client: RunApi, request: RunRequest): Promise<string> {
  const answer = await call(client, 'POST', '/v1/runs', request);
  const runId = (answer as { runId?: unknown } | null)?.runId;
  if (typeof runId !== 'string') throw new RunApiError(202, `POST /v1/runs answered without a runId`);
  return runId;
}

/** GET /v1/runs/{runId}. */
export async function getRun(client: RunApi, runId: string): Promise<RunRecord> {
  return (await call(client, 'GET', `/v1/runs/${encodeURIComponent(runId)}`)) as RunRecord;
}

export interface WaitOptions {
  /** Between two reads of the run. @default 250 ms */
  pollMs?: number;
  /** Gives up after this long. @default 30 minutes */
  timeoutMs?: number;
  /** Called with each read of the run while it runs (and the last one). */
  onPoll?: (run: RunRecord) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the run until it is no longer RUNNING; a run not recorded yet (404) is waited for too. */
export async function waitForRun(
  client: RunApi,
  runId: string,
  options: WaitOptions = {},
): Promise<RunRecord> {
  const pollMs = options.pollMs ?? 250;
  const deadline = performance.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    let run: RunRecord | undefined;
    try {
      run = await getRun(client, runId);
    } catch (error) {
      if (!(error instanceof RunApiError && error.status === 404)) throw error;
    }
    if (run !== undefined) {
      await options.onPoll?.(run);
      if (run.status !== 'RUNNING') return run;
    }
    if (performance.now() > deadline) {
      throw new Error(`run ${runId} is still ${run?.status ?? 'not recorded'} after ${options.timeoutMs} ms`);
    }
    await sleep(pollMs);
  }
}

/**
 * GET /v1/runs/{runId}/report?format=: the presigned link of the run's report (the 302's location),
 * not followed, so the caller can print or hand it on.
 */
export async function reportLink(
  client: RunApi,
  runId: string,
  format: 'pdf' | 'xlsx' | 'csv' = 'pdf',
): Promise<string> {
  const path = `/v1/runs/${encodeURIComponent(runId)}/report?format=${format}`;
  const response = await fetch(`${client.api}${path}`, {
    headers: { authorization: `Bearer ${client.token}` },
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    const text = (await response.text()).slice(0, 200);
    throw new RunApiError(response.status, `GET ${path} answered ${response.status}: ${text}`);
  }
  await response.body?.cancel();
  return location;
}
