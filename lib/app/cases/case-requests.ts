import type { Caller } from '../../core/cases/roles.js';
import type { CaseAction } from '../../core/cases/case-action.js';
import type { CaseFilter, CaseWork } from '../../core/cases/ports.js';
import type { WorkflowConfig } from '../../core/cases/workflow-config.js';

export type { CaseWork } from '../../core/cases/ports.js';
import { partitionOf } from '../../core/records/partition.js';
import { actOnCase, caseView, exportJournal, findCase, periodCloseCheck, trailOf } from './case-work.js';

/** One request's view of the cases: who asks, when, under which workflow configuration. */
export interface CaseRequest {
  work: CaseWork;
  caller: Caller;
  config: WorkflowConfig;
  now: Date;
}

export async function caseRequest(work: CaseWork, caller: Caller): Promise<CaseRequest> {
  const { config } = await work.workflow();
  return { work, caller, config, now: work.now() };
}

/** GET /v1/cases: one page of cases as the caller sees them, without their facts. */
export async function listCases(
  { work, caller, config, now }: CaseRequest,
  filter: CaseFilter,
  page: { cursor?: string | undefined; limit: number },
) {
  const [found, freezes] = await Promise.all([
    work.store.list(filter, { cursor: page.cursor, limit: page.limit, now: now.getTime() }),
    work.store.freezes(),
  ]);
  const items = found.items.map((c) => {
    const { facts: _facts, ...view } = caseView(c, { caller, config, freezes, now });
    return view;
  });
  return { items, cursor: found.cursor };
}

/** GET /v1/cases/summary: the open cases by severity and age, of one warehouse or all. */
export function openCasesSummary({ work, now }: CaseRequest, warehouseId: string | undefined) {
  return work.store.openSummary({ warehouseId, now: now.getTime() });
}

/** GET /v1/cases/{caseId}: the case as the caller sees it (404 when there is none). */
export async function caseDetail({ work, caller, config, now }: CaseRequest, groupKey: string) {
  const [stored, freezes] = await Promise.all([findCase(work.store, config, groupKey), work.store.freezes()]);
  return caseView(stored, { caller, config, freezes, now });
}

/**
 * POST /v1/cases/{caseId}/actions: the action decided and appended (lib/app/cases/case-work.ts); an
 * approved link marks its groups' partitions dirty so the next run reads them again.
 */
export async function actOnCaseRequest(
  { work, caller, config, now }: CaseRequest,
  groupKey: string,
  action: CaseAction,
) {
  const done = await actOnCase(work.store, config, groupKey, action, caller, now, (link) =>
    work.dirty.mark(
      [link.from.sku, link.to.sku].map((sku) => partitionOf(sku, work.partitions())),
      now,
    ),
  );
  work.telemetry.info('case action', { groupKey, type: action.type, seq: done.event.seq });
  const freezes = await work.store.freezes();
  return {
    case: caseView(done.stored, { caller, config, freezes, now }),
    event: done.event,
    ...(done.released.length === 0 ? {} : { released: done.released }),
  };
}

/** GET /v1/cases/{caseId}/trail: the case's events, chained. */
export function caseTrail({ work }: CaseRequest, groupKey: string) {
  return trailOf(work.store, groupKey);
}

/** GET /v1/periods/{period}/close-check: what still holds the period's close. */
export function closeCheck({ work }: CaseRequest, period: string) {
  return periodCloseCheck(work.store, period);
}

/** GET /v1/journal-entries: the period's approved entries, each case told it was exported. */
export function journalEntries(
  { work, caller, config, now }: CaseRequest,
  period: string,
  format: 'csv' | 'json',
) {
  return exportJournal(work.store, config, period, format, caller, now);
}
