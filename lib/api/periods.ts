/**
 * The periods API's wire shapes (GET /v1/periods, POST /v1/periods/{period}/lock), shared by the
 * API and the dashboard; CONTRACT §7 fixes the fields. A period is a calendar month (YYYY-MM) in
 * the stack's zone.
 */

import type { PeriodView } from '../core/periods/period-record.js';

export type { PeriodStatus, PeriodView } from '../core/periods/period-record.js';

export interface PeriodList {
  /** Every period with records, newest first. */
  items: PeriodView[];
}

/** POST /v1/periods/{period}/lock's body: `override` (a reason) is needed only while the close-check fails. */
export interface PeriodLockRequest {
  override?: string;
}
