import type { CaseRepository } from '../cases/ports.js';
import type { Severity } from '../reconcile/discrepancy.js';
import type { RunRepository } from '../runs/ports.js';
import type { Telemetry } from '../shared/ports.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import type { AlertConfig, ChannelType } from './alert-config.js';
import type { AlertKind, AlertMark, MarkChange } from './alert-plan.js';

/**
 * What the alert use cases (lib/app/alerts) need from the world, as ports: lib/adapters/alerts/
 * implements them on SNS, DynamoDB and S3; locally lib/local/wiring/local-alerts.ts publishes.
 */

/** One message as its channel takes it (lib/adapters/alerts/alert-publisher.ts says how it travels). */
export interface PublishedAlert {
  /** The message's id in its run. */
  id: string;
  runId: string;
  severity: Severity;
  channel: string;
  channelType: ChannelType;
  kind: AlertKind;
  /** Email only: the subject line. */
  subject?: string;
  /** Email: the text; chat: the ChatEnvelope as JSON. */
  message: string;
}

export interface AlertPublisher {
  publish(alert: PublishedAlert): Promise<void>;
}

/** What earlier runs alerted, the daily digest's and the overdue cases' claims, the messages sent. */
export interface AlertStateRepository {
  readMarks(partitions: readonly number[]): Promise<Map<string, AlertMark>>;
  writeMarks(
    changes: readonly MarkChange[],
    partitionOf: (sku: string) => number,
    runId: string,
  ): Promise<void>;
  claimDigest(day: string, runId: string, asOf: string): Promise<boolean>;
  claimOverdue<T extends { groupKey: string; dueBy: string }>(
    cases: readonly T[],
    runId: string,
  ): Promise<T[]>;
  sentMessages(runId: string): Promise<Set<string>>;
  markSent(runId: string, messageId: string, detail: { channel: string; kind: string }): Promise<void>;
}

/** Everything the Notify task is given; each member is made on first use. */
export interface AlertWork {
  readonly runs: Pick<RunRepository, 'getRun' | 'listDiscrepancies'>;
  readonly cases: CaseRepository;
  readonly state: AlertStateRepository;
  readonly publisher: AlertPublisher;
  readonly telemetry: Telemetry;
  /** The alert routing in force (config/alerts.yaml or the default). */
  routing(): Promise<AlertConfig>;
  /** Where a message's reader finds the run's report. */
  reportUrl(runId: string): string;
  partitions(): number;
  zone(): ZoneClock;
  now(): Date;
}
