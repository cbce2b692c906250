import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChatEnvelopeSchema } from '../../lib/core/alerts/chat-delivery.js';
import { postChat, type ChatPostResult } from '../../lib/adapters/alerts/chat-poster.js';
import { chatSecret } from '../../lib/adapters/alerts/chat-secrets.js';
import { problem } from '../../lib/adapters/http/runs-request.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { eventHandler } from '../../lib/adapters/aws/handlers.js';

/**
 * Chat delivery: the SQS queue subscribed to the three alert topics (chat messages only) invokes
 * this with a batch; each message is posted to its DingTalk, WeCom or Slack webhook on its own, with
 * retries (lib/adapters/alerts/chat-poster.ts), all at once. A message that still fails is reported in
 * `batchItemFailures` (partial batch response), so only it returns to the queue, to be delivered
 * again after the visibility timeout and, past the queue's receive count, moved to the dead-letter
 * queue; one broken channel never holds back the others.
 */
async function deliverOne(
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

async function deliver(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const results = await Promise.all(event.Records.map((record) => deliverOne(record, context)));
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((result, i) => {
    const record = event.Records[i];
    if (record === undefined) return;
    const detail = {
      messageId: record.messageId,
      channel: result.channel,
      attempts: result.attempts,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
    };
    if (result.delivered) {
      logger.info('chat message delivered', detail);
      return;
    }
    logger.warn('chat message not delivered; back to the queue (dead-letter queue past its receive count)', {
      ...detail,
      reason: result.reason,
    });
    failures.push({ itemIdentifier: record.messageId });
  });
  metrics.addMetric('chatDelivered', MetricUnit.Count, results.length - failures.length);
  metrics.addMetric('chatNotDelivered', MetricUnit.Count, failures.length);
  return { batchItemFailures: failures };
}

export const handler = eventHandler(deliver);
