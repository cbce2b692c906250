import { z } from 'zod';
import { CHAT_CHANNEL_TYPES, type ChatChannelType } from './alert-config.js';
import { SEVERITIES } from '../reconcile/discrepancy.js';

/**
 * What travels from the notify function to the chat delivery function (SNS message -> SQS body):
 * the channel, the secret that holds its webhook URL, and the body already rendered in the
 * channel's format. Message attributes (channel, channelType, severity, kind) ride beside it for
 * SNS subscription filters.
 */
export const CHAT_ENVELOPE_VERSION = 1;

export const ChatEnvelopeSchema = z.object({
  v: z.literal(CHAT_ENVELOPE_VERSION),
  /** The message's id in its run (kind#channel#group). */
  id: z.string().min(1),
  runId: z.string().min(1),
  channel: z.string().min(1),
  type: z.enum(CHAT_CHANNEL_TYPES),
  /** Secrets Manager secret name or ARN. */
  secret: z.string().min(1),
  severity: z.enum(SEVERITIES),
  kind: z.string().min(1),
  /** The JSON body posted to the webhook. */
  body: z.record(z.string(), z.unknown()),
});
export type ChatEnvelope = z.infer<typeof ChatEnvelopeSchema>;

/** The attributes every published alert carries (SNS filter policies match on them). */
export const ALERT_ATTRIBUTES = {
  channel: 'channel',
  channelType: 'channelType',
  severity: 'severity',
  kind: 'kind',
} as const;

/** What one webhook answer means for the message. */
export type PostOutcome =
  | { outcome: 'delivered' }
  /** Worth another attempt; `afterMs` when the service said how long to wait. */
  | { outcome: 'retry'; reason: string; afterMs?: number }
  /** Another attempt would get the same answer (bad payload, bad signature, unknown robot). */
  | { outcome: 'failed'; reason: string };

/**
 * `Retry-After` as milliseconds to wait: delta-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Errors the robots answer with HTTP 200 that clear by themselves: rate limits and "busy". */
const TRANSIENT_ERRCODES: Readonly<Record<'dingtalk' | 'wecom', ReadonlySet<number>>> = {
  // 130101: sending too fast (20 a minute per robot); -1: system busy.
  dingtalk: new Set([130101, -1]),
  // 45009: API frequency over the limit (20 a minute per robot); -1: system busy.
  wecom: new Set([45009, -1]),
};
/** Rate limits reset within a minute: wait that long when the robot says only "too fast". */
export const ROBOT_RATE_LIMIT_WAIT_MS = 60_000;

const snippet = (text: string): string => text.replace(/\s+/g, ' ').slice(0, 200);

/** What a webhook's answer means, per service. */
export function classifyAnswer(
  type: ChatChannelType,
  status: number,
  bodyText: string,
  retryAfter: string | null,
  now: number,
): PostOutcome {
  const wait = retryAfterMs(retryAfter, now);
  if (status === 429 || status >= 500) {
    return {
      outcome: 'retry',
      reason: `HTTP ${status}: ${snippet(bodyText)}`,
      ...(wait === undefined ? {} : { afterMs: wait }),
    };
  }
  if (status < 200 || status >= 300)
    return { outcome: 'failed', reason: `HTTP ${status}: ${snippet(bodyText)}` };
  if (type === 'slack') return { outcome: 'delivered' };
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(bodyText) as { errcode?: unknown; errmsg?: unknown };
  } catch {
    return {
      outcome: 'failed',
      reason: `HTTP ${status} but not the robot's JSON answer: ${snippet(bodyText)}`,
    };
  }
  const code = typeof answer.errcode === 'number' ? answer.errcode : Number.NaN;
  if (code === 0) return { outcome: 'delivered' };
  const reason = `errcode ${String(answer.errcode)}: ${snippet(String(answer.errmsg ?? ''))}`;
  if (TRANSIENT_ERRCODES[type].has(code)) {
    const afterMs = wait ?? (code === -1 ? undefined : ROBOT_RATE_LIMIT_WAIT_MS);
    return { outcome: 'retry', reason, ...(afterMs === undefined ? {} : { afterMs }) };
  }
  return { outcome: 'failed', reason };
}
