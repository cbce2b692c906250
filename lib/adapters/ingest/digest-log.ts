import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DIGEST_GENESIS,
  digestLine,
  verifyDigestLog,
  type Anchor,
  type DigestLine,
} from '../../core/ingest/audit-digest.js';
import { AUDIT_DIGEST_PREFIX } from '../../declarations/tables.js';

/**
 * The digest log (lib/core/ingest/audit-digest.ts): where the functions anchor every link they append, and
 * which they cannot rewrite. In the cloud each write is its own object under `audit/digests/` in a
 * bucket with S3 Object Lock in compliance mode (nobody, the root account included, can change or
 * delete it during its retention); locally it is one file, `DIR/audit/digests.ndjson`, that the
 * pipeline only ever appends to, each line chained to the one before.
 */
export interface DigestLog {
  append(anchors: readonly Anchor[], at: Date): Promise<void>;
  /** Every line, and where the log itself is broken (a file edited behind the pipeline's back). */
  read(): Promise<{ lines: DigestLine[]; broken?: { line: number; reason: string } }>;
  /** Where it is, for messages. */
  readonly where: string;
}

export const DIGEST_FILE = 'digests.ndjson';
export const DIGEST_PREFIX = AUDIT_DIGEST_PREFIX;

/** Appends are serialized per file (one pipeline per data directory), each line chained to the last. */
const fileTails = new Map<string, Promise<string>>();

export class FileDigestLog implements DigestLog {
  readonly where: string;

  constructor(private readonly dir: string) {
    this.where = join(dir, DIGEST_FILE);
  }

  private async lastHash(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.where, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DIGEST_GENESIS;
      throw error;
    }
    const last = text.trimEnd().split('\n').pop() ?? '';
    return last === '' ? DIGEST_GENESIS : (JSON.parse(last) as DigestLine).hash;
  }

  append(anchors: readonly Anchor[], at: Date): Promise<void> {
    if (anchors.length === 0) return Promise.resolve();
    const previous =
      fileTails.get(this.where) ?? mkdir(this.dir, { recursive: true }).then(() => this.lastHash());
    const next = previous.then(async (prev) => {
      const line = digestLine(prev, at.toISOString(), anchors);
      await appendFile(this.where, `${JSON.stringify(line)}\n`, { encoding: 'utf8', flag: 'a' });
      return line.hash;
    });
    // A failed append leaves the tail where it was (re-read from the file on the next one).
    fileTails.set(
      this.where,
      next.catch(() => this.lastHash()),
    );
    return next.then(() => undefined);
  }

  async read(): Promise<{ lines: DigestLine[]; broken?: { line: number; reason: string } }> {
    let text: string;
    try {
      text = await readFile(this.where, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [] };
      throw error;
    }
    const lines: DigestLine[] = [];
    const rows = text.split('\n').filter((row) => row !== '');
    for (let i = 0; i < rows.length; i++) {
      try {
        lines.push(JSON.parse(rows[i] ?? '') as DigestLine);
      } catch {
        return { lines, broken: { line: i + 1, reason: 'is not a digest line' } };
      }
    }
    const broken = verifyDigestLog(lines);
    return broken === undefined ? { lines } : { lines, broken };
  }
}

export class S3DigestLog implements DigestLog {
  readonly where: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.where = `s3://${bucket}/${DIGEST_PREFIX}`;
  }

  async append(anchors: readonly Anchor[], at: Date): Promise<void> {
    if (anchors.length === 0) return;
    // Each object stands alone: Object Lock, not a chain, is what keeps it as written.
    const line = digestLine(DIGEST_GENESIS, at.toISOString(), anchors);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${DIGEST_PREFIX}${line.at.slice(0, 10)}/${line.at}-${randomBytes(6).toString('hex')}.json`,
        Body: JSON.stringify(line),
        ContentType: 'application/json',
        // Object Lock takes an object only with a checksum of its body.
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }

  async read(): Promise<{ lines: DigestLine[] }> {
    const lines: DigestLine[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: DIGEST_PREFIX, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        lines.push(JSON.parse((await got.Body?.transformToString('utf-8')) ?? '') as DigestLine);
      }
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return { lines: lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) };
  }
}
