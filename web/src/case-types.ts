/**
 * The case workflow's wire shapes as agreed with the workflow issue (8), built against before its
 * merge: only what the dashboard reads is typed, everything else passes through untouched. A case's
 * id is its discrepancy's group key, `warehouseId|sku|documentRef`.
 */
export const CASE_STATES = ['OPEN', 'IN_REVIEW', 'PROPOSED', 'APPROVED', 'REJECTED', 'CLOSED'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const ACTION_TYPES = [
  'assign',
  'comment',
  'start-review',
  'propose',
  'approve',
  'reject',
  'close',
  'freeze',
  'unfreeze',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const REMEDY_KINDS = [
  'supplement-voucher',
  'reverse-entry',
  'adjust-price',
  'adjust-quantity',
  'freeze-account',
  'accept-timing',
] as const;
export type RemedyKind = (typeof REMEDY_KINDS)[number];

export const ROLES = [
  'warehouse-lead',
  'finance-specialist',
  'finance-reviewer',
  'it-support',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export interface JournalLine {
  account: string;
  /** Decimal strings; an empty side is '0' or absent. */
  debit?: string | null;
  credit?: string | null;
  memo?: string;
}

export interface CaseComment {
  author?: string;
  actor?: string;
  at: string;
  text: string;
}

export interface CaseApproval {
  actor: string;
  at: string;
  decision?: 'approve' | 'reject' | string;
  reason?: string;
}

export interface CaseProposal {
  action: { kind: RemedyKind | string; [field: string]: unknown };
  proposedBy?: string;
  at?: string;
  journalEntry?: { lines: JournalLine[] } | JournalLine[];
}

export interface CaseRecord {
  caseId: string;
  state: CaseState;
  owner?: string | null;
  severity?: string;
  warehouseId?: string;
  frozen?: boolean;
  rootCause?: string | null;
  comments?: CaseComment[];
  proposal?: CaseProposal | null;
  approvals?: CaseApproval[];
  openedAt?: string;
  updatedAt?: string;
  [field: string]: unknown;
}

export interface CasePage {
  items: CaseRecord[];
  cursor: string | null;
}

export type CaseAction = { type: ActionType; [field: string]: unknown };

export interface TrailEvent {
  seq: number;
  type: string;
  actor: string;
  at: string;
  hash: string;
  prevHash: string;
  [field: string]: unknown;
}

export interface Trail {
  events: TrailEvent[];
  verified: boolean;
  brokenAt?: number;
}

export interface CloseCheck {
  period: string;
  canClose: boolean;
  blockers: ({ caseId?: string; reason?: string; severity?: string; [field: string]: unknown } | string)[];
}

export interface LocalUser {
  username: string;
  roles: string[];
  token: string;
}
