import { StocktallyError } from './stocktally-error.js';

/** The cases API's failures, in the hierarchy of stocktally-error.ts (400 is runs.ts InvalidRequestError). */
export class CaseNotFoundError extends StocktallyError {
  readonly code = 'case_not_found';
  readonly kind = 'not_found' as const;
}

/** The case is not in a state that allows the action, or it moved on while the action was made. */
export class CaseConflictError extends StocktallyError {
  readonly code: string;
  readonly kind = 'conflict' as const;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
