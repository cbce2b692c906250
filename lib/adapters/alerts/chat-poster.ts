import type { ChatSecret } from '../../core/alerts/alert-config.js';
import { classifyAnswer, type ChatEnvelope, type PostOutcome } from '../../core/alerts/chat-delivery.js';
import { signDingTalkUrl } from '../../core/alerts/dingtalk-sign.js';
import { backoffDelay, sleep as realSleep, type RetryPolicy } from '../aws/backoff.js';

/**
 * Posts one rendered message to its chat webhook (Node's global fetch): DingTalk with the
 * `timestamp` and `sign` query parameters made fresh for every attempt, WeCom and Slack as they
 * are. 5xx, 429 and the robots' rate-limit answers are tried again with exponential backoff and full
 * jitter, or after the service's Retry-After; the attempts stop when the policy is spent or the next
 * wait would not fit the time left, and the message is reported undelivered (SQS then delivers it
 * again, and past its receive count moves it to the dead-letter queue). The webhook URL holds a
 * token: it is never part of an error or a log line.
 */
export interface ChatPostPolicy extends RetryPolicy {
  /** The longest wait honoured (a longer Retry-After ends the attempts: SQS retries later). */
  maxWaitMs: number;
  /** One request's timeout. */
  timeoutMs: number;
}

export const CHAT_POST_POLICY: ChatPostPolicy = {
  attempts: 4,
  baseMs: 500,
  capMs: 8_000,
  maxWaitMs: 20_000,
  timeoutMs: 10_000,
};

export interface ChatPostOptions {
  policy?: ChatPostPolicy;
  /** Milliseconds left to the invocation (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ChatPostResult {
  delivered: boolean;
  attempts: number;
  /** Why the last attempt did not deliver. */
  reason?: string;
  /** Whether trying later could still deliver it (false: a bad payload, a wrong secret). */
  retryable?: boolean;
}

function requestUrl(envelope: ChatEnvelope, secret: ChatSecret, now: number): string | { failed: string } {
  if (envelope.type !== 'dingtalk') return secret.webhookUrl;
  if (secret.signingSecret === undefined) {
    return {
      failed: `chat secret ${envelope.secret} has no signingSecret, which DingTalk's signed robots need`,
    };
  }
  return signDingTalkUrl(secret.webhookUrl, secret.signingSecret, now);
}

async function attempt(
  envelope: ChatEnvelope,
  url: string,
  timeoutMs: number,
  now: number,
): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(envelope.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const what = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.name);
    return { outcome: 'retry', reason: `request failed: ${what}` };
  }
  const text = await response.text();
  return classifyAnswer(envelope.type, response.status, text, response.headers.get('retry-after'), now);
}

export async function postChat(
  envelope: ChatEnvelope,
  secret: ChatSecret,
  options: ChatPostOptions = {},
): Promise<ChatPostResult> {
  const policy = options.policy ?? CHAT_POST_POLICY;
  // The robot checks the signature's timestamp against its own clock: the machine's time, never the
  // business clock (lib/adapters/aws/clock.ts).
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? realSleep;
  const remaining = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  let last: PostOutcome = { outcome: 'retry', reason: 'not attempted' };
  for (let n = 1; n <= policy.attempts; n++) {
    const url = requestUrl(envelope, secret, now());
    if (typeof url !== 'string')
      return { delivered: false, attempts: n - 1, reason: url.failed, retryable: false };
    last = await attempt(envelope, url, policy.timeoutMs, now());
    if (last.outcome === 'delivered') return { delivered: true, attempts: n };
    if (last.outcome === 'failed')
      return { delivered: false, attempts: n, reason: last.reason, retryable: false };
    if (n === policy.attempts) break;
    const delay = last.afterMs ?? backoffDelay(policy, n, options.random);
    // A wait that would not fit: stop now and let SQS deliver it again later.
    if (delay > policy.maxWaitMs || delay + policy.timeoutMs > remaining()) {
      return {
        delivered: false,
        attempts: n,
        reason: `${last.reason}; next try in ${delay} ms left to SQS`,
        retryable: true,
      };
    }
    await wait(delay);
  }
  return { delivered: false, attempts: policy.attempts, reason: last.reason, retryable: true };
}
