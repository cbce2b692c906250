import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStartArgs, runStart, type StartIo } from '../../lib/cli/start-command.js';
import { UsageError } from '../../lib/cli/usage-error.js';
import type { IngestHandlers } from '../../lib/local/wiring/ingest-functions.js';
import { tempDir } from '../support/temp.js';

/** Handlers that answer without touching storage: these tests are about the command, not ingest. */
const stubHandlers = async (): Promise<IngestHandlers> => ({
  webhook: async () => ({
    statusCode: 200,
    body: '{"accepted":0,"duplicates":0,"conflicts":[],"rejected":[]}',
  }),
  s3Drop: async () => undefined,
});

function io(extra: Partial<StartIo> = {}): StartIo & { text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return {
    out,
    err: new PassThrough(),
    loadHandlers: stubHandlers,
    ...extra,
    text: () => Buffer.concat(chunks).toString(),
  };
}

const tempData = (): string => join(tempDir('start-cmd-'), 'data');

describe('stocktally start', () => {
  const saved = { secret: process.env.STOCKTALLY_WEBHOOK_SECRET, token: process.env.STOCKTALLY_TOKEN };
  beforeEach(() => {
    delete process.env.STOCKTALLY_WEBHOOK_SECRET;
    delete process.env.STOCKTALLY_TOKEN;
  });
  afterEach(() => {
    for (const [name, value] of [
      ['STOCKTALLY_WEBHOOK_SECRET', saved.secret],
      ['STOCKTALLY_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('generates the secrets when the environment has none, prints them and writes them to endpoints.json', async () => {
    const dataDir = tempData();
    const run = io();

    const status = await runStart(['--once', '--port', '0', '--data', dataDir], run);

    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(status).toBe(0);
    expect(endpoints.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(endpoints.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(run.text()).toContain(
      `webhook secret  ${endpoints.webhookSecret}   (generated; set STOCKTALLY_WEBHOOK_SECRET`,
    );
    expect(run.text()).toContain(`bearer token    ${endpoints.token}   (generated; set STOCKTALLY_TOKEN`);
    expect(run.text()).toContain(`aws --endpoint-url ${endpoints.s3} s3 cp`);
  });

  it('runs until stopped, serving the API, then shuts down and gives the directory back', async () => {
    const dataDir = tempData();
    let stop: (signal: string) => void = () => undefined;
    let running: () => void = () => undefined;
    const up = new Promise<void>((resolve) => (running = resolve));
    const run = io({
      stopped: () => {
        running();
        return new Promise((resolve) => (stop = resolve));
      },
    });

    const finished = runStart(['--port', '0', '--data', dataDir], run);
    await up;
    const { api, token } = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Record<
      string,
      string
    >;
    const unknown = await fetch(`${api}/v1/nowhere`, { headers: { authorization: `Bearer ${token}` } });
    stop('SIGINT');

    expect(unknown.status).toBe(404);
    expect(await finished).toBe(0);
    expect(run.text()).toContain('Ctrl-C stops.');
    expect(run.text()).toContain('SIGINT: stopping');
    expect(existsSync(join(dataDir, 'stocktally.pid'))).toBe(false);
    await expect(fetch(api!)).rejects.toThrow();
  });

  it('refuses a busy port with one line naming it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = tempData();
    try {
      const failure = runStart(['--once', '--port', String(port), '--data', dataDir], io());
      await expect(failure).rejects.toBeInstanceOf(UsageError);
      await expect(failure).rejects.toThrow(
        new RegExp(`^start: port ${port} on 127\\.0\\.0\\.1 is already in use; [^\\n]+$`),
      );
      expect(existsSync(join(dataDir, 'stocktally.pid'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('refuses unusable arguments as usage errors and takes the documented defaults', () => {
    expect(parseStartArgs([])).toEqual({
      help: false,
      port: 4000,
      data: '.stocktally',
      demo: false,
      once: false,
    });
    expect(() => parseStartArgs(['--port', 'http'])).toThrow(UsageError);
    expect(() => parseStartArgs(['--port', '70000'])).toThrow('--port must be a port number 0-65535: 70000');
    expect(() => parseStartArgs(['--dmeo'])).toThrow(UsageError);
    expect(() => parseStartArgs(['extra'])).toThrow(UsageError);
  });

  it('prints its help without starting anything', async () => {
    const run = io({ loadHandlers: () => Promise.reject(new Error('must not start')) });

    expect(await runStart(['--help'], run)).toBe(0);
    expect(run.text()).toContain('Usage: stocktally start [--port 4000] [--data DIR] [--demo] [--once]');
  });
});
