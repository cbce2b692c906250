import { StocktallyError } from './stocktally-error.js';

/** Failures of ingest: a signature that does not hold, a drop cut short (retried from its checkpoint). */
export class UnauthorizedError extends StocktallyError {
  readonly code: string;
  readonly kind = 'unauthenticated' as const;
  constructor(
    code: 'signature_missing' | 'signature_malformed' | 'timestamp_stale' | 'signature_mismatch',
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}

export class DropIncompleteError extends StocktallyError {
  readonly code = 'drop_incomplete';
  readonly kind = 'busy' as const;
  override readonly expose = false;
}
