import { StocktallyError } from './errors.js';

/** The cases API's failures, in the hierarchy of errors.ts (400 is run-errors.ts InvalidRequestError). */
export class CaseNotFoundError extends StocktallyError {
  readonly code = 'case_not_found';
  readonly statusCode = 404;
}

/** The case is not in a state that allows the action, or it moved on while the action was made. */
export class CaseConflictError extends StocktallyError {
  readonly code: string;
  readonly statusCode = 409;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
