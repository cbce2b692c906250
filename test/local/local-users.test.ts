import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerOf } from '../../lib/adapters/http/caller.js';
import { startHttpFront, type HttpFront } from '../../lib/local/standins/http-front.js';
import { localUsersRoute, resolveBearer } from '../../lib/local/wiring/local-users.js';

// The local stand-in for the user pool and the JWT authorizer: a token per user, their claims.
const TOKEN = 'users-test-token';
let front: HttpFront;
let seen: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  const echo = {
    name: 'echo',
    timeoutMs: 5_000,
    handler: async (event: APIGatewayProxyEventV2) => {
      seen.push(event);
      return { statusCode: 200, body: JSON.stringify(callerOf(event)) };
    },
  };
  front = await startHttpFront({
    routes: [{ method: 'GET', path: '/v1/cases/{caseId}', auth: 'bearer', fn: echo }, localUsersRoute(TOKEN)],
    token: TOKEN,
    port: 0,
  });
});
afterAll(async () => front.close());

const get = (path: string, bearer?: string) =>
  fetch(
    `${front.url}${path}`,
    bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } },
  );

describe('local users', () => {
  it('hands the handler the claims a JWT authorizer would, groups as the "[a b]" string', async () => {
    seen = [];
    const answer = await get('/v1/cases/abc', `${TOKEN}.zhao.reviewer`);

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      userId: 'local-zhao.reviewer',
      username: 'zhao.reviewer',
      roles: ['finance-reviewer'],
    });
    const context = seen[0]?.requestContext as unknown as {
      authorizer: { jwt: { claims: Record<string, string> } };
    };
    expect(context.authorizer.jwt.claims['cognito:groups']).toBe('[finance-reviewer]');
  });

  it('makes the bare token the local user with every role', async () => {
    const caller = (await (await get('/v1/cases/abc', TOKEN)).json()) as {
      username: string;
      roles: string[];
    };

    expect(caller.username).toBe('local');
    expect(caller.roles).toEqual([
      'warehouse-lead',
      'finance-specialist',
      'finance-reviewer',
      'it-support',
      'admin',
    ]);
  });

  it('refuses a token of nobody, an unknown user, or another secret (401)', async () => {
    const statuses = await Promise.all(
      [undefined, `${TOKEN}.nobody`, `other-token.wang.lead`, `${TOKEN}wang.lead`, `.wang.lead`].map(
        async (b) => (await get('/v1/cases/abc', b)).status,
      ),
    );

    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(resolveBearer(`${TOKEN}.wang.lead`, TOKEN)?.username).toBe('wang.lead');
  });

  it('lists the users and their tokens on GET /local/users', async () => {
    const users = (await (await get('/local/users', `${TOKEN}.chen.it`)).json()) as {
      username: string;
      token: string;
    }[];

    expect(users.map((u) => [u.username, u.token])).toEqual([
      ['local', TOKEN],
      ['wang.lead', `${TOKEN}.wang.lead`],
      ['li.finance', `${TOKEN}.li.finance`],
      ['zhao.reviewer', `${TOKEN}.zhao.reviewer`],
      ['chen.it', `${TOKEN}.chen.it`],
    ]);
    expect((await get('/local/users')).status).toBe(401);
  });
});
