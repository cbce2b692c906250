import { StocktallyError } from './stocktally-error.js';

/**
 * Who may call: the errors of identity (401: nobody the authorizer vouched for) and of permission
 * (403: a known caller whose roles do not allow this), in the hierarchy of stocktally-error.ts.
 */
export class UnauthenticatedError extends StocktallyError {
  readonly code = 'unauthenticated';
  readonly kind = 'unauthenticated' as const;
}

export class ForbiddenError extends StocktallyError {
  readonly code: string;
  readonly kind = 'forbidden' as const;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
