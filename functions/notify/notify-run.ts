import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { planAlerts, type AlertMessage } from '../../lib/core/alerts/alert-plan.js';
import { renderEmail, renderFor } from '../../lib/core/alerts/alert-render.js';
import { CHAT_ENVELOPE_VERSION, type ChatEnvelope } from '../../lib/core/alerts/chat-delivery.js';
import { partitionOf } from '../../lib/core/records/partition.js';
import { RunIdSchema, type RunDiscrepancy } from '../../lib/core/runs/run-events.js';
import { alertPublisher, type PublishedAlert } from '../../lib/adapters/alerts/alert-publisher.js';
import { alertConfigStore, alertStateStore, reportUrl } from '../../lib/adapters/alerts/containers.js';
import { config } from '../../lib/adapters/aws/env.js';
import { RunNotFoundError } from '../../lib/errors/runs.js';
import { mapInFlight } from '../../lib/core/shared/in-flight.js';
import { runStore } from '../../lib/adapters/runs/containers.js';
import { taskInput } from '../../lib/adapters/runs/run-task-input.js';
import { logger, metrics } from '../../lib/adapters/aws/telemetry.js';
import { taskHandler } from '../../lib/adapters/aws/handlers.js';
import { localDay } from '../../lib/core/shared/period.js';
import { currentTime } from '../../lib/adapters/aws/clock.js';
import { caseStore } from '../../lib/adapters/cases/containers.js';
import { caseAlertFacts } from '../../lib/app/alerts/case-alerts.js';

/** The Notify task's input: the run (the state machine passes `{ runId }`). */
const NotifyInputSchema = z.object({ runId: RunIdSchema });

export interface NotifyOutput {
  runId: string;
  /** Messages the plan holds, those published now, and those an earlier attempt had published. */
  messages: number;
  published: number;
  alreadyPublished: number;
  digest: boolean;
  skipped?: string;
}

/** One message as its channel takes it: email text, or the chat envelope with the rendered body. */
function publishedOf(message: AlertMessage): PublishedAlert {
  const { channel } = message;
  const common = {
    id: message.id,
    runId: message.run.runId,
    severity: message.severity,
    channel: channel.name,
    channelType: channel.type,
    kind: message.kind,
  };
  if (channel.type === 'email') {
    const mail = renderEmail(message);
    return { ...common, subject: mail.subject, message: mail.text };
  }
  const envelope: ChatEnvelope = {
    v: CHAT_ENVELOPE_VERSION,
    id: message.id,
    runId: message.run.runId,
    channel: channel.name,
    type: channel.type,
    secret: channel.secret,
    severity: message.severity,
    kind: message.kind,
    body: renderFor(channel.type, message) as unknown as Record<string, unknown>,
  };
  return { ...common, message: JSON.stringify(envelope) };
}

async function allDiscrepancies(runId: string): Promise<RunDiscrepancy[]> {
  const items: RunDiscrepancy[] = [];
  let cursor: string | undefined;
  do {
    const page = await runStore().listDiscrepancies(
      runId,
      { states: ['NEW', 'PERSISTING', 'RESOLVED'] },
      { cursor, limit: 1000 },
    );
    items.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/**
 * After SummarizeRun: what the run found and resolved, against what earlier runs alerted and what
 * the cases say (quiet ones, overdue ones; lib/app/alerts/case-alerts.ts), through the alert rules
 * (lib/core/alerts/alert-plan.ts); each message published once (a retry skips those an earlier
 * attempt published), then the groups' alert marks stored. A close run that is the first of its day
 * to get here sends the daily digest.
 */
async function notify(event: unknown): Promise<NotifyOutput> {
  const { runId } = taskInput(NotifyInputSchema, event, 'Notify');
  const stored = await runStore().getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const { run } = stored;
  if (run.status !== 'SUCCEEDED' && run.status !== 'PARTIAL') {
    logger.info('nothing to alert', { runId, status: run.status });
    return { runId, messages: 0, published: 0, alreadyPublished: 0, digest: false, skipped: run.status };
  }
  const routing = await alertConfigStore().load();
  const discrepancies = await allDiscrepancies(runId);
  const partitions = config.partitions();
  const partitionOfSku = (sku: string): number => partitionOf(sku, partitions);
  const state = alertStateStore();
  const marks = await state.readMarks(discrepancies.map((d) => partitionOfSku(d.sku)));
  const day = localDay(run.asOf, config.zone());
  const digest = run.mode === 'close' && (await state.claimDigest(day, runId, run.asOf));
  // The books decide a case's end: nothing said of quiet cases, overdue ones told to their owner once.
  const cases = await caseAlertFacts(
    caseStore(),
    discrepancies.map((d) => d.groupKey),
    currentTime(),
  );
  const plan = planAlerts({
    run: { runId, mode: run.mode, asOf: run.asOf, digest, day, reportUrl: reportUrl(runId) },
    discrepancies,
    marks,
    config: routing,
    quiet: cases.quiet,
    overdue: await state.claimOverdue(cases.overdue, runId),
  });
  const sent = await state.sentMessages(runId);
  const todo = plan.messages.filter((m) => !sent.has(m.id));
  await mapInFlight(todo, 4, async (message) => {
    await alertPublisher().publish(publishedOf(message));
    await state.markSent(runId, message.id, { channel: message.channel.name, kind: message.kind });
  });
  await state.writeMarks(plan.marks, partitionOfSku, runId);
  metrics.addMetric('alertsPublished', MetricUnit.Count, todo.length);
  logger.info('run notified', { runId, messages: plan.messages.length, published: todo.length, digest });
  return {
    runId,
    messages: plan.messages.length,
    published: todo.length,
    alreadyPublished: plan.messages.length - todo.length,
    digest,
  };
}

export const handler = taskHandler(notify);
