import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { DropObjects, ObjectVersion } from '../../core/ingest/ports.js';

export type { ObjectVersion } from '../../core/ingest/ports.js';

/**
 * S3 as the drops need it: an object read as a stream pinned to the version (etag) the event
 * announced, its text decoded incrementally (a UTF-8 character split across network chunks stays
 * whole, and nothing holds the whole file), small objects whole, and JSON or bytes out.
 */
export const unquoteEtag = (etag: string): string => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

/**
 * The key of an S3 event record: URL-encoded with `+` for spaces, as AWS sends it. A record whose
 * escapes do not decode keeps its text as sent (no object has that key: the drop is skipped as
 * gone), rather than failing the invocation again and again.
 */
export function decodeEventKey(key: string): string {
  const spaced = key.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function isGone(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'PreconditionFailed' || name === 'NoSuchKey' || name === 'NotFound';
}

/** S3's 403: a refusal, or a missing object asked for by a role that may not list the bucket. */
function isForbidden(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;
}

export class ObjectStore implements DropObjects {
  constructor(private readonly client: S3Client) {}

  /**
   * The current etag, or undefined when the object is absent. S3 answers a missing key with 404 only
   * to a role that may list the bucket, and with 403 to any other; the roles here may list exactly
   * the optional keys they read (StocktallyFunction.bindBucket `optional`), so a 403 is settled by
   * listing that one key: not listed is absent, listed (or not listable) is a real refusal.
   */
  async etagOf(bucket: string, key: string): Promise<string | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return unquoteEtag(head.ETag ?? '');
    } catch (error) {
      if (isGone(error) || (isForbidden(error) && (await this.isAbsent(bucket, key, error)))) {
        return undefined;
      }
      throw error;
    }
  }

  /** After a 403 on `key`: whether listing shows it absent. A refused listing rethrows the 403. */
  private async isAbsent(bucket: string, key: string, refusal: unknown): Promise<boolean> {
    let listed;
    try {
      listed = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
    } catch {
      throw refusal;
    }
    // The key itself sorts first among the keys it prefixes.
    return !(listed.Contents ?? []).some((object) => object.Key === key);
  }

  /**
   * The object's bytes as a stream, or undefined when this version is no longer there (replaced
   * or deleted since the event: a newer event follows). S3 checks `IfMatch`; the etag comparison
   * below also holds on stand-ins that ignore it.
   */
  async open(object: ObjectVersion): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: `"${object.etag}"` }),
      );
      const body = answer.Body as Readable | undefined;
      if (body === undefined) return undefined;
      if (unquoteEtag(answer.ETag ?? object.etag) !== object.etag) {
        body.destroy();
        return undefined;
      }
      return body;
    } catch (error) {
      if (isGone(error) || (isForbidden(error) && (await this.isAbsent(object.bucket, object.key, error)))) {
        return undefined;
      }
      throw error;
    }
  }

  /** A small object's bytes (a unit or cost table), or 'too-big' past `maxBytes`. */
  async smallBytes(object: ObjectVersion, maxBytes: number): Promise<Uint8Array | 'too-big' | undefined> {
    const body = await this.open(object);
    if (body === undefined) return undefined;
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        (body as Readable).destroy();
        return 'too-big';
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /** The keys under a prefix, page by page (1,000 a page), in key order. */
  async *listKeys(bucket: string, prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** A small JSON object as parsed, or undefined when it is absent, too big or not JSON. */
  async readJson(bucket: string, key: string, maxBytes: number): Promise<unknown> {
    let body: Uint8Array;
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((got.ContentLength ?? 0) > maxBytes || got.Body === undefined) return undefined;
      body = await got.Body.transformToByteArray();
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
    try {
      return JSON.parse(new TextDecoder('utf-8').decode(body)) as unknown;
    } catch {
      return undefined;
    }
  }

  async putJson(bucket: string, key: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(value, null, 2) + '\n',
        ContentType: 'application/json; charset=utf-8',
      }),
    );
  }

  async putBytes(bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }
}
