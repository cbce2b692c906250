import { describe, expect, it } from 'vitest';
import {
  beginCognitoSignIn,
  claimsOf,
  cognitoSession,
  localSession,
  parseConfig,
  signOutUrl,
} from '../src/auth.js';
import { Api } from '../src/api.js';
import { challengeOf } from '../src/pkce.js';

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

function env(href: string) {
  const url = new URL(href);
  const replaced: string[] = [];
  const assigned: string[] = [];
  return {
    storage: new MemoryStorage(),
    location: {
      href,
      hash: url.hash,
      search: url.search,
      origin: url.origin,
      pathname: url.pathname,
      assign: (u: string) => void assigned.push(u),
    },
    history: { replaceState: (_d: unknown, _u: string, u?: string) => void replaced.push(u ?? '') },
    replaced,
    assigned,
  };
}

const cognito = parseConfig({
  mode: 'cognito',
  apiUrl: 'https://api.example.com/',
  userPoolDomain: 'https://stocktally.auth.ap-northeast-1.amazoncognito.com',
  clientId: 'client123',
  region: 'ap-northeast-1',
});
if (cognito.mode !== 'cognito') throw new Error('config');

const jwt = (claims: object) =>
  `h.${btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(claims))))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')}.s`;

describe('local sign-in', () => {
  it('takes the token out of the address into sessionStorage and keeps the route', () => {
    const e = env('http://127.0.0.1:4000/#token=abc%2Bdef&/heatmap');
    const session = localSession(e);

    expect(session).toEqual({ token: 'abc+def', username: 'local', roles: ['admin'] });
    expect(e.replaced).toEqual(['/#/heatmap']);
    expect(e.storage.getItem('stocktally.token')).toBe('abc+def');
  });

  it('has no session without a token', () => {
    expect(localSession(env('http://127.0.0.1:4000/#/'))).toBeUndefined();
  });
});

describe('Cognito hosted UI, authorization code with PKCE', () => {
  it('computes the S256 challenge of RFC 7636’s example', async () => {
    expect(await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('sends the browser to /oauth2/authorize with the challenge, and exchanges the code with the verifier', async () => {
    const e = env('https://d111.cloudfront.net/#/list');
    const url = new URL(await beginCognitoSignIn(cognito, e));
    const pending = JSON.parse(e.storage.getItem('stocktally.pkce') ?? '{}') as {
      verifier: string;
      state: string;
    };

    expect(url.origin + url.pathname).toBe(
      'https://stocktally.auth.ap-northeast-1.amazoncognito.com/oauth2/authorize',
    );
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://d111.cloudfront.net/',
      code_challenge_method: 'S256',
      code_challenge: await challengeOf(pending.verifier),
      state: pending.state,
    });
    expect(e.assigned).toEqual([url.toString()]);

    const back = env(`https://d111.cloudfront.net/?code=the-code&state=${pending.state}`);
    back.storage.setItem('stocktally.pkce', JSON.stringify({ ...pending, back: '#/list' }));
    const idToken = jwt({
      'cognito:username': 'li.finance',
      'cognito:groups': ['finance-specialist'],
      exp: 4_000_000_000,
    });
    const posted: { url: string; body: string }[] = [];
    const session = await cognitoSession(cognito, {
      ...back,
      fetch: async (input, init) => {
        posted.push({ url: String(input), body: String(init?.body) });
        return new Response(JSON.stringify({ id_token: idToken, access_token: 'a' }), { status: 200 });
      },
    });

    expect(posted[0]?.url).toBe('https://stocktally.auth.ap-northeast-1.amazoncognito.com/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(posted[0]?.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'the-code',
      redirect_uri: 'https://d111.cloudfront.net/',
      code_verifier: pending.verifier,
    });
    expect(session).toEqual({ token: idToken, username: 'li.finance', roles: ['finance-specialist'] });
    expect(back.replaced).toEqual(['/#/list']);
  });

  it('refuses an answer whose state is not the one sent', async () => {
    const back = env('https://d111.cloudfront.net/?code=c&state=forged');
    back.storage.setItem('stocktally.pkce', JSON.stringify({ verifier: 'v', state: 'sent', back: '' }));
    await expect(
      cognitoSession(cognito, { ...back, fetch: () => Promise.reject(new Error('no call')) }),
    ).rejects.toThrow(/state/);
  });

  it('drops an expired id token so the app signs in again', async () => {
    const e = env('https://d111.cloudfront.net/#/');
    e.storage.setItem('stocktally.token', jwt({ exp: 1000 }));
    expect(
      await cognitoSession(cognito, { ...e, fetch: () => Promise.reject(new Error('no call')) }),
    ).toBeUndefined();
  });

  it('reads the claims of a token and builds the sign-out address', () => {
    expect(claimsOf(jwt({ email: '王@example.com' }))).toEqual({ email: '王@example.com' });
    expect(signOutUrl(cognito, env('https://d111.cloudfront.net/'))).toBe(
      'https://stocktally.auth.ap-northeast-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fd111.cloudfront.net%2F',
    );
  });

  it('calls the API on the page’s own origin with the config.json the stack deploys (apiUrl "")', async () => {
    // CloudFront serves the API under /v1/* of the dashboard's own address (lib/stacks/web.ts).
    const deployed = parseConfig({ ...cognito, apiUrl: '' });
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const api = new Api({
      baseUrl: deployed.apiUrl,
      token: () => 'id-token',
      fetch: async (url, init) => {
        calls.push({ url: String(url), headers: init?.headers as Record<string, string> });
        return new Response(JSON.stringify({ items: [], cursor: null }), { status: 200 });
      },
    });

    await api.runs(5);

    expect(calls).toEqual([
      { url: '/v1/runs?limit=5', headers: expect.objectContaining({ authorization: 'Bearer id-token' }) },
    ]);
  });

  it('refuses a config.json without a mode or a field, naming it', () => {
    expect(() => parseConfig({ mode: 'cloud' })).toThrow(/mode/);
    expect(() => parseConfig({ mode: 'cognito', apiUrl: 'x' })).toThrow(/userPoolDomain/);
  });
});
