import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStart } from '../../lib/cli/start-command.js';
import { signBody } from '../../lib/core/ingest/signature.js';
import { findDemoSet } from '../../lib/local/demo/demo-set.js';
import { tempDir } from '../support/temp.js';

/** Collects what runStart prints. */
function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const SECRET = 'demo-test-secret';
const TOKEN = 'demo-test-token';

describe('stocktally start --demo --once against the real handlers', () => {
  const saved = { secret: process.env.STOCKTALLY_WEBHOOK_SECRET, token: process.env.STOCKTALLY_TOKEN };
  const dataDir = join(tempDir('stocktally-start-'), 'data');
  const out = capture();
  const err = capture();
  let status: number;

  beforeAll(async () => {
    process.env.STOCKTALLY_WEBHOOK_SECRET = SECRET;
    process.env.STOCKTALLY_TOKEN = TOKEN;
    status = await runStart(['--demo', '--once', '--port', '0', '--data', dataDir], {
      out: out.stream,
      err: err.stream,
    });
  });
  afterAll(() => {
    for (const [name, value] of [
      ['STOCKTALLY_WEBHOOK_SECRET', saved.secret],
      ['STOCKTALLY_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('ends with status 0 and the demo counts for both ingest paths', () => {
    const { expected } = findDemoSet().manifest;
    const text = out.text();
    const line = (c: typeof expected.wms): string =>
      `accepted ${c.accepted}, duplicates ${c.duplicates}, conflicts ${c.conflicts}, rejected ${c.rejected}`;

    expect(err.text()).toBe('');
    expect(status).toBe(0);
    expect(text).toMatch(
      new RegExp(`webhook +wms\\.ndjson +-> POST /v1/movements\\n +${line(expected.wms)}`),
    );
    expect(text).toMatch(
      new RegExp(
        `S3 drop +finance\\.csv +-> incoming/finance/demo-[0-9-]+\\.csv\\n +${line(expected.finance)}`,
      ),
    );
    expect(text).toMatch(
      /S3 drop +uom\.csv +-> incoming\/uom\/demo-[0-9-]+\.csv\n +accepted \d+, duplicates 0, conflicts 0, rejected 0/,
    );
    expect(text).toContain('demo: every step succeeded');
  });

  it('writes DIR/endpoints.json with the contract’s fields and the secrets from the environment', () => {
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Record<
      string,
      string
    >;

    expect(Object.keys(endpoints).sort()).toEqual([
      'api',
      'bucket',
      'dynamodb',
      's3',
      'token',
      'webhookSecret',
    ]);
    expect(endpoints.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.bucket).toBe('stocktally-data');
    expect(endpoints.webhookSecret).toBe(SECRET);
    expect(endpoints.token).toBe(TOKEN);
    for (const value of Object.values(endpoints)) expect(out.text()).toContain(value);
  });

  it('closes the earlier month through the state machine, locks it, and shows the live month (CONTRACT §7)', () => {
    const text = out.text();

    expect(text).toMatch(/run +close of 2026-10 -> POST \/v1\/runs/);
    expect(text).toMatch(
      /states: ListPartitions -> InlineOrDistributed -> ReconcilePartitions \(64 partitions\) -> ReconcilePartition -> SummarizeRun/,
    );
    expect(text).toMatch(
      /run close-\S+: SUCCEEDED {2}\(close, as of 2026-11-01T00:00:00\.000Z, 64 partitions/,
    );
    expect(text).toMatch(/lock +2026-10 locked by zhao\.reviewer \(override: the close-check had blockers\)/);
    expect(text).toMatch(/webhook +4 movements, 1 dated in locked 2026-10 \(a late arrival\)/);
    expect(text).toMatch(/run +live view of 2026-11 as of 2026-11-02T00:00:00Z -> POST \/v1\/runs/);
    expect(text).toMatch(/2026-11 +open +error rate +- /);
    expect(text).toMatch(
      /2026-10 +locked +error rate +\d+\.\d{2} % +at stake +[\d.]+ +close days \d+ +late 1/,
    );
    expect(text).toMatch(/groups \d+, matched \d+, match rate \d+\.\d{2} %/);
    expect(text).toMatch(/by severity {2}RED \d+, YELLOW \d+, GREEN \d+/);
    expect(text).toMatch(/money at stake [\d,]+\.\d{2} {2}\(RED /);
    // The PDF report's presigned link on the embedded S3, after the summary.
    const link =
      /report +(http:\/\/127\.0\.0\.1:\d+\/stocktally-data\/reports\/close-\S+\/report\.pdf\?\S+)/.exec(text);
    expect(link).not.toBeNull();
    expect(text.indexOf(link![0])).toBeGreaterThan(text.indexOf('money at stake'));
    expect(new URL(link![1]!).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the data in DIR and gives the directory back when done', () => {
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
    expect(existsSync(join(dataDir, 's3', 'stocktally-data'))).toBe(true);
    expect(existsSync(join(dataDir, 'stocktally.pid'))).toBe(false);
  });

  it('prints a curl line whose signature is valid for its body and timestamp', () => {
    const curl = out
      .text()
      .split('\n')
      .find((l) => l.trim().startsWith('curl') && l.includes('v1='));
    const parts =
      /x-stocktally-timestamp: (\d+)'.*x-stocktally-signature: (v1=[0-9a-f]{64})'.*--data-binary '(.*)'$/.exec(
        curl ?? '',
      );

    expect(parts).not.toBeNull();
    const [, timestamp, signature, body] = parts!;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(signature).toBe(signBody(SECRET, timestamp!, body!));
    expect(JSON.parse(body!)).toMatchObject({ eventId: 'TRY-0001', type: 'RECEIPT' });
  });
});
