/**
 * What a use case tells the operators, as a port: structured log lines and counters. The adapter
 * (lib/adapters/aws/telemetry.ts) writes them through Powertools' logger and CloudWatch metrics.
 */
export interface Telemetry {
  /** Adds `value` (1 unless given) to the counter `name`. */
  count(name: string, value?: number): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
