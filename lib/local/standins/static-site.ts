import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard as `stocktally start` serves it on the API's port: the files Vite built into
 * dist/web/, `config.json` telling the app it runs locally, index.html for any other page path
 * (the app routes by hash, but a reload of a path must not 404), and the security headers the
 * cloud's CloudFront policy sets. Static files need no token: the app carries the token to the API.
 */
export interface SiteAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export interface StaticSite {
  dir: string;
  /** The answer for a GET or HEAD of `rawPath`, or undefined when the path is not the site's. */
  answer(rawPath: string): Promise<SiteAnswer | undefined>;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page's policy: everything from this origin, nothing inline, no framing. */
export const LOCAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': LOCAL_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Paths that belong to the API even when no route matches them: never answered with the app. */
export const API_PREFIXES = ['/v1/', '/local/'];

export function isSitePath(rawPath: string): boolean {
  return !API_PREFIXES.some((p) => rawPath === p.slice(0, -1) || rawPath.startsWith(p));
}

function answerOf(statusCode: number, type: string, body: Buffer, cache: string): SiteAnswer {
  return {
    statusCode,
    headers: { 'content-type': type, 'cache-control': cache, ...SECURITY_HEADERS },
    cookies: [],
    body,
  };
}

export function staticSite(dir: string, config: Record<string, unknown>): StaticSite {
  const root = normalize(dir);
  const configBody = Buffer.from(JSON.stringify(config));
  return {
    dir: root,
    async answer(rawPath) {
      if (!isSitePath(rawPath)) return undefined;
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        return answerOf(400, 'text/plain; charset=utf-8', Buffer.from('Bad Request'), 'no-store');
      }
      if (path === '/config.json') return answerOf(200, CONTENT_TYPES['.json'] ?? '', configBody, 'no-store');
      const file = normalize(join(root, path));
      const inside = file === root || file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
      if (inside && file !== root && existsSync(file) && statSync(file).isFile()) {
        const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
        // Hashed asset names never change content; everything else is checked on each load.
        const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        return answerOf(200, type, await readFile(file), cache);
      }
      // A missing asset is a 404; any other path is a page of the app (SPA fallback).
      if (!inside || extname(path) !== '') {
        return answerOf(404, 'text/plain; charset=utf-8', Buffer.from('Not Found'), 'no-store');
      }
      return answerOf(
        200,
        CONTENT_TYPES['.html'] ?? '',
        await readFile(join(root, 'index.html')),
        'no-cache',
      );
    },
  };
}

/** dist/web/ of this checkout (from lib/local/ in tests, from dist/ or dist/chunks/ in the bundle). */
export function findBuiltSite(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let up = 0; up < 5; up++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stocktally') {
          const site = join(dir, 'dist', 'web');
          return existsSync(join(site, 'index.html')) ? site : undefined;
        }
      } catch {
        // not ours; keep looking up
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** The address `stocktally start` prints: the app, handed the token in the fragment (never sent to a server). */
export function dashboardUrl(api: string, token: string): string {
  return `${api}/#token=${encodeURIComponent(token)}`;
}
