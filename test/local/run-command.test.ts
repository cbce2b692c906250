import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupDigits, parseRunArgs, runRunCommand } from '../../lib/cli/run-command.js';
import { runStart } from '../../lib/cli/start-command.js';
import { UsageError } from '../../lib/cli/usage-error.js';
import { postSigned } from '../../lib/local/clients/webhook-client.js';
import { tempDir } from '../support/temp.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('stocktally run: arguments', () => {
  it('runs over the dirty partitions by default, and closes when a period is given', () => {
    expect(parseRunArgs([])).toMatchObject({ mode: 'continuous', data: '.stocktally', json: false });
    expect(parseRunArgs(['--period', '2026-10'])).toMatchObject({ mode: 'close', period: '2026-10' });
    expect(parseRunArgs(['--mode', 'close', '--as-of', '2026-11-02T00:00:00+08:00'])).toMatchObject({
      mode: 'close',
      asOf: '2026-11-02T00:00:00+08:00',
    });
  });

  it.each([
    [['--mode', 'nightly'], /--mode must be continuous or close/],
    [['--as-of', '2026-11-02'], /--as-of must be an ISO 8601 date-time/],
    [['--period', '2026-13'], /--period must be a month YYYY-MM/],
    [['--stage', 'prod'], /run: Unknown option/],
  ])('refuses %j with one line naming the problem', (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv)).toThrow(message);
  });

  it('says to start the pipeline when DIR has no endpoints.json', async () => {
    const data = tempDir('run-cmd-none-');

    await expect(
      runRunCommand(['--data', data], { out: capture().stream, err: capture().stream }),
    ).rejects.toThrow(/start the pipeline first \(stocktally start --data/);
  });

  it('groups the digits of money without touching its decimals', () => {
    expect(groupDigits('3293029.91')).toBe('3,293,029.91');
    expect(groupDigits('-1000')).toBe('-1,000');
    expect(groupDigits('999.5')).toBe('999.5');
  });
});

/** The API of a starting pipeline, once its endpoints.json is written whole. */
async function endpointsApi(file: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    try {
      if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { api: string }).api;
    } catch {
      // Written while we read: read again.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${file} never appeared`);
}

const SECRET = 'run-command-test-secret';
const TOKEN = 'run-command-test-token';

describe('stocktally run against a running stocktally start', () => {
  const saved = { secret: process.env.STOCKTALLY_WEBHOOK_SECRET, token: process.env.STOCKTALLY_TOKEN };
  const dataDir = join(tempDir('run-cmd-'), 'data');
  let stop: (signal: string) => void = () => undefined;
  let started: Promise<number>;

  beforeAll(async () => {
    process.env.STOCKTALLY_WEBHOOK_SECRET = SECRET;
    process.env.STOCKTALLY_TOKEN = TOKEN;
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    started = runStart(['--port', '0', '--data', dataDir], {
      out: capture().stream,
      err: capture().stream,
      stopped: () => stopped,
    });
    const api = await endpointsApi(join(dataDir, 'endpoints.json'));
    for (const [i, sku] of ['SKU-A', 'SKU-B'].entries()) {
      const body = JSON.stringify({
        eventId: `E-${i}`,
        warehouseId: 'WH-1',
        sku,
        type: 'SHIPMENT',
        quantity: '2',
        documentRef: `SO-${i}`,
        occurredAt: '2026-10-05T10:00:00+08:00',
      });
      await postSigned({ url: `${api}/v1/movements`, secret: SECRET, body, contentType: 'application/json' });
    }
  });
  afterAll(async () => {
    stop('SIGTERM');
    await started;
    for (const [name, value] of [
      ['STOCKTALLY_WEBHOOK_SECRET', saved.secret],
      ['STOCKTALLY_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('starts a continuous run over the partitions ingest marked, shows each partition and the summary', async () => {
    const out = capture();

    const status = await runRunCommand(['--data', dataDir, '--as-of', '2026-11-02T00:00:00Z'], {
      out: out.stream,
      err: capture().stream,
      pollMs: 20,
    });

    const text = out.text();
    expect(status).toBe(0);
    expect(text).toMatch(/^started run continuous-20261102T000000Z-[0-9a-f]+ \(continuous\)$/m);
    expect(text).toMatch(/^ {2}2 partitions to reconcile$/m);
    expect(
      text.match(/^ {2}partition +\d+ done +\d\/2 +read \d+ ms, reconcile \d+ ms, write \d+ ms$/gm),
    ).toHaveLength(2);
    expect(text).toMatch(
      /^run continuous-\S+: SUCCEEDED {2}\(continuous, as of 2026-11-02T00:00:00\.000Z, 2 partitions/m,
    );
    expect(text).toMatch(/^ {2}groups 2, matched 0, match rate 0\.00 %$/m);
    expect(text).toMatch(/^ {4}by kind {6}MISSING_IN_FINANCE 2$/m);
  });

  it('finds nothing left to do on the next continuous run, and says how to reconcile everything', async () => {
    const out = capture();

    const status = await runRunCommand(['--data', dataDir], {
      out: out.stream,
      err: capture().stream,
      pollMs: 20,
    });

    expect(status).toBe(0);
    expect(out.text()).toContain(
      'no partition changed since the last run; --mode close reconciles every partition',
    );
    expect(out.text()).toMatch(/SUCCEEDED {2}\(continuous, as of \S+, 0 partitions/);
  });

  it('prints the run record as JSON with --json', async () => {
    const out = capture();

    const status = await runRunCommand(
      ['--data', dataDir, '--mode', 'close', '--as-of', '2026-11-02T00:00:00Z', '--json'],
      { out: out.stream, err: capture().stream, pollMs: 20 },
    );

    expect(status).toBe(0);
    const record = JSON.parse(out.text()) as { status: string; mode: string; partitions: number[] };
    expect(record).toMatchObject({ status: 'SUCCEEDED', mode: 'close' });
    expect(record.partitions).toHaveLength(64);
  });
});
