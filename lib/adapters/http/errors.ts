/**
 * Every failure a handler can meet, as one hierarchy with a stable `code` and an HTTP status. Only
 * errors marked `expose` reach a caller with their message; anything else is logged and answered
 * as 500 `internal` (error-handler.ts). Expected outcomes (a rejected row, a conflict) are values
 * in the answer, never these.
 */
export abstract class StocktallyError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  /** Safe to show the caller. */
  readonly expose: boolean = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UnreadableBodyError extends StocktallyError {
  readonly code = 'unreadable_body';
  readonly statusCode = 400;
}

export class UnauthorizedError extends StocktallyError {
  readonly code: string;
  readonly statusCode = 401;
  constructor(
    code: 'signature_missing' | 'signature_malformed' | 'timestamp_stale' | 'signature_mismatch',
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}

export class RouteNotFoundError extends StocktallyError {
  readonly code = 'route_not_found';
  readonly statusCode = 404;
}

export class PayloadTooLargeError extends StocktallyError {
  readonly code = 'payload_too_large';
  readonly statusCode = 413;
}

/** The store kept refusing work after every retry: the caller may send the same request again. */
export class StoreBusyError extends StocktallyError {
  readonly code = 'store_busy';
  readonly statusCode = 503;
}

/** A deployment mistake (a missing variable or secret): logged with details, shown as `internal`. */
export class ConfigurationError extends StocktallyError {
  readonly code = 'configuration';
  readonly statusCode = 500;
  override readonly expose = false;
}

/**
 * A drop stopped before its end (time ran low or a write failed) after saving its checkpoint: the
 * invocation fails on purpose so that Lambda retries it, and the retry resumes from the checkpoint.
 */
export class DropIncompleteError extends StocktallyError {
  readonly code = 'drop_incomplete';
  readonly statusCode = 503;
  override readonly expose = false;
}
