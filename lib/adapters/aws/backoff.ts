/**
 * Exponential backoff with full jitter (a random wait between 0 and base x 2^attempt, capped), the
 * scheme AWS recommends so that many throttled writers do not retry in lockstep.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseMs: 25, capMs: 2_000 };

export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** Throttling, a server-side failure or a network timeout: worth another attempt. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) ||
    (e.$retryable !== undefined && e.$retryable !== null) ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}
