import type { Context, SQSRecord } from 'aws-lambda';
import { ChatEnvelopeSchema } from '../../core/alerts/chat-delivery.js';
import { problem } from '../http/runs-request.js';
import { postChat, type ChatPostResult } from './chat-poster.js';
import { chatSecret } from './chat-secrets.js';

/**
 * One chat message of the queue's batch posted to its webhook: the envelope read and checked, its
 * channel's secret fetched, the post retried (chat-poster.ts). Never throws: a failure is a result
 * that says whether trying again can help.
 */
export async function deliverOne(
  record: SQSRecord,
  context: Context,
): Promise<ChatPostResult & { channel?: string }> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { delivered: false, attempts: 0, reason: 'the message is not JSON', retryable: false };
  }
  const parsed = ChatEnvelopeSchema.safeParse(body);
  if (!parsed.success) {
    return {
      delivered: false,
      attempts: 0,
      reason: `not a chat envelope: ${problem(parsed.error, 'message')}`,
    };
  }
  const envelope = parsed.data;
  try {
    const secret = await chatSecret(envelope.secret);
    const result = await postChat(envelope, secret, {
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    return { ...result, channel: envelope.channel };
  } catch (error) {
    // The secret could not be read (missing, not granted, not the right JSON): its name, not its value.
    const e = error as Error;
    return { delivered: false, attempts: 0, reason: `${e.name}: ${e.message}`, channel: envelope.channel };
  }
}
