import { challengeOf, makeVerifier } from './pkce.js';
import { now as clock } from './clock.js';

/**
 * Who the dashboard speaks as. `config.json` says how: locally (`mode: 'local'`) with the token
 * `stocktally start` prints, handed over in the URL's fragment (`#token=`) once and kept in
 * sessionStorage; in the cloud (`mode: 'cognito'`) through the Cognito hosted UI with the
 * authorization code and PKCE, the id token then sent as the bearer for the API's JWT authorizer.
 */
export type AppConfig =
  | { mode: 'local'; apiUrl: string }
  | { mode: 'cognito'; apiUrl: string; userPoolDomain: string; clientId: string; region: string };

export interface Session {
  token: string;
  /** Shown in the header: the local user, or the token's `cognito:username` / email. */
  username: string;
  roles: string[];
}

const TOKEN = 'stocktally.token';
const USER = 'stocktally.user';
const PKCE = 'stocktally.pkce';

export interface AuthEnv {
  storage: Storage;
  location: {
    href: string;
    hash: string;
    search: string;
    origin: string;
    pathname: string;
    assign(url: string): void;
  };
  history: { replaceState(data: unknown, unused: string, url?: string): void };
  fetch: typeof fetch;
}

export function parseConfig(raw: unknown): AppConfig {
  const c = (raw ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = c[name];
    if (typeof value !== 'string') throw new Error(`config.json: ${name} must be a string`);
    return value;
  };
  if (c.mode === 'local') return { mode: 'local', apiUrl: text('apiUrl') };
  if (c.mode === 'cognito') {
    return {
      mode: 'cognito',
      apiUrl: text('apiUrl').replace(/\/+$/, ''),
      userPoolDomain: text('userPoolDomain').replace(/\/+$/, ''),
      clientId: text('clientId'),
      region: text('region'),
    };
  }
  throw new Error(`config.json: mode must be 'local' or 'cognito', got ${JSON.stringify(c.mode)}`);
}

/** The claims of a JWT, unverified (the API verifies; the browser only reads name and groups). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (part === undefined) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '=')), (ch) =>
      ch.charCodeAt(0),
    );
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Takes `#token=...` out of the address (so it is not bookmarked) into sessionStorage. */
export function localSession(env: Pick<AuthEnv, 'storage' | 'location' | 'history'>): Session | undefined {
  const found = /(?:^#|&)token=([^&]+)/.exec(env.location.hash);
  if (found?.[1] !== undefined) {
    env.storage.setItem(TOKEN, decodeURIComponent(found[1]));
    env.storage.removeItem(USER);
    const rest = env.location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&/, '#');
    env.history.replaceState(
      null,
      '',
      `${env.location.pathname}${env.location.search}${rest === '#' ? '#/' : rest}`,
    );
  }
  const token = env.storage.getItem(TOKEN);
  if (token === null) return undefined;
  const user = env.storage.getItem(USER);
  const parsed = user === null ? undefined : (JSON.parse(user) as { username: string; roles: string[] });
  return { token, username: parsed?.username ?? 'local', roles: parsed?.roles ?? ['admin'] };
}

/** Speaks as another local user (the user switcher): their token and roles from GET /local/users. */
export function switchLocalUser(
  storage: Storage,
  user: { username: string; roles: string[]; token: string },
): void {
  storage.setItem(TOKEN, user.token);
  storage.setItem(USER, JSON.stringify({ username: user.username, roles: user.roles }));
}

function redirectUri(env: Pick<AuthEnv, 'location'>): string {
  return `${env.location.origin}/`;
}

/** Sends the browser to the hosted UI with a fresh PKCE verifier and state kept for the return. */
export async function beginCognitoSignIn(
  config: Extract<AppConfig, { mode: 'cognito' }>,
  env: Pick<AuthEnv, 'storage' | 'location'>,
  random?: (bytes: Uint8Array) => Uint8Array,
): Promise<string> {
  const verifier = makeVerifier(random);
  const state = makeVerifier(random);
  env.storage.setItem(PKCE, JSON.stringify({ verifier, state, back: env.location.hash }));
  const url = new URL(`${config.userPoolDomain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(env),
    scope: 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: await challengeOf(verifier),
  }).toString();
  env.location.assign(url.toString());
  return url.toString();
}

function sessionOfIdToken(idToken: string): Session {
  const claims = claimsOf(idToken);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
  const username = String(claims['cognito:username'] ?? claims.email ?? claims.sub ?? '?');
  return { token: idToken, username, roles: groups };
}

/**
 * The session in cognito mode: back from the hosted UI with `?code=&state=`, the code is exchanged
 * (with the verifier) at the token endpoint; else the id token kept from before, while it is valid.
 */
export async function cognitoSession(
  config: Extract<AppConfig, { mode: 'cognito' }>,
  env: AuthEnv,
  now = clock().getTime(),
): Promise<Session | undefined> {
  const params = new URLSearchParams(env.location.search);
  const code = params.get('code');
  const pending = env.storage.getItem(PKCE);
  if (code !== null && pending !== null) {
    const { verifier, state, back } = JSON.parse(pending) as {
      verifier: string;
      state: string;
      back: string;
    };
    env.storage.removeItem(PKCE);
    if (params.get('state') !== state) throw new Error('sign-in answer does not match the request (state)');
    const response = await env.fetch(`${config.userPoolDomain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: redirectUri(env),
        code_verifier: verifier,
      }).toString(),
    });
    if (!response.ok) throw new Error(`sign-in failed: the token endpoint answered ${response.status}`);
    const tokens = (await response.json()) as { id_token?: string };
    if (tokens.id_token === undefined) throw new Error('sign-in failed: no id token');
    env.storage.setItem(TOKEN, tokens.id_token);
    env.history.replaceState(null, '', `${env.location.pathname}${back || '#/'}`);
  }
  const token = env.storage.getItem(TOKEN);
  if (token === null) return undefined;
  const exp = Number(claimsOf(token).exp ?? 0);
  if (exp * 1000 <= now) {
    env.storage.removeItem(TOKEN);
    return undefined;
  }
  return sessionOfIdToken(token);
}

export function signOutUrl(
  config: Extract<AppConfig, { mode: 'cognito' }>,
  env: Pick<AuthEnv, 'location'>,
): string {
  const url = new URL(`${config.userPoolDomain}/logout`);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri(env) }).toString();
  return url.toString();
}

export function forget(storage: Storage): void {
  storage.removeItem(TOKEN);
  storage.removeItem(USER);
}
