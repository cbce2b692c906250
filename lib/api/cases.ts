import type { BrokenLink, ChainedEvent } from '../core/cases/audit-chain.js';
import type { AwaitingBooks } from '../core/cases/awaiting-books.js';
import type { Freeze, StoredCase } from '../core/cases/ports.js';
import type { AccountPair } from '../core/cases/workflow-config.js';
import type { MovementType } from '../core/records/movement-type.js';

/** The cases API's wire shapes, shared by the API and the dashboard. */

/** A case as the API shows it. */
export interface CaseView {
  caseId: string;
  groupKey: string;
  state: StoredCase['workflow']['state'];
  stateZh: string;
  owner: string;
  version: number;
  openedAt: string;
  updatedAt: string;
  warehouseId: string;
  sku: string;
  documentRef: string;
  kind: string;
  severity: string;
  period: string;
  moneyAtStake: string;
  firstSeen: string;
  /** Whole days from firstSeen to the answer's now (the server's clock, so the page shows what the API counted). */
  ageDays: number;
  ageBucket: string;
  /** The group as the runs last found it (state NEW, PERSISTING or RESOLVED). */
  facts: StoredCase['facts'];
  proposal: StoredCase['workflow']['proposal'] | null;
  rootCause: StoredCase['workflow']['rootCause'] | null;
  closed: StoredCase['workflow']['closed'] | null;
  /** While the case waits for the books: since the approval, the due date, and whether it is past. */
  awaiting: AwaitingBooks | null;
  /** Waiting for the books past its due date (CONTRACT section 8). */
  overdue: boolean;
  /** The difference an approved accept-difference wrote off. */
  accepted: StoredCase['workflow']['accepted'] | null;
  held: StoredCase['workflow']['held'] | null;
  account: CaseAccount;
  comments: number;
  exports: number;
  /** What the caller may do now (payloads aside). */
  allowedActions: string[];
}

/**
 * The inventory account a case's difference sits on (the account a freeze holds): its key
 * (`warehouseId|code`), its code and name as the workflow configuration names them, and the accounts
 * the warehouse books per movement type, so a proposal's entry can be previewed before it is sent.
 */
export interface CaseAccount {
  key: string;
  code: string;
  name: string;
  frozen: Omit<Freeze, 'held'> | null;
  bookings: { byType: Record<MovementType, AccountPair>; suspense: string; writeOff: string };
}

export interface Trail {
  caseId: string;
  groupKey: string;
  events: ChainedEvent[];
  verified: boolean;
  brokenAt?: BrokenLink;
}
