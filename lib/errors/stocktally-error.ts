/**
 * The root of every failure a handler, a task or the CLI can meet: a stable `code` and a `kind` that
 * says what went wrong in business terms. Only the HTTP adapter turns a kind into a status
 * (lib/adapters/http/error-handler.ts), so a Step Functions task's error carries no HTTP code. Only
 * errors marked `expose` reach a caller with their message; anything else is logged and answered as
 * `internal`. Expected outcomes (a rejected row, a conflict in a batch) are values, never these.
 */
export type FailureKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'busy' | 'internal';

export abstract class StocktallyError extends Error {
  abstract readonly code: string;
  abstract readonly kind: FailureKind;
  /** Safe to show the caller. */
  readonly expose: boolean = true;
  /** What the caller needs to act on the refusal (a close-check's blockers), shown beside the message. */
  readonly details?: unknown;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
