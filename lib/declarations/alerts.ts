/**
 * The alerts feature's names and numbers that the CDK stack (lib/stacks/notify.ts) and the local
 * pipeline (lib/local/wiring/local-alerts.ts) share, beside lib/declarations/tables.ts (HANDLERS, ENV, RUN_STATES).
 * Nothing here imports CDK or an AWS SDK, so the bundled CLI can use it.
 */
export const CHAT_DELIVERY = {
  localName: 'stocktally-deliver-chat',
  timeoutSeconds: 60,
  /** SQS messages per invocation: each is posted on its own, all at once. */
  batchSize: 10,
  /** SQS's guidance: a visibility timeout of at least six times the function's timeout. */
  visibilityTimeoutSeconds: 6 * 60,
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: 3,
} as const;

/** The configuration document `cdk synth` reads, relative to the repository root (context `alertConfig`). */
export const DEFAULT_ALERT_CONFIG_PATH = 'config/alerts.yaml';
