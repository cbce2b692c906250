import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LOCAL_REGION } from './embedded-aws.js';
import { describeError, invoke, SILENT, type LambdaFunction, type LocalLog } from './lambda-runtime.js';
import { currentTime } from '../../adapters/aws/clock.js';

/**
 * The bucket's object-created notification on `incoming/`, locally: s3rver's own event records
 * become the S3Event that AWS would deliver to the ingest function, and the real handler is invoked
 * as the Lambda service invokes it asynchronously: one key at a time per key, retried twice on error
 * (sooner than the service's minutes), errors logged and never fatal to the pipeline.
 */
export type S3DropFunction = LambdaFunction<S3Event, unknown>;

export interface S3TriggerOptions {
  /** s3rver's emitter of event records ('event'). */
  events: EventEmitter;
  bucket: string;
  /** Only keys under this prefix invoke the function (the notification's filter). */
  prefix: string;
  fn: S3DropFunction;
  /** Reads the ETag that s3rver leaves out of ObjectCreated:Copy records. */
  s3: S3Client;
  /** Retries after a failed invocation (the Lambda service makes 2). */
  retries?: number;
  /** Delay before retry n is n times this. */
  retryDelayMs?: number;
  log?: LocalLog;
}

export interface TriggerOutcome {
  /** The object key as stored (decoded). */
  key: string;
  eventName: string;
  ok: boolean;
  attempts: number;
  /** The last error, one line, when not ok. */
  error?: string;
}

export interface S3Trigger {
  /** The outcome of the next delivery for `key` that finishes after this call. */
  nextOutcome(key: string, timeoutMs: number): Promise<TriggerOutcome>;
  /** Resolves when every delivery started so far has finished. */
  idle(): Promise<void>;
  /** Stops listening and waits for deliveries in flight. */
  stop(): Promise<void>;
}

/**
 * Object keys in S3 event records are URL-encoded as a form value: UTF-8 percent-escapes, a space
 * as `+`, slashes kept. Handlers decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** The shape s3rver emits (eventVersion 2.0, a malformed bucket ARN, no ETag on copies). */
interface S3rverRecord {
  eventName?: string;
  eventTime?: string;
  requestParameters?: { sourceIPAddress?: string };
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; sequencer?: string };
  };
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();

/** The record as AWS sends it (event version 2.1), for an object whose ETag is known. */
export function toAwsRecord(
  source: { eventName: string; eventTime?: string; sourceIp?: string },
  bucket: string,
  object: { key: string; size: number; eTag: string; sequencer?: string },
): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: LOCAL_REGION,
    eventTime: source.eventTime ?? currentTime().toISOString(),
    eventName: source.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: source.sourceIp ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': hex(8), 'x-amz-id-2': randomBytes(32).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'stocktally-incoming',
      bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(object.key),
        size: object.size,
        eTag: object.eTag.replace(/"/g, ''),
        sequencer: object.sequencer ?? currentTime().getTime().toString(16).toUpperCase().padStart(18, '0'),
      },
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function startS3Trigger(options: S3TriggerOptions): S3Trigger {
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const log = options.log ?? SILENT;
  const outcomes = new EventEmitter();
  const tails = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();

  async function record(raw: S3rverRecord): Promise<S3EventRecord | undefined> {
    const eventName = raw.eventName ?? '';
    const bucket = raw.s3?.bucket?.name;
    const key = raw.s3?.object?.key;
    if (!eventName.startsWith('ObjectCreated:') || bucket !== options.bucket || key === undefined) return;
    if (!key.startsWith(options.prefix)) return;
    let eTag = raw.s3?.object?.eTag;
    let size = raw.s3?.object?.size ?? 0;
    if (eTag === undefined) {
      const head = await options.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      eTag = head.ETag ?? '';
      size = head.ContentLength ?? size;
    }
    return toAwsRecord(
      {
        eventName,
        ...(raw.eventTime === undefined ? {} : { eventTime: raw.eventTime }),
        sourceIp: raw.requestParameters?.sourceIPAddress ?? '127.0.0.1',
      },
      bucket,
      {
        key,
        size,
        eTag,
        ...(raw.s3?.object?.sequencer === undefined ? {} : { sequencer: raw.s3.object.sequencer }),
      },
    );
  }

  async function deliver(key: string, awsRecord: S3EventRecord): Promise<void> {
    const event: S3Event = { Records: [awsRecord] };
    const label = `${awsRecord.eventName} ${key}`;
    let error = '';
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const started = performance.now();
      try {
        await invoke(options.fn, event);
        log.info(`s3 ${label} -> ${options.fn.name} ok (${Math.round(performance.now() - started)} ms)`);
        outcomes.emit(`outcome ${key}`, { key, eventName: awsRecord.eventName, ok: true, attempts: attempt });
        return;
      } catch (e) {
        error = describeError(e);
        log.error(`s3 ${label} -> ${options.fn.name} failed, attempt ${attempt} of ${retries + 1}: ${error}`);
      }
      if (attempt <= retries) await sleep(retryDelayMs * attempt);
    }
    outcomes.emit(`outcome ${key}`, {
      key,
      eventName: awsRecord.eventName,
      ok: false,
      attempts: retries + 1,
      error,
    });
  }

  function onEvent(event: { Records?: S3rverRecord[] }): void {
    for (const raw of event.Records ?? []) {
      const key = raw.s3?.object?.key;
      if (key === undefined) continue;
      // Deliveries of one key run one after the other, in the order the objects were written.
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous
        .then(() => record(raw))
        .then((awsRecord) => (awsRecord === undefined ? undefined : deliver(key, awsRecord)))
        .catch((error: unknown) => log.error(`s3 event for ${key} not delivered: ${describeError(error)}`));
      tails.set(key, next);
      inFlight.add(next);
      void next.finally(() => {
        inFlight.delete(next);
        if (tails.get(key) === next) tails.delete(key);
      });
    }
  }

  options.events.on('event', onEvent);

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  return {
    nextOutcome(key, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          outcomes.off(`outcome ${key}`, done);
          reject(new Error(`no ingest of ${key} within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        function done(outcome: TriggerOutcome): void {
          clearTimeout(timer);
          resolve(outcome);
        }
        outcomes.once(`outcome ${key}`, done);
      });
    },
    idle,
    async stop() {
      options.events.off('event', onEvent);
      await idle();
    },
  };
}
