import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Telemetry } from '../../core/shared/ports.js';
import { StocktallyError } from '../../errors/stocktally-error.js';

/**
 * One structured logger and one metrics buffer per container, shared by every handler. Tests and
 * the local pipeline quiet them with POWERTOOLS_LOG_LEVEL=SILENT and POWERTOOLS_METRICS_DISABLED=true.
 */
export const logger = new Logger({ serviceName: 'stocktally' });
export const metrics = new Metrics({
  namespace: 'Stocktally',
  serviceName: 'stocktally',
  ...(process.env.POWERTOOLS_METRICS_DISABLED === 'true' ? { logger: quietLogger() } : {}),
});

/**
 * Disabled metrics still warn on an empty flush. Locally every function shares this one buffer, so
 * a handler running beside another (Notify and the chat deliveries it triggers) finds it emptied by
 * the other's flush and warns, in the middle of `stocktally start`'s output. Errors still show.
 */
function quietLogger() {
  const silent = (): void => undefined;
  return { trace: silent, debug: silent, info: silent, warn: silent, error: console.error.bind(console) };
}

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

/** The four ingest outcomes as CloudWatch metrics, by source system. */
export function recordIngestMetrics(source: string, counts: IngestCounts): void {
  metrics.addDimension('source', source);
  for (const name of ['accepted', 'duplicates', 'conflicts', 'rejected'] as const) {
    metrics.addMetric(name, MetricUnit.Count, counts[name]);
  }
}

/** Tags every log line of the invocation with a correlation id taken from the event. */
export function correlationId<TEvent>(idOf: (event: TEvent) => string | undefined): MiddlewareObj<TEvent> {
  return {
    before: ({ event, context }) => {
      logger.setCorrelationId(idOf(event) ?? context.awsRequestId);
    },
  };
}

/** Counts a failed invocation under its error code (`drop_incomplete` when a drop will resume). */
export function countFailures(): MiddlewareObj {
  return {
    onError: ({ error }) => {
      metrics.addMetric(error instanceof StocktallyError ? error.code : 'failed', MetricUnit.Count, 1);
    },
  };
}

/** The use cases' Telemetry port (lib/core/shared/ports.ts) on this logger and metrics buffer. */
export const telemetry: Telemetry = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  info: (message, attributes) =>
    attributes === undefined ? logger.info(message) : logger.info(message, attributes),
  error: (message, attributes) =>
    attributes === undefined ? logger.error(message) : logger.error(message, attributes),
};
