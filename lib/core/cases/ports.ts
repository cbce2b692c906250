import type { ChainedEvent } from './audit-chain.js';
import type { CaseFacts } from './case-facts.js';
import type { CaseState, CaseWorkflow, EventDraft } from './case-workflow.js';
import type { JournalEntry } from './journal/journal-entry.js';
import type { Kind, Severity } from '../reconcile/discrepancy.js';
import type { AgeBucket } from '../runs/run-events.js';
import type { Telemetry } from '../shared/ports.js';
import type { WorkflowConfig } from './workflow-config.js';

/**
 * What the case use cases (lib/app/cases) need from a store, as a port: lib/adapters/cases/
 * case-store.ts implements it on DynamoDB. The events are the truth and only ever added; the head
 * is the fold of the events; an append on a version that moved on is refused (409).
 */
export interface StoredCase {
  caseId: string;
  workflow: CaseWorkflow;
  facts: CaseFacts;
  factsHash: string;
}

export interface CaseFilter {
  states?: readonly CaseState[];
  owner?: string;
  warehouseId?: string;
  severities?: readonly Severity[];
  kinds?: readonly Kind[];
  ageBuckets?: readonly AgeBucket[];
  /** The case's accounting period (casePeriod), YYYY-MM. */
  period?: string;
  /** Only cases waiting for the books past their due date (true). */
  overdue?: boolean;
}

export interface Freeze {
  account: string;
  groupKey: string;
  by: string;
  at: string;
  reason: string;
  /** Cases whose automatic close waits for this account. */
  held: string[];
}

/** A case waiting for the books, as the registry the overdue check reads lists it. */
export interface AwaitingEntry {
  groupKey: string;
  since: string;
  dueBy: string;
}

export interface ApprovedEntry {
  entry: JournalEntry;
  approvedAt: string;
  approvedBy: string[];
  proposedBy: string;
}

/** The open cases of one severity (GET /v1/cases/summary). */
export interface OpenSeverity {
  count: number;
  byAge: Record<AgeBucket, number>;
  oldest: { caseId: string; groupKey: string; firstSeen: string; ageDays: number } | null;
}

export interface OpenCasesSummary {
  asOf: string;
  warehouseId: string | null;
  /** What "open" means here: the states the period close waits for (lib/core/cases/close-check.ts). */
  states: readonly CaseState[];
  bySeverity: Record<Severity, OpenSeverity>;
}

export interface CaseRepository {
  eventsOf(groupKey: string, afterSeq?: number): Promise<ChainedEvent[]>;
  headOf(groupKey: string): Promise<{ version: number; lastHash: string } | undefined>;
  getCase(groupKey: string, account?: (facts: CaseFacts) => string): Promise<StoredCase | undefined>;
  getCases(groupKeys: readonly string[]): Promise<Map<string, StoredCase>>;
  open(
    facts: CaseFacts,
    factsHash: string,
    draft: EventDraft,
  ): Promise<{ stored: StoredCase; created: boolean }>;
  append(
    current: StoredCase,
    draft: EventDraft,
    account: string,
  ): Promise<{ stored: StoredCase; event: ChainedEvent }>;
  writeFacts(facts: CaseFacts, factsHash: string): Promise<void>;
  freezes(): Promise<Map<string, Freeze>>;
  journal(period: string): Promise<ApprovedEntry[]>;
  casesOfPeriod(period: string): Promise<StoredCase[]>;
  /** The cases waiting for the books due before `instant` (the registry's word: read each case). */
  awaitingDue(instant: string): Promise<AwaitingEntry[]>;
}

/** The case lists the API pages through and the open-case summary (lib/adapters/cases/case-queries.ts). */
export interface CaseQueries {
  list(
    filter: CaseFilter,
    options: { cursor?: string | undefined; limit: number; now: number },
  ): Promise<{ items: StoredCase[]; cursor: string | null }>;
  openSummary(options: { warehouseId?: string | undefined; now: number }): Promise<OpenCasesSummary>;
}

/** The partitions a link's groups live in, marked for the next run to read again. */
export interface PartitionMarks {
  mark(partitions: Iterable<number>, at: Date): Promise<void>;
}

/** What the cases API's use cases are given (lib/adapters/cases/containers.ts caseWork), each made on first use. */
export interface CaseWork {
  readonly store: CaseRepository & CaseQueries;
  readonly dirty: PartitionMarks;
  readonly telemetry: Telemetry;
  workflow(): Promise<{ config: WorkflowConfig }>;
  partitions(): number;
  now(): Date;
}
