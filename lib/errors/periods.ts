import { StocktallyError } from './stocktally-error.js';

/** The periods' failures (CONTRACT §7), in the hierarchy of stocktally-error.ts. */

/** A close run of a locked period, or a second lock: the period is frozen. */
export class PeriodLockedError extends StocktallyError {
  readonly code = 'period_locked';
  readonly kind = 'conflict' as const;
}

/** A lock asked of a period that has no close run yet: there is nothing to freeze. */
export class PeriodNotClosedError extends StocktallyError {
  readonly code = 'period_not_closed';
  readonly kind = 'conflict' as const;
}

/** A lock refused while the close-check fails and no override reason is given; the blockers say why. */
export class CloseCheckFailedError extends StocktallyError {
  readonly code = 'close_check_failed';
  readonly kind = 'conflict' as const;
  override readonly details: { blockers: readonly { groupKey: string; reason: string; message: string }[] };
  constructor(message: string, blockers: readonly { groupKey: string; reason: string; message: string }[]) {
    super(message);
    this.details = { blockers };
  }
}
