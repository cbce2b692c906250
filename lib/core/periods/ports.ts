import type { PeriodClose, PeriodLock, PeriodRecord } from './period-record.js';

/**
 * A record dated inside a locked period that arrived after the lock (CONTRACT §7): stored like any
 * record, counted at ingest, and its group flagged `lateArrival` where it lands.
 */
export interface LateArrival {
  period: string;
  source: 'wms' | 'finance';
  id: string;
  groupKey: string;
  receivedAt: string;
}

/** What the periods feature needs from a store (lib/adapters/periods/period-store.ts). */
export interface PeriodRepository {
  /** Every period with records, newest first. */
  list(): Promise<PeriodRecord[]>;
  get(period: string): Promise<PeriodRecord | undefined>;
  /** Notes that records are dated in these periods (idempotent). */
  note(periods: Iterable<string>): Promise<void>;
  /** Records a close run's figures as the period's latest close, unless a later one is there or it is locked. */
  recordClose(period: string, close: PeriodClose): Promise<void>;
  /** Locks the period; false when another writer locked it first. */
  lock(period: string, lock: PeriodLock): Promise<boolean>;
  /** Stores late arrivals (one item per record: a retried delivery counts nothing twice). */
  addLateArrivals(arrivals: readonly LateArrival[]): Promise<void>;
  /** How many records arrived late in each period asked. */
  lateArrivalCounts(periods: readonly string[]): Promise<Map<string, number>>;
  /** The group keys with a late arrival, over the periods asked. */
  lateGroups(periods: readonly string[]): Promise<Set<string>>;
}
