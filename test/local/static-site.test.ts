import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFront, type HttpFront } from '../../lib/local/standins/http-front.js';
import { dashboardUrl, findBuiltSite, staticSite } from '../../lib/local/standins/static-site.js';
import { tempDir } from '../support/temp.js';

// The dashboard's files on the local HTTP front (issue 9): no token for them, the token for the API.
let front: HttpFront;

function siteDir(): string {
  const dir = tempDir('stocktally-site-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("看板")');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(tempDir('outside-'), 'secret.txt'), 'no');
  return dir;
}

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const url = new URL(front.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  front = await startHttpFront({
    routes: [],
    token: 'site-token',
    port: 0,
    site: staticSite(siteDir(), { mode: 'local', apiUrl: '' }),
  });
});
afterAll(async () => {
  await front.close();
});

describe('the dashboard on the local HTTP front', () => {
  it('serves the app at / without a token, with the security headers', async () => {
    const page = await get('/');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<div id="app">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their content types, cached for good, and HEAD alike', async () => {
    const js = await get('/assets/index-abc123.js');
    const css = await get('/assets/index-abc123.css', 'HEAD');

    expect(js).toMatchObject({ status: 200, body: 'console.log("看板")' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers config.json for local mode', async () => {
    const config = await get('/config.json');
    expect(JSON.parse(config.body)).toEqual({ mode: 'local', apiUrl: '' });
    expect(config.headers['cache-control']).toBe('no-store');
  });

  it('answers any other page path with the app, but a missing asset with 404', async () => {
    expect((await get('/list/deep/link')).body).toContain('<div id="app">');
    expect((await get('/assets/gone-123.js')).status).toBe(404);
  });

  it('never serves a file outside its directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd']) {
      const answer = await get(path);
      expect(answer.body, path).not.toContain('root:');
      expect(answer.body, path).not.toBe('no');
    }
  });

  it('leaves the API’s paths to the API: no app there, and the token still required', async () => {
    for (const path of ['/v1/runs', '/v1/cases/x', '/local/users']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(401);
      expect(answer.body).not.toContain('<div id="app">');
    }
    expect((await get('/', 'POST')).status).toBe(401);
  });

  it('finds the build of this checkout and hands the token over in the fragment only', () => {
    expect(findBuiltSite()).toMatch(/dist[/\\]web$/);
    expect(dashboardUrl('http://127.0.0.1:4000', 'a b+c')).toBe('http://127.0.0.1:4000/#token=a%20b%2Bc');
  });
});
