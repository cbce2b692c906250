import { planAlerts, type AlertMessage } from '../../core/alerts/alert-plan.js';
import { renderEmail, renderFor } from '../../core/alerts/alert-render.js';
import { CHAT_ENVELOPE_VERSION, type ChatEnvelope } from '../../core/alerts/chat-delivery.js';
import type { AlertWork, PublishedAlert } from '../../core/alerts/ports.js';
import { partitionOf } from '../../core/records/partition.js';
import type { RunDiscrepancy } from '../../core/runs/run-events.js';
import { mapInFlight } from '../../core/shared/in-flight.js';
import { localDay } from '../../core/shared/period.js';
import { RunNotFoundError } from '../../errors/runs.js';
import { caseAlertFacts } from './case-alerts.js';

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
export function publishedOf(message: AlertMessage): PublishedAlert {
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

async function allDiscrepancies(runs: AlertWork['runs'], runId: string): Promise<RunDiscrepancy[]> {
  const items: RunDiscrepancy[] = [];
  let cursor: string | undefined;
  do {
    const page = await runs.listDiscrepancies(
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
export async function notifyRun(work: AlertWork, runId: string): Promise<NotifyOutput> {
  const stored = await work.runs.getRun(runId);
  if (stored === undefined) throw new RunNotFoundError(`run ${runId} has no record; ListPartitions makes it`);
  const { run } = stored;
  if (run.status !== 'SUCCEEDED' && run.status !== 'PARTIAL') {
    work.telemetry.info('nothing to alert', { runId, status: run.status });
    return { runId, messages: 0, published: 0, alreadyPublished: 0, digest: false, skipped: run.status };
  }
  if (run.snapshot === true) {
    // A close of an earlier period run again: its snapshot says nothing to anyone (CONTRACT §7).
    work.telemetry.info('nothing to alert', { runId, snapshot: true });
    return { runId, messages: 0, published: 0, alreadyPublished: 0, digest: false, skipped: 'snapshot' };
  }
  const routing = await work.routing();
  const discrepancies = await allDiscrepancies(work.runs, runId);
  const partitions = work.partitions();
  const partitionOfSku = (sku: string): number => partitionOf(sku, partitions);
  const { state } = work;
  const marks = await state.readMarks(discrepancies.map((d) => partitionOfSku(d.sku)));
  const day = localDay(run.asOf, work.zone());
  const digest = run.mode === 'close' && (await state.claimDigest(day, runId, run.asOf));
  // The books decide a case's end: nothing said of quiet cases, overdue ones told to their owner once.
  const cases = await caseAlertFacts(
    work.cases,
    discrepancies.map((d) => d.groupKey),
    work.now(),
  );
  const plan = planAlerts({
    run: { runId, mode: run.mode, asOf: run.asOf, digest, day, reportUrl: work.reportUrl(runId) },
    discrepancies,
    marks,
    config: routing,
    quiet: cases.quiet,
    overdue: await state.claimOverdue(cases.overdue, runId),
  });
  const sent = await state.sentMessages(runId);
  const todo = plan.messages.filter((m) => !sent.has(m.id));
  await mapInFlight(todo, 4, async (message) => {
    await work.publisher.publish(publishedOf(message));
    await state.markSent(runId, message.id, { channel: message.channel.name, kind: message.kind });
  });
  await state.writeMarks(plan.marks, partitionOfSku, runId);
  work.telemetry.count('alertsPublished', todo.length);
  work.telemetry.info('run notified', {
    runId,
    messages: plan.messages.length,
    published: todo.length,
    digest,
  });
  return {
    runId,
    messages: plan.messages.length,
    published: todo.length,
    alreadyPublished: plan.messages.length - todo.length,
    digest,
  };
}
