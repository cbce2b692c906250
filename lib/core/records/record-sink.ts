import type { Entry, LedgerRecord, Movement, Rejection } from './records.js';

/**
 * The ports ingest and runs need from a record store (lib/adapters/ingest/record-store.ts implements them
 * on DynamoDB; tests may use a fake). Writing is idempotent per record id and content.
 */
export interface WriteConflict {
  id: string;
  line: number;
  reason: string;
}

export interface WriteOutcome {
  /** Records stored by this write (new ids, or this very delivery's own earlier write of them). */
  accepted: number;
  /** Same id and same content as a record already stored: counted, nothing written. */
  duplicates: number;
  /** Same id, other content: kept for review beside the stored record, which stays unchanged. */
  conflicts: WriteConflict[];
  /** Stored records dated inside a locked period (CONTRACT §7); 0 without an ArrivalRecorder. */
  lateArrivals?: number;
}

/** Told of the records a write stored (not duplicates or conflicts); answers how many arrived late. */
export interface ArrivalRecorder {
  arrived(records: readonly LedgerRecord[], receivedAt: string): Promise<number>;
}

export interface RecordSink {
  /**
   * `delivery` names this delivery uniquely (a request id, a bucket/key@etag), so that a delivery
   * resumed after a crash recognises its own earlier writes as accepted rather than duplicates.
   */
  write(records: readonly LedgerRecord[], delivery: string): Promise<WriteOutcome>;
}

export interface PartitionRecords {
  movements: Movement[];
  entries: Entry[];
  /** Stored items that no longer validate (a schema change): reported, never silently dropped. */
  rejected: Rejection[];
}

export interface RecordSource {
  readPartition(partition: number): Promise<PartitionRecords>;
}
