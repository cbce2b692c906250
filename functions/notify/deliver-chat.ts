import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverOne } from '../../lib/adapters/alerts/chat-message.js';
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
async function deliver(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const results = await Promise.all(event.Records.map((record) => deliverOne(record, context)));
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((result, i) => {
    const record = event.Records[i];
    if (record === undefined) return;
    const { messageId } = record;
    const detail = { messageId, channel: result.channel, attempts: result.attempts };
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    if (result.delivered) return logger.info('chat message delivered', detail);
    logger.warn('chat message not delivered; back to the queue (dead-letter past its receive count)', {
      ...{ ...detail, receiveCount, reason: result.reason },
    });
    failures.push({ itemIdentifier: messageId });
  });
  metrics.addMetric('chatDelivered', MetricUnit.Count, results.length - failures.length);
  metrics.addMetric('chatNotDelivered', MetricUnit.Count, failures.length);
  return { batchItemFailures: failures };
}

export const handler = eventHandler(deliver);
