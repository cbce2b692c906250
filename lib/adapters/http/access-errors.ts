import { StocktallyError } from './errors.js';

/**
 * Who may call: the errors of identity (401: nobody the authorizer vouched for) and of permission
 * (403: a known caller whose roles do not allow this), in the hierarchy of errors.ts.
 */
export class UnauthenticatedError extends StocktallyError {
  readonly code = 'unauthenticated';
  readonly statusCode = 401;
}

export class ForbiddenError extends StocktallyError {
  readonly code: string;
  readonly statusCode = 403;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
