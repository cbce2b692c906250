import type { ReportConflict } from './drop.js';
import type { RecordSink, WriteOutcome } from '../records/record-sink.js';
import type { Rejection, Source } from '../records/records.js';
import type { Telemetry } from '../shared/ports.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * What the ingest use cases need from the world, as ports: the adapters (lib/adapters/aws/
 * object-store.ts, lib/adapters/ingest/checkpoint-store.ts) implement them, tests may fake them.
 */

/** One version of one object: a drop is pinned to the version its event announced. */
export interface ObjectVersion {
  bucket: string;
  key: string;
  /** Without quotes. */
  etag: string;
}

/** The object store as a drop reads and writes it. */
export interface DropObjects {
  /** The current version's etag, or undefined when the object is absent. */
  etagOf(bucket: string, key: string): Promise<string | undefined>;
  /** The version's bytes as a stream, or undefined when that version is gone. */
  open(object: ObjectVersion): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The version's bytes whole, 'too-big' past `maxBytes`, undefined when gone. */
  smallBytes(object: ObjectVersion, maxBytes: number): Promise<Uint8Array | 'too-big' | undefined>;
  putJson(bucket: string, key: string, value: unknown): Promise<void>;
  putBytes(bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<void>;
}

/**
 * Where a drop stands: the last physical line whose rows are committed and the counts so far. A
 * retried invocation skips the rows up to `line`, so nothing is written or counted twice; `done`
 * makes a repeated event for the same version a no-op that leaves its report alone.
 */
export interface Checkpoint {
  line: number;
  accepted: number;
  duplicates: number;
  conflicts: ReportConflict[];
  /** Records dated inside a locked period; absent in a checkpoint saved before periods were locked. */
  lateArrivals?: number;
  startedAt: string;
  invocations: number;
  done: boolean;
}

export interface CheckpointRepository {
  get(object: ObjectVersion): Promise<Checkpoint | undefined>;
  save(object: ObjectVersion, checkpoint: Checkpoint): Promise<void>;
}

/** What the webhook's use case is given (lib/adapters/ingest/containers.ts). */
export interface WebhookWork {
  readonly records: RecordSink;
  readonly telemetry: Telemetry;
  zone(): ZoneClock;
  /** The data bucket, where the unified codes (统一编码) table is kept. */
  readonly objects: Pick<DropObjects, 'etagOf' | 'smallBytes'>;
  bucket(): string;
  /** Keeps the delivery's answer like a drop's report, so the run's report counts its rows. */
  keep(
    source: Source,
    delivery: string,
    outcome: WriteOutcome,
    rejected: readonly Rejection[],
  ): Promise<void>;
  /** The ingest counters of a delivery. */
  count(source: Source, counts: Record<'accepted' | 'duplicates' | 'conflicts' | 'rejected', number>): void;
}
