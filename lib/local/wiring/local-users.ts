import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '../../core/cases/roles.js';
import type { Route } from '../standins/route.js';

/**
 * The people of the local pipeline, standing in for the Cognito user pool: each signs in with a
 * bearer token `<STOCKTALLY_TOKEN>.<username>`; the bare STOCKTALLY_TOKEN is the user `local`, who
 * holds every role. The HTTP front resolves the token and hands the handlers the claims API
 * Gateway's JWT authorizer would (groups in the "[a b]" string form API Gateway passes).
 */
export interface LocalUser {
  username: string;
  roles: readonly Role[];
}

export const LOCAL_USERS: readonly LocalUser[] = [
  { username: 'wang.lead', roles: ['warehouse-lead'] },
  { username: 'li.finance', roles: ['finance-specialist'] },
  { username: 'zhao.reviewer', roles: ['finance-reviewer'] },
  { username: 'chen.it', roles: ['it-support'] },
];

/** The bare token's user: every role, for scripts and the demo's own calls. */
export const LOCAL_ADMIN: LocalUser = { username: 'local', roles: [...ROLES] };

export function tokenOf(token: string, user: LocalUser): string {
  return user === LOCAL_ADMIN ? token : `${token}.${user.username}`;
}

function same(given: string, expected: string): boolean {
  // Hashes compared, so the time taken says nothing about where the texts differ.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The user a bearer token stands for, or undefined when it is nobody's. */
export function resolveBearer(bearer: string, token: string): LocalUser | undefined {
  if (same(bearer, token)) return LOCAL_ADMIN;
  // Usernames hold dots themselves (wang.lead): match each user's whole suffix.
  const user = LOCAL_USERS.find((u) => bearer.endsWith(`.${u.username}`));
  if (user === undefined) return undefined;
  return same(bearer.slice(0, bearer.length - user.username.length - 1), token) ? user : undefined;
}

/** The claims of an ID token from the user pool, as API Gateway passes them to a function. */
export function claimsOf(user: LocalUser): Record<string, string> {
  return {
    sub: `local-${user.username}`,
    'cognito:username': user.username,
    'cognito:groups': `[${user.roles.join(' ')}]`,
    token_use: 'id',
    iss: 'stocktally-local',
  };
}

export interface LocalUserListing {
  username: string;
  roles: readonly Role[];
  token: string;
}

export function localUserListing(token: string): LocalUserListing[] {
  return [LOCAL_ADMIN, ...LOCAL_USERS].map((u) => ({
    username: u.username,
    roles: u.roles,
    token: tokenOf(token, u),
  }));
}

/** GET /local/users: who the dashboard's local mode can switch to, with their tokens. */
export function localUsersRoute(token: string): Route {
  const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2<unknown>> => ({
    statusCode: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(localUserListing(token)),
  });
  return {
    method: 'GET',
    path: '/local/users',
    auth: 'bearer',
    fn: { name: 'stocktally-local-users', timeoutMs: 5_000, handler },
  };
}
