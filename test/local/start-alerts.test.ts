import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runStart } from '../../lib/cli/start-command.js';
import { tempDir } from '../support/temp.js';

/** Collects what runStart prints. */
function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Received {
  chat: { channel: string; format: string; body: Record<string, unknown> }[];
  email: { channel: string; kind: string; subject: string; text: string }[];
  deadLetters: unknown[];
}

/**
 * `npm start` twice on the same data: the first demo run's alerts reach the chat sink in all three
 * formats (RED alerts and digests), the second run over the same data sends none.
 */
describe('stocktally start --demo --once, twice on the same data', () => {
  const saved = { secret: process.env.STOCKTALLY_WEBHOOK_SECRET, token: process.env.STOCKTALLY_TOKEN };
  const dataDir = join(tempDir('stocktally-alerts-'), 'data');
  const runs: { status: number; out: string; err: string; received: Received }[] = [];

  beforeAll(async () => {
    process.env.STOCKTALLY_WEBHOOK_SECRET = 'alerts-test-secret';
    process.env.STOCKTALLY_TOKEN = 'alerts-test-token';
    for (let i = 0; i < 2; i++) {
      // A fresh process's handlers: their AWS clients keep the first stand-ins' endpoints otherwise.
      vi.resetModules();
      const out = capture();
      const err = capture();
      const status = await runStart(['--demo', '--once', '--port', '0', '--data', dataDir], {
        out: out.stream,
        err: err.stream,
      });
      const received = JSON.parse(readFileSync(join(dataDir, 'alerts-received.json'), 'utf8')) as Received;
      runs.push({ status, out: out.text(), err: err.text(), received });
    }
  }, 120_000);
  afterAll(() => {
    for (const [name, value] of [
      ['STOCKTALLY_WEBHOOK_SECRET', saved.secret],
      ['STOCKTALLY_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('prints, per channel, the RED alerts and the digests it received, in each format', () => {
    const [first] = runs;
    expect(first?.status).toBe(0);
    expect(first?.err).toBe('');
    const text = first?.out ?? '';
    expect(text).toMatch(/chat sink +http:\/\/127\.0\.0\.1:\d+ +DingTalk, WeCom and Slack stand-ins/);
    expect(text).toMatch(
      /ops-dingtalk \(dingtalk\): \d+ RED, 1 YELLOW digest, 1 daily digest\n +🔴 红灯 RED · WH-/,
    );
    expect(text).toMatch(/finance-slack \(slack\): \d+ RED, 1 YELLOW digest, 1 daily digest/);
    expect(text).toMatch(
      /shanghai-wecom \(wecom\): 1 RED, 1 YELLOW digest, 1 daily digest\n +🔴 红灯 RED · WH-上海-02 · /,
    );
    expect(text).toMatch(/🟡 黄灯 YELLOW 汇总 digest · \d+ 项 items/);
    expect(text).toMatch(/🟢 每日汇总 Daily digest 2026-11-01 · 红灯 RED \d+/);
    expect(text).toMatch(/controller-email \(email\): \d+ RED\n/);
    expect(text).toContain('demo: every step succeeded');
  });

  it('keeps every message the sink received, whole, in DIR/alerts-received.json', () => {
    const received = runs[0]?.received;
    const formats = new Set(received?.chat.map((m) => m.format));
    expect([...formats].sort()).toEqual(['dingtalk', 'slack', 'wecom']);
    const ding = received?.chat.find((m) => m.format === 'dingtalk')?.body;
    expect(ding).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: expect.stringMatching(/^🔴 红灯 RED/) },
    });
    const wecom = received?.chat.find((m) => m.format === 'wecom')?.body;
    expect(wecom).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('<font color=') },
    });
    const slack = received?.chat.find((m) => m.format === 'slack')?.body;
    expect(slack).toMatchObject({
      blocks: expect.arrayContaining([expect.objectContaining({ type: 'header' })]),
    });
    expect(received?.email.some((e) => e.kind === 'daily-digest')).toBe(true);
    expect(received?.deadLetters).toEqual([]);
  });

  it('sends no alert again when the next start runs over the same data', () => {
    const [first, second] = runs;
    expect(second?.status).toBe(0);
    expect(second?.out).toContain('alerts   none new: earlier runs alerted everything this run found');
    expect(second?.received.chat).toEqual([]);
    expect(second?.received.email).toEqual([]);
    expect(first?.received.chat.length).toBeGreaterThan(0);
  });
});
