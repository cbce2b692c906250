import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PortInUseError,
  startHttpFront,
  type ApiHandler,
  type HttpFront,
  type Route,
} from '../../lib/local/standins/http-front.js';
import type { LocalLog } from '../../lib/local/standins/lambda-runtime.js';
import { SUITE_NOW } from '../support/clock.js';

const TOKEN = 'test-token-1';

/** A handler that keeps every event it gets and answers with `reply`. */
function recorder(reply: (event: APIGatewayProxyEventV2) => APIGatewayProxyResultV2<unknown>) {
  const events: APIGatewayProxyEventV2[] = [];
  const fn: ApiHandler = {
    name: 'test-fn',
    timeoutMs: 5_000,
    handler: async (event) => {
      events.push(event);
      return reply(event);
    },
  };
  return { events, fn };
}

function memoryLog(): LocalLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), error: (l) => lines.push(`ERROR ${l}`) };
}

describe('the local HTTP API front', () => {
  let front: HttpFront | undefined;
  afterEach(async () => {
    await front?.close();
    front = undefined;
  });

  async function serve(routes: Route[], log?: LocalLog): Promise<HttpFront> {
    front = await startHttpFront({ routes, token: TOKEN, port: 0, ...(log === undefined ? {} : { log }) });
    return front;
  }

  it('turns a request into the HTTP API v2 event and writes the handler answer back', async () => {
    const { events, fn } = recorder(() => ({
      statusCode: 201,
      headers: { 'X-Answer': 'yes', 'content-type': 'text/plain' },
      cookies: ['seen=1'],
      body: '已收到',
    }));
    const { url } = await serve([{ method: 'POST', path: '/v1/movements', auth: 'signed', fn }]);
    const body = '{"eventId":"E1","warehouseId":"WH-上海-02"}';

    const response = await fetch(`${url}/v1/movements?dry=1&dry=2&x=%E5%8D%81`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Stocktally-Timestamp': '1700000000' },
      body,
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(response.headers.get('set-cookie')).toBe('seen=1');
    expect(await response.text()).toBe('已收到');
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /v1/movements');
    expect(event.rawPath).toBe('/v1/movements');
    expect(event.rawQueryString).toBe('dry=1&dry=2&x=%E5%8D%81');
    expect(event.queryStringParameters).toEqual({ dry: '1,2', x: '十' });
    expect(event.headers['x-stocktally-timestamp']).toBe('1700000000');
    expect(event.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(event.headers).every((h) => h === h.toLowerCase())).toBe(true);
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.requestContext.http.path).toBe('/v1/movements');
    expect(event.requestContext.routeKey).toBe('POST /v1/movements');
    expect(event.requestContext.stage).toBe('$default');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Stamped by the pipeline's clock: the suite's now.
    expect(event.requestContext.timeEpoch).toBe(Date.parse(SUITE_NOW));
  });

  it('passes NDJSON and binary bodies base64-encoded, byte for byte, and decodes a base64 answer', async () => {
    const { events, fn } = recorder(() => ({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 254, 255]).toString('base64'),
      isBase64Encoded: true,
    }));
    const { url } = await serve([{ method: 'POST', path: '/v1/entries', auth: 'signed', fn }]);
    const ndjson = Buffer.from('{"entryId":"F1"}\n{"entryId":"十月"}\n');
    const binary = Buffer.from([0xef, 0xbb, 0xbf, 0x00, 0xff, 0x0a]);

    const first = await fetch(`${url}/v1/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: ndjson,
    });
    await fetch(`${url}/v1/entries`, { method: 'POST', body: binary });

    expect(Buffer.from(await first.arrayBuffer())).toEqual(Buffer.from([0, 1, 254, 255]));
    expect(events.map((e) => e.isBase64Encoded)).toEqual([true, true]);
    expect(Buffer.from(events[0]!.body!, 'base64')).toEqual(ndjson);
    expect(Buffer.from(events[1]!.body!, 'base64')).toEqual(binary);
  });

  it('answers a result without statusCode as a JSON 200, and a failing handler as a logged 500', async () => {
    const ok = recorder(() => ({ accepted: 1 }) as unknown as APIGatewayProxyResultV2<unknown>);
    const failing: ApiHandler = {
      name: 'broken-fn',
      timeoutMs: 5_000,
      handler: () => Promise.reject(new TypeError('boom')),
    };
    const log = memoryLog();
    const { url } = await serve(
      [
        { method: 'POST', path: '/v1/movements', auth: 'signed', fn: ok.fn },
        { method: 'POST', path: '/v1/entries', auth: 'signed', fn: failing },
      ],
      log,
    );

    const inferred = await fetch(`${url}/v1/movements`, { method: 'POST', body: '{}' });
    const failed = await fetch(`${url}/v1/entries`, { method: 'POST', body: '{}' });

    expect(inferred.status).toBe(200);
    expect(inferred.headers.get('content-type')).toBe('application/json');
    expect(await inferred.json()).toEqual({ accepted: 1 });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(log.lines).toContain('ERROR broken-fn failed on POST /v1/entries: TypeError: boom');
  });

  it('lets the signed webhooks through without a token and holds every other route to the bearer token', async () => {
    const webhook = recorder(() => ({ statusCode: 200, body: 'webhook' }));
    const runs = recorder((event) => ({ statusCode: 200, body: JSON.stringify(event.pathParameters) }));
    const { url } = await serve([
      { method: 'POST', path: '/v1/movements', auth: 'signed', fn: webhook.fn },
      { method: 'GET', path: '/v1/runs/{runId}', auth: 'bearer', fn: runs.fn },
    ]);
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

    const signed = await fetch(`${url}/v1/movements`, { method: 'POST', body: '{}' });
    const none = await fetch(`${url}/v1/runs/r-1`);
    const wrong = await fetch(`${url}/v1/runs/r-1`, bearer('test-token-2'));
    const right = await fetch(`${url}/v1/runs/r-1`, bearer(TOKEN));
    const encoded = await fetch(`${url}/v1/runs/%E5%8D%81%20%2F1`, bearer(TOKEN));
    const unknownWithToken = await fetch(`${url}/v1/nothing`, bearer(TOKEN));
    const unknownWithout = await fetch(`${url}/v1/nothing`);
    const wrongMethod = await fetch(`${url}/v1/movements`, bearer(TOKEN));

    expect(signed.status).toBe(200);
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(runs.events).toHaveLength(2);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ runId: 'r-1' });
    expect(await encoded.json()).toEqual({ runId: '十 /1' });
    expect(runs.events[1]!.rawPath).toBe('/v1/runs/%E5%8D%81%20%2F1');
    expect(runs.events[0]!.routeKey).toBe('GET /v1/runs/{runId}');
    expect(unknownWithToken.status).toBe(404);
    expect(await unknownWithToken.json()).toEqual({ message: 'Not Found' });
    expect(unknownWithout.status).toBe(401);
    expect(wrongMethod.status).toBe(404);
  });

  it('answers only requests addressed to itself by Host (no DNS rebinding), and refuses the rest with 403', async () => {
    const { events, fn } = recorder(() => ({ statusCode: 200, body: '{}' }));
    const { url, port } = await serve([{ method: 'POST', path: '/v1/movements', auth: 'signed', fn }]);
    const send = (host: string) =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        const req = request(`${url}/v1/movements`, { method: 'POST', headers: { host } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        });
        req.on('error', reject);
        req.end('{}');
      });

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await send(host)).status, host).toBe(200);
    }
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1']) {
      const answer = await send(host);
      expect(answer.status, host).toBe(403);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(events).toHaveLength(3);
  });

  it('passes a JSON body that is not UTF-8 base64-encoded, byte for byte, so its signature still checks', async () => {
    const { events, fn } = recorder(() => ({ statusCode: 200, body: '{}' }));
    const { url } = await serve([{ method: 'POST', path: '/v1/movements', auth: 'signed', fn }]);
    const body = Buffer.from([0x5b, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x5d]);

    await fetch(`${url}/v1/movements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64').equals(body)).toBe(true);
  });

  it('refuses a body over API Gateway’s 10 MB before the handler sees it', async () => {
    const { events, fn } = recorder(() => ({ statusCode: 200 }));
    const { url } = await serve([{ method: 'POST', path: '/v1/movements', auth: 'signed', fn }]);

    const response = await fetch(`${url}/v1/movements`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });

    expect(response.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('names the port when it is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failure = startHttpFront({ routes: [], token: TOKEN, port });
      await expect(failure).rejects.toBeInstanceOf(PortInUseError);
      await expect(failure).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });
});
