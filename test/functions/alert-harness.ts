// Shared arrange code for the alert tests: chat envelopes as the notify function publishes them, SQS
// events as the queue hands them to the chat delivery function, and the local chat sink's channels
// as the secrets the function reads. Import before the handlers (ingest-harness quiets Powertools).
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './ingest-harness.js';
import type { ChatChannelType } from '../../lib/core/alerts/alert-config.js';
import { planAlerts, type AlertMessage } from '../../lib/core/alerts/alert-plan.js';
import { renderFor } from '../../lib/core/alerts/alert-render.js';
import { CHAT_ENVELOPE_VERSION, type ChatEnvelope } from '../../lib/core/alerts/chat-delivery.js';
import { ENV } from '../../lib/declarations/tables.js';
import type { ChatSink } from '../../lib/local/wiring/chat-sink.js';
import { config, found, runInfo } from '../core/alerts/alert-factories.js';

export { lambdaContext };

/** A RED alert for `channel`, rendered in its format, in the envelope the notify function publishes. */
export function envelopeFor(
  channel: string,
  type: ChatChannelType,
  spec: Parameters<typeof found>[0] = {},
): ChatEnvelope {
  const [message] = planAlerts({
    run: runInfo(),
    discrepancies: [found({ warehouseId: 'WH-08', ...spec })],
    marks: new Map(),
    config: config({
      channels: { [channel]: { type, secret: `test/${channel}` } },
      default: { channels: [channel] },
      warehouses: {},
    }),
  }).messages as [AlertMessage];
  return {
    v: CHAT_ENVELOPE_VERSION,
    id: message.id,
    runId: message.run.runId,
    channel,
    type,
    secret: `test/${channel}`,
    severity: message.severity,
    kind: message.kind,
    body: renderFor(type, message) as unknown as Record<string, unknown>,
  };
}

let seq = 0;

export function sqsRecord(envelope: ChatEnvelope | string, receive = 1): SQSRecord {
  seq++;
  return {
    messageId: `m-${seq}`,
    receiptHandle: `r-${seq}`,
    body: typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
    attributes: {
      ApproximateReceiveCount: String(receive),
      SentTimestamp: '0',
      SenderId: 'sns',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:chat',
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Points the chat secrets at the sink's channels (`test/<channel>` for each), as `stocktally start` does. */
export function useSinkSecrets(sink: ChatSink, extra: Record<string, unknown> = {}): void {
  process.env[ENV.chatSecrets] = JSON.stringify({
    ...Object.fromEntries(sink.channels().map((c) => [`test/${c.name}`, c.secret])),
    ...extra,
  });
}

export const context = () => lambdaContext(() => 60_000);
