/**
 * The case workflow's wire shapes, taken from the workflow itself (issue 8) so that the dashboard
 * and the API cannot drift apart: a change to a case's view, an action's payload or the trail is a
 * type error here. Only types cross over; the few lists the panel needs as values come from the
 * core modules that define them.
 */
import type { CaseView, Trail as TrailView } from '../../lib/api/cases.js';
import type { ChainedEvent } from '../../lib/core/cases/audit-chain.js';
import type { CaseAction as CoreCaseAction } from '../../lib/core/cases/case-action.js';
import type { Blocker, CloseCheck as CoreCloseCheck } from '../../lib/core/cases/close-check.js';
import type { JournalEntry, JournalLine } from '../../lib/core/cases/journal/journal-entry.js';

export { ACTION_TYPES, type ActionType } from '../../lib/core/cases/case-action.js';
export { CASE_STATES, CASE_STATE_ZH, type CaseState } from '../../lib/core/cases/case-workflow.js';
export { RESOLUTION_ACTIONS, RESOLUTION_ZH, type ResolutionAction } from '../../lib/core/cases/resolution.js';
export { ROOT_CAUSES, ROOT_CAUSE_ZH, type RootCauseCode } from '../../lib/core/cases/root-cause.js';
export { ROLES, ROLE_ZH, type Role } from '../../lib/core/cases/roles.js';

/** GET /v1/cases/{caseId}: the case, its facts, its proposal with the entry, `allowedActions`. */
export type CaseRecord = CaseView;

/** An item of GET /v1/cases: the same without the facts. */
export type CaseSummary = Omit<CaseView, 'facts'> & { facts?: CaseView['facts'] };

export interface CasePage {
  items: CaseSummary[];
  cursor: string | null;
}

/** The body of POST /v1/cases/{caseId}/actions (validated by the same schema the API uses). */
export type CaseAction = CoreCaseAction;

/** The answer of POST /v1/cases/{caseId}/actions. */
export interface ActionAnswer {
  case: CaseRecord;
  event: ChainedEvent;
  released?: string[];
}

export type Trail = TrailView;
export type TrailEvent = ChainedEvent;
export type CloseCheck = CoreCloseCheck;
export type CloseBlocker = Blocker;
export type { JournalEntry, JournalLine };
export type Proposal = NonNullable<CaseView['proposal']>;

/** GET /local/users: who the local dashboard can speak as. */
export interface LocalUser {
  username: string;
  roles: string[];
  token: string;
}
