import { StocktallyError } from './stocktally-error.js';

/**
 * The runs feature's failures, in the hierarchy of stocktally-error.ts: the error handler answers the
 * exposed ones with their status and message, and a task's error reaches Step Functions by its name.
 */

/** A request the runs API cannot act on; the message names the field. */
export class InvalidRequestError extends StocktallyError {
  readonly code = 'invalid_request';
  readonly kind = 'invalid' as const;
}

export class RunNotFoundError extends StocktallyError {
  readonly code = 'run_not_found';
  readonly kind = 'not_found' as const;
}

/** A state machine task got an input it cannot use: a wiring mistake, not the caller's. */
export class InvalidRunInputError extends StocktallyError {
  readonly code = 'invalid_run_input';
  readonly kind = 'internal' as const;
  override readonly expose = false;
}
