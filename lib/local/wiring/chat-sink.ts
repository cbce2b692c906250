import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatChannelType, ChatSecret } from '../../core/alerts/alert-config.js';
import { verifyDingTalk } from '../../core/alerts/dingtalk-sign.js';

/**
 * The three chat services on 127.0.0.1, for `stocktally start` and the tests: each registered
 * channel gets a webhook URL (and for DingTalk a signing secret) of its own, and the sink answers
 * the way the real service does:
 *
 *   DingTalk  POST /dingtalk/<channel>/robot/send?access_token=&timestamp=&sign=   HTTP 200 and
 *             {"errcode":0,"errmsg":"ok"}; errcode 310000 when the timestamp is more than an hour
 *             off or the sign does not match (checked exactly as DingTalk does), 300001 for an
 *             unknown token, 40035 for a body without a markdown title and text
 *   WeCom     POST /wecom/<channel>/cgi-bin/webhook/send?key=   {"errcode":0,"errmsg":"ok"};
 *             93000 for an unknown key, 40058 for markdown content over 4,096 bytes
 *   Slack     POST /slack/<channel>/services/T.../B.../<token>   200 `ok`; 404 `no_service` for an
 *             unknown hook, 400 `invalid_payload` without text or blocks
 *
 * It records what each channel received (accepted messages) and what it refused. Tests script
 * answers before the real ones (`script`: a 429 with Retry-After, a 500 that never ends).
 */
export interface SinkChannel {
  name: string;
  type: ChatChannelType;
  /** What the channel's secret holds: the webhook URL and, for DingTalk, the signing secret. */
  secret: ChatSecret;
}

export interface SinkMessage {
  channel: string;
  type: ChatChannelType;
  body: Record<string, unknown>;
  at: Date;
}

export interface SinkRefusal extends SinkMessage {
  status: number;
  answer: string;
}

/** An answer the sink gives instead of the service's (fault injection). */
export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface ChatSink {
  url: string;
  /** Registers a channel and returns its webhook URL and secret. */
  addChannel(name: string, type: ChatChannelType): SinkChannel;
  channels(): SinkChannel[];
  /** Accepted messages, in arrival order (optionally of one channel). */
  received(channel?: string): SinkMessage[];
  refused(channel?: string): SinkRefusal[];
  /** Answers for the channel's next requests, before the real ones; `always` repeats the last forever. */
  script(channel: string, answers: ScriptedAnswer[], options?: { always?: boolean }): void;
  /** Every request the channel got, accepted, refused or scripted. */
  requests(channel: string): number;
  clear(): void;
  close(): Promise<void>;
}

const WECOM_MAX_BYTES = 4096;

interface Registered extends SinkChannel {
  token: string;
}

export interface ChatSinkOptions {
  port?: number;
  now?: () => number;
  /** Called with each message a channel accepts. */
  onMessage?: (message: SinkMessage) => void;
}

