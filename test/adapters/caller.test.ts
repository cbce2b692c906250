import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../lib/errors/access.js';
import { callerOf, groupsClaim } from '../../lib/adapters/http/caller.js';

function withClaims(claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
  return {
    requestContext: claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: null } } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('the caller from the JWT authorizer’s claims', () => {
  it('reads an ID token: sub, cognito:username and the groups as API Gateway passes them ("[a b]")', () => {
    expect(
      callerOf(
        withClaims({
          sub: 'u-1',
          'cognito:username': 'zhao.reviewer',
          'cognito:groups': '[finance-reviewer warehouse-lead]',
        }),
      ),
    ).toEqual({ userId: 'u-1', username: 'zhao.reviewer', roles: ['finance-reviewer', 'warehouse-lead'] });
  });

  it('reads an access token (username) and groups as a real array, ignoring groups that are no role', () => {
    expect(
      callerOf(
        withClaims({
          sub: 'u-2',
          username: 'li.finance',
          'cognito:groups': ['finance-specialist', 'Everyone'],
        }),
      ),
    ).toEqual({
      userId: 'u-2',
      username: 'li.finance',
      roles: ['finance-specialist'],
    });
  });

  it('gives a caller with no groups no role', () => {
    expect(callerOf(withClaims({ sub: 'u-3', username: 'guest' })).roles).toEqual([]);
  });

  it('refuses a request without claims or without sub (401)', () => {
    expect(() => callerOf(withClaims(undefined))).toThrow(UnauthenticatedError);
    expect(() => callerOf(withClaims({ username: 'x' }))).toThrow(/sub/);
  });

  it('reads every spelling of a group list', () => {
    expect(groupsClaim('[a b]')).toEqual(['a', 'b']);
    expect(groupsClaim('a,b')).toEqual(['a', 'b']);
    expect(groupsClaim('["a","b"]')).toEqual(['a', 'b']);
    expect(groupsClaim('[]')).toEqual([]);
    expect(groupsClaim(undefined)).toEqual([]);
  });
});
