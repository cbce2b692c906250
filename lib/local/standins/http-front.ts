import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
export type { ApiHandler, Route } from './route.js';
import { describeError, invoke, SILENT, type LocalLog } from './lambda-runtime.js';
import type { Route } from './route.js';
import { claimsOf, resolveBearer, type LocalUser } from '../wiring/local-users.js';
import type { StaticSite } from './static-site.js';
import { currentTime } from '../../adapters/aws/clock.js';

/**
 * The HTTP API of API Gateway on loopback: each request becomes an HTTP API payload 2.0 event for the
 * real handler, and the handler's answer is written back the way API Gateway writes it. The route
 * table says who authenticates: the signed webhooks check their own HMAC, every other route needs the
 * bearer token of a local user (lib/local/wiring/local-users.ts) that `stocktally start` prints, and gets
 * that user's claims where API Gateway's JWT authorizer puts them (requestContext.authorizer.jwt).
 */

export interface HttpFrontOptions {
  routes: readonly Route[];
  token: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** One line per request, and the handler errors. */
  log?: LocalLog;
  /** The dashboard's files at `/`, GET and HEAD only, no token (lib/local/standins/static-site.ts). */
  site?: StaticSite;
}

export interface HttpFront {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is already in use`);
    this.name = 'PortInUseError';
  }
}

/** API Gateway's own payload limit for HTTP APIs; the handlers enforce the contract's smaller one. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Bodies API Gateway passes to the function as text; every other content type (and none at all)
 * arrives base64-encoded with isBase64Encoded true. Observed on HTTP APIs with payload format 2.0:
 * text/*, application/json, application/xml and application/javascript are text; so NDJSON
 * (application/x-ndjson) and form posts arrive base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    media.startsWith('text/') ||
    media === 'application/json' ||
    media === 'application/xml' ||
    media === 'application/javascript'
  );
}

interface CompiledRoute {
  route: Route;
  routeKey: string;
  segments: { literal?: string; param?: string; greedy?: boolean }[];
}

function compile(route: Route): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (param === null) return { literal: segment };
      return { param: param[1], greedy: param[2] === '+' };
    });
  return { route, routeKey: `${route.method.toUpperCase()} ${route.path}`, segments };
}

/** The route's path parameters, decoded, when `rawPath` is on it; segments are compared decoded. */
function match(compiled: CompiledRoute, method: string, rawPath: string): Record<string, string> | undefined {
  if (compiled.route.method.toUpperCase() !== method) return undefined;
  const parts = rawPath.split('/').slice(1);
  const params = Object.create(null) as Record<string, string>;
  for (let i = 0; i < compiled.segments.length; i++) {
    const segment = compiled.segments[i];
    const part = parts[i];
    if (segment === undefined || part === undefined) return undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== decodeSegment(part)) return undefined;
    } else if (segment.param !== undefined) {
      if (segment.greedy === true) {
        params[segment.param] = parts.slice(i).map(decodeSegment).join('/');
        return params;
      }
      if (part === '') return undefined;
      params[segment.param] = decodeSegment(part);
    }
  }
  return parts.length === compiled.segments.length ? params : undefined;
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Headers lower-cased, repeated headers joined with commas, cookies moved to their own field. */
function collectHeaders(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  // No prototype: header names are the client's (a header named __proto__ is just a header).
  const headers = Object.create(null) as Record<string, string>;
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
function gatewayTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

export interface RequestFacts {
  method: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  sourceIp: string;
  host: string;
}

/** The HTTP API payload 2.0 event for one request on one route; `claims` as a JWT authorizer passes them. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function toApiGatewayEvent(
  request: RequestFacts,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  now = currentTime().getTime(),
  claims?: Record<string, string>,
): APIGatewayProxyEventV2 {
  // A text type whose bytes are not UTF-8 goes base64-encoded, byte for byte: decoding it would
  // change the signed bytes (a 401 for what is really an unreadable body, 400).
  const text = isTextContentType(request.headers['content-type']) && isUtf8(request.body);
  const hasBody = request.body.length > 0;
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    headers: {
      ...request.headers,
      'x-forwarded-for': request.sourceIp,
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': `Root=1-${Math.floor(now / 1000).toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)}`,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.host,
      domainPrefix: request.host.split('.')[0] ?? request.host,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now,
    },
    isBase64Encoded: hasBody && !text,
  };
  if (claims !== undefined) {
    (event.requestContext as { authorizer?: unknown }).authorizer = { jwt: { claims, scopes: null } };
  }
  if (request.cookies.length > 0) event.cookies = request.cookies;
  const query = queryParameters(request.rawQueryString);
  if (query !== undefined) event.queryStringParameters = query;
  if (pathParameters !== undefined && Object.keys(pathParameters).length > 0) {
    event.pathParameters = pathParameters;
  }
  if (hasBody) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
  return event;
}

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

/**
 * API Gateway's reading of a payload 2.0 result: with a statusCode it is the response itself;
 * anything else is a 200 whose JSON body is the result.
 */
export function fromLambdaResult(result: unknown): HttpAnswer {
  if (!isStructured(result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? '')),
    };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const body = result.body ?? '';
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    cookies: result.cookies ?? [],
    body: result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}

function message(statusCode: number, text: string, extra: Record<string, string> = {}): HttpAnswer {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      ...extra,
    },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

/** The local user of an `Authorization: Bearer <token>` header, or undefined. */
function userOf(authorization: string | undefined, token: string): LocalUser | undefined {
  const found = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return found?.[1] === undefined ? undefined : resolveBearer(found[1], token);
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_PAYLOAD_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The Host values a request to this front may carry: its own address and port, or localhost. A page
 * elsewhere that rebinds its own name to 127.0.0.1 sends its own name as Host, and is refused.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  return new Set([...names].map((name) => `${name.toLowerCase()}:${port}`));
}

export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? SILENT;
  const compiled = options.routes.map(compile);
  let hosts = new Set<string>();

  async function answer(req: IncomingMessage): Promise<HttpAnswer> {
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
      req.resume();
      return message(403, 'Forbidden: this API answers only requests addressed to it (Host)');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const rawQueryString = q < 0 ? '' : target.slice(q + 1);

    let found: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    for (const c of compiled) {
      const params = match(c, method, rawPath);
      if (params !== undefined) {
        found = { compiled: c, params };
        break;
      }
    }
    if (found === undefined && options.site !== undefined && (method === 'GET' || method === 'HEAD')) {
      const page = await options.site.answer(rawPath);
      if (page !== undefined) {
        req.resume();
        return page;
      }
    }
    const { headers, cookies } = collectHeaders(req);
    // Unknown routes answer 401 before 404 without a token, so routes are not probed unauthenticated.
    const user =
      found?.compiled.route.auth === 'signed' ? undefined : userOf(headers.authorization, options.token);
    if (found?.compiled.route.auth !== 'signed' && user === undefined) {
      req.resume();
      return message(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
    }
    if (found === undefined) {
      req.resume();
      return message(404, 'Not Found');
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        req.resume();
        return message(413, 'Request Entity Too Large');
      }
      throw error;
    }
    const { route, routeKey } = found.compiled;
    const event = toApiGatewayEvent(
      {
        method,
        rawPath,
        rawQueryString,
        headers,
        cookies,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        host: headers.host ?? `${host}`,
      },
      routeKey,
      found.params,
      currentTime().getTime(),
      user === undefined ? undefined : claimsOf(user),
    );
    try {
      return fromLambdaResult(await invoke(route.fn, event, event.requestContext.requestId));
    } catch (error) {
      log.error(`${route.fn.name} failed on ${routeKey}: ${describeError(error)}`);
      return message(500, 'Internal Server Error');
    }
  }

  function write(res: ServerResponse, reply: HttpAnswer): void {
    const headers: Record<string, string | string[]> = { ...reply.headers };
    if (reply.cookies.length > 0) headers['set-cookie'] = reply.cookies;
    headers['content-length'] = String(reply.body.length);
    res.writeHead(reply.statusCode, headers);
    res.end(reply.body);
  }

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    answer(req).then(
      (reply) => {
        write(res, reply);
        log.info(
          `${req.method ?? ''} ${req.url ?? ''} ${reply.statusCode} (${Math.round(performance.now() - started)} ms)`,
        );
      },
      (error: unknown) => {
        log.error(`${req.method ?? ''} ${req.url ?? ''} failed: ${describeError(error)}`);
        if (!res.headersSent) write(res, message(500, 'Internal Server Error'));
        else res.destroy();
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, options.port) : error);
    });
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
