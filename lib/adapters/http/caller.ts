import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRole, type Caller, type Role } from '../../core/cases/roles.js';
import { UnauthenticatedError } from '../../errors/access.js';

/**
 * The caller of a request, read only from the claims API Gateway's JWT authorizer verified
 * (`requestContext.authorizer.jwt.claims`; locally the HTTP front puts the local user's there the
 * same way). `cognito:username` names the user in an ID token, `username` in an access token;
 * `cognito:groups` are the roles. API Gateway passes an array claim to the function as the string
 * `[a b]`, so both that and a real array are read. Groups that are no Stocktally role are ignored.
 * No claims, or no `sub`, is 401: the route was reached without the authorizer.
 */
type Claims = Record<string, string | number | boolean | string[] | undefined>;

function claimsOf(event: APIGatewayProxyEventV2): Claims | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } } | undefined;
  return context?.authorizer?.jwt?.claims;
}

/** `[a b]`, `a b`, `a,b` or an array: the group names. */
export function groupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner
    .split(/[\s,]+/)
    .map((g) => g.trim().replace(/^"|"$/g, ''))
    .filter((g) => g !== '');
}

export function callerOf(event: APIGatewayProxyEventV2): Caller {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (claims === undefined || typeof sub !== 'string' || sub === '') {
    throw new UnauthenticatedError('no verified identity on the request (a JWT with sub is required)');
  }
  const username = claims['cognito:username'] ?? claims.username;
  const roles = groupsClaim(claims['cognito:groups']).filter((g): g is Role => isRole(g));
  return {
    userId: sub,
    username: typeof username === 'string' && username !== '' ? username : sub,
    roles: [...new Set(roles)],
  };
}
