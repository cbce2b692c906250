import { StocktallyError } from './stocktally-error.js';

/** Failures any handler can meet: a body it cannot read, a route or size it refuses, a busy store, a deployment mistake. */
/** Failures of ingest: a body that cannot be read or trusted, a store that stays busy, a drop cut short. */
export class UnreadableBodyError extends StocktallyError {
  readonly code = 'unreadable_body';
  readonly kind = 'invalid' as const;
}

export class RouteNotFoundError extends StocktallyError {
  readonly code = 'route_not_found';
  readonly kind = 'not_found' as const;
}

export class PayloadTooLargeError extends StocktallyError {
  readonly code = 'payload_too_large';
  readonly kind = 'too_large' as const;
}

/** The store kept refusing work after every retry: the caller may send the same request again. */
export class StoreBusyError extends StocktallyError {
  readonly code = 'store_busy';
  readonly kind = 'busy' as const;
}

/** A deployment mistake (a missing variable or secret): logged with details, shown as `internal`. */
export class ConfigurationError extends StocktallyError {
  readonly code = 'configuration';
  readonly kind = 'internal' as const;
  override readonly expose = false;
}

/**
 * A drop stopped before its end (time ran low or a write failed) after saving its checkpoint: the
 * invocation fails on purpose so that Lambda retries it, and the retry resumes from the checkpoint.
 */