export async function startChatSink(options: ChatSinkOptions = {}): Promise<ChatSink> {
  const now = options.now ?? Date.now;
  const registered = new Map<string, Registered>();
  const accepted: SinkMessage[] = [];
  const refusals: SinkRefusal[] = [];
  const scripts = new Map<string, { answers: ScriptedAnswer[]; always: boolean }>();
  const counts = new Map<string, number>();
  let base = '';

  const answerJson = (res: ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const [, type, name] = url.pathname.split('/');
    const channel = name === undefined ? undefined : registered.get(decodeURIComponent(name));
    if (req.method !== 'POST' || channel === undefined || channel.type !== type) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
      return;
    }
    counts.set(channel.name, (counts.get(channel.name) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = {};
    }
    const message = { channel: channel.name, type: channel.type, body, at: new Date(now()) };

    const script = scripts.get(channel.name);
    const scripted = script?.answers[0];
    if (script !== undefined && scripted !== undefined) {
      if (!(script.always && script.answers.length === 1)) script.answers.shift();
      res
        .writeHead(scripted.status, { 'content-type': 'text/plain', ...scripted.headers })
        .end(scripted.body ?? '');
      refusals.push({ ...message, status: scripted.status, answer: scripted.body ?? '' });
      return;
    }

    const refuse = (status: number, answer: unknown): void => {
      const shown = typeof answer === 'string' ? answer : JSON.stringify(answer);
      refusals.push({ ...message, status, answer: shown });
      if (typeof answer === 'string') res.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
      else answerJson(res, status, answer);
    };
    const markdown = body.markdown as { title?: unknown; text?: unknown; content?: unknown } | undefined;

    switch (channel.type) {
      case 'dingtalk': {
        if (url.searchParams.get('access_token') !== channel.token) {
          refuse(200, { errcode: 300001, errmsg: 'token is not exist' });
          return;
        }
        const check = verifyDingTalk(
          channel.secret.signingSecret ?? '',
          url.searchParams.get('timestamp'),
          url.searchParams.get('sign'),
          now(),
        );
        if (!check.ok) {
          refuse(200, { errcode: 310000, errmsg: `sign not match, more: ${check.reason}` });
          return;
        }
        if (
          body.msgtype !== 'markdown' ||
          typeof markdown?.title !== 'string' ||
          typeof markdown.text !== 'string'
        ) {
          refuse(200, { errcode: 40035, errmsg: '缺少参数 json' });
          return;
        }
        break;
      }
      case 'wecom': {
        if (url.searchParams.get('key') !== channel.token) {
          refuse(200, { errcode: 93000, errmsg: 'invalid webhook url' });
          return;
        }
        if (body.msgtype !== 'markdown' || typeof markdown?.content !== 'string') {
          refuse(200, { errcode: 40008, errmsg: 'invalid message type' });
          return;
        }
        if (Buffer.byteLength(markdown.content, 'utf8') > WECOM_MAX_BYTES) {
          refuse(200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
          return;
        }
        break;
      }
      case 'slack': {
        if (!url.pathname.endsWith(`/${channel.token}`)) {
          refuse(404, 'no_service');
          return;
        }
        if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) {
          refuse(400, 'invalid_payload');
          return;
        }
        accepted.push(message);
        options.onMessage?.(message);
        res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
        return;
      }
    }
    accepted.push(message);
    options.onMessage?.(message);
    answerJson(res, 200, { errcode: 0, errmsg: 'ok' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const byChannel = <T extends { channel: string }>(list: T[], channel?: string): T[] =>
    channel === undefined ? [...list] : list.filter((m) => m.channel === channel);

  return {
    url: base,
    addChannel(name, type) {
      const token = randomBytes(16).toString('hex');
      const path = encodeURIComponent(name);
      const webhookUrl =
        type === 'dingtalk'
          ? `${base}/dingtalk/${path}/robot/send?access_token=${token}`
          : type === 'wecom'
            ? `${base}/wecom/${path}/cgi-bin/webhook/send?key=${token}`
            : `${base}/slack/${path}/services/T00000000/B00000000/${token}`;
      const secret: ChatSecret =
        type === 'dingtalk'
          ? { webhookUrl, signingSecret: `SEC${randomBytes(24).toString('hex')}` }
          : { webhookUrl };
      const channel: Registered = { name, type, secret, token };
      registered.set(name, channel);
      return { name, type, secret };
    },
    channels: () => [...registered.values()].map(({ name, type, secret }) => ({ name, type, secret })),
    received: (channel) => byChannel(accepted, channel),
    refused: (channel) => byChannel(refusals, channel),
    script(channel, answers, opts = {}) {
      scripts.set(channel, { answers: [...answers], always: opts.always ?? false });
    },
    requests: (channel) => counts.get(channel) ?? 0,
    clear() {
      accepted.length = 0;
      refusals.length = 0;
      scripts.clear();
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
