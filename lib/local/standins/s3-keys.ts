import { readdir, rmdir, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type S3rver from 's3rver';

/**
 * Object keys on the local S3 stand-in, stored as safely as S3 stores them. s3rver keeps each key
 * as a path under its directory, segment by segment, so a `..` segment wrote outside the data
 * directory and a segment longer than a file name (255 bytes) threw ENAMETOOLONG from an unhandled
 * stream error, which took the whole local pipeline down. Here every key S3 accepts (up to 1,024
 * bytes, any segments) is stored: `&`, `.` and `..` segments, empty segments and segments longer
 * than a file name can hold are encoded, so the stand-in never leaves its directory nor crashes,
 * and the drop handler meets such a key as it would in the cloud (and refuses it with a report).
 */

/** S3's own limit on a key. */
export const MAX_S3_KEY_BYTES = 1024;

/** Bytes of one stored path segment; with s3rver's suffix (`._S3rver_metadata.json`) under 255. */
const MAX_SEGMENT_BYTES = 200;

/** A long segment continues in the next directory: `<200 bytes>&+/<rest>`. */
const CONTINUES = '&+';
const EMPTY = '&-';

function escapeSegment(segment: string): string {
  if (segment === '.') return '&2e';
  if (segment === '..') return '&2e&2e';
  return segment.replace(/&/g, '&26');
}

/** Cuts a segment into pieces that, marked, stay within MAX_SEGMENT_BYTES, never inside a character. */
function pieces(segment: string): string[] {
  const room = MAX_SEGMENT_BYTES - CONTINUES.length;
  const out: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of segment) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > room) {
      out.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  out.push(piece);
  return out;
}

/** The path (relative to the bucket's directory) a key is stored under. */
export function encodeStoredKey(key: string): string {
  const segments = key.split('/');
  return segments
    .map((segment, i) => {
      if (segment === '') return i === segments.length - 1 ? '' : EMPTY;
      return pieces(escapeSegment(segment)).join(`${CONTINUES}/`);
    })
    .join('/');
}

/** The key stored under a path made by encodeStoredKey. */
export function decodeStoredKey(path: string): string {
  return path
    .split(`${CONTINUES}/`)
    .join('')
    .split('/')
    .map((segment) =>
      segment === EMPTY
        ? ''
        : segment.replace(/&([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    )
    .join('/');
}

interface FilesystemStoreClass {
  new (directory: string): StoreInstance;
  encodeKeyPath(key: string): string;
  decodeKeyPath(path: string): string;
  prototype: StoreInstance;
}

interface StoreInstance {
  getResourcePath(bucket: string, key: string, resource: string): string;
  getBucketPath(bucket: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

interface KoaContext {
  path: string;
  method: string;
  status: number;
  type: string;
  body: unknown;
}

type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface HardenedServer {
  middleware: Middleware[];
  store: StoreInstance;
  context: { store: StoreInstance };
}

let patched = false;

/** Teaches s3rver's filesystem store the encoding above (once per process: the class is shared). */
function patchStore(): FilesystemStoreClass {
  const load = createRequire(import.meta.url);
  const Store = load('s3rver/lib/stores/filesystem') as FilesystemStoreClass;
  if (!patched) {
    patched = true;
    Store.encodeKeyPath = encodeStoredKey;
    Store.decodeKeyPath = decodeStoredKey;
    // Its clean-up of emptied directories walks the raw key: walk the stored path instead.
    Store.prototype.deleteObject = async function deleteObject(this: StoreInstance, bucket, key) {
      await Promise.all(
        ['object', 'object.md5', 'metadata.json'].map((resource) =>
          unlink(this.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          }),
        ),
      );
      const parts = encodeStoredKey(key).split('/');
      parts.pop();
      const bucketPath = this.getBucketPath(bucket);
      while (parts.length > 0) {
        const dir = join(bucketPath, ...parts);
        const left = await readdir(dir).catch(() => ['(gone)']);
        if (left.length > 0) break;
        await rmdir(dir);
        parts.pop();
      }
    };
  }
  return Store;
}

function refuse(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/**
 * A stand-in that stores every key safely, and refuses what S3 refuses: a key over 1,024 bytes
 * (KeyTooLongError) and a bucket name that is a path (`.` or `..`).
 */
export function hardenS3rver(server: S3rver): void {
  patchStore();
  const koa = server as unknown as HardenedServer;
  const guard: Middleware = async (ctx, next) => {
    const [, rawBucket = '', ...rest] = ctx.path.split('/');
    let bucket: string;
    let key: string;
    try {
      bucket = decodeURIComponent(rawBucket);
      key = decodeURIComponent(rest.join('/'));
    } catch {
      return refuse(ctx, 400, 'InvalidURI', 'Couldn&apos;t parse the specified URI.');
    }
    if (bucket === '.' || bucket === '..' || bucket.includes('/') || bucket.includes('\\')) {
      return refuse(ctx, 400, 'InvalidBucketName', 'The specified bucket is not valid.');
    }
    if (Buffer.byteLength(key, 'utf8') > MAX_S3_KEY_BYTES) {
      return refuse(ctx, 400, 'KeyTooLongError', 'Your key is too long');
    }
    if (key.includes('\u0000')) return refuse(ctx, 400, 'InvalidArgument', 'The key holds a NUL character.');
    await next();
  };
  koa.middleware.unshift(guard);
}
