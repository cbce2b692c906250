import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../lib/core/cases/roles.js';
import { Api } from '../../lib/stacks/api.js';
import { StocktallyFunction } from '../../lib/stacks/function.js';
import { Identity } from '../../lib/stacks/identity.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { PROJECT_ROOT, testStack } from './cdk-context.js';
import { logicalIdOf } from './iam-statements.js';

type Properties = Record<string, unknown>;

function synth(stage = 'dev', then: (identity: Identity, api: Api) => void = () => undefined) {
  const stack = testStack();
  const identity = new Identity(stack, 'Identity', {
    stage: stageOf(stage),
    domainPrefix: 'stocktally-test',
  });
  const api = new Api(stack, 'Api', { stage: stageOf(stage) });
  then(identity, api);
  const template = Template.fromStack(stack);
  const one = (type: string): Properties => {
    const found = Object.values(template.findResources(type)) as { Properties: Properties }[];
    expect(found).toHaveLength(1);
    return found[0]?.Properties ?? {};
  };
  return { stack, identity, template, one };
}

describe('Identity', () => {
  it('lets nobody sign themselves up, and asks for a strong password', () => {
    const { one } = synth();

    expect(one('AWS::Cognito::UserPool')).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      UserPoolTier: 'PLUS',
    });
  });

  it('requires TOTP and enforces threat protection in production; optional and audited elsewhere', () => {
    expect(synth('prod').one('AWS::Cognito::UserPool')).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(synth('dev').one('AWS::Cognito::UserPool')).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
    });
  });

  it('has one group per role', () => {
    const { template } = synth();

    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => (g as { Properties: Properties }).Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...ROLES].sort());
  });

  it('gives the dashboard a public client: code grant (PKCE), no secret, its callback URLs added later too', () => {
    const { one, identity } = synth('dev', (i) => i.allowCallback('https://d111.cloudfront.net/'));

    expect(one('AWS::Cognito::UserPoolClient')).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['http://localhost:5173/', 'https://d111.cloudfront.net/'],
      LogoutURLs: ['http://localhost:5173/', 'https://d111.cloudfront.net/'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(one('AWS::Cognito::UserPoolDomain')).toMatchObject({ Domain: 'stocktally-test' });
    expect(identity.hostedUiBaseUrl).toEqual(expect.any(String));
  });

  it('authorizes JWT routes with tokens of the dashboard client from this pool', () => {
    const { one, stack, identity } = synth('dev', (i, api) => {
      const fn = new StocktallyFunction(api, 'Fn', {
        stage: stageOf('dev'),
        projectRoot: PROJECT_ROOT,
        entry: 'test/stacks/fixtures/echo-handler.ts',
        description: 'a test route',
        invokedBy: 'api',
      });
      api.addJwtRoutes('Echo', [{ method: 'GET', path: '/v1/cases' }], fn.fn, i.authorizer);
      expect(() => api.addJwtRoutes('Bad', [{ method: 'FETCH', path: '/x' }], fn.fn, i.authorizer)).toThrow(
        /not an HTTP method/,
      );
    });

    expect(one('AWS::ApiGatewayV2::Authorizer')).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: logicalIdOf(identity.dashboardClient, stack) }] },
    });
    expect(one('AWS::ApiGatewayV2::Route')).toMatchObject({
      RouteKey: 'GET /v1/cases',
      AuthorizationType: 'JWT',
    });
  });
});
