import { StocktallyError } from './errors.js';

/**
 * The runs feature's failures, in the same hierarchy as errors.ts: the error handler answers the
 * exposed ones with their status and message, and a task's error reaches Step Functions by its name.
 */

/** A request the runs API cannot act on; the message names the field. */
export class InvalidRequestError extends StocktallyError {
  readonly code = 'invalid_request';
  readonly statusCode = 400;
}

export class RunNotFoundError extends StocktallyError {
  readonly code = 'run_not_found';
  readonly statusCode = 404;
}

/** A state machine task got an input it cannot use: a wiring mistake, not the caller's. */
export class InvalidRunInputError extends StocktallyError {
  readonly code = 'invalid_run_input';
  readonly statusCode = 500;
  override readonly expose = false;
}
