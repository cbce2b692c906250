import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { describe, expect, it } from 'vitest';
import { Api } from '../../lib/stacks/api.js';
import { StocktallyFunction } from '../../lib/stacks/function.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { PROJECT_ROOT, testStack } from './cdk-context.js';
import { logicalIdOf } from './iam-statements.js';

function synth(stage = 'dev') {
  const stack = testStack();
  const api = new Api(stack, 'Api', { stage: stageOf(stage) });
  return { stack, api, template: () => Template.fromStack(stack) };
}

type Properties = Record<string, unknown>;

describe('Api', () => {
  it('deploys one auto-deployed $default stage with throttling', () => {
    const { template } = synth();

    const stages = Object.values(template().findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    expect((stages[0] as { Properties: Properties }).Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('writes JSON access logs, without headers or bodies, to a log group with a retention', () => {
    const { api, stack, template } = synth();
    const t = template();

    const stage = (
      Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: Properties }
    ).Properties;
    const settings = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.accessLogs, stack), 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(Object.values(format).filter((v) => /header|body|authorizer/i.test(v))).toEqual([]);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('keeps access logs a year in production', () => {
    const { template } = synth('prod');

    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('requires IAM authorization on a route unless the route opts out', () => {
    const { api, stack, template } = synth();
    const fn = new StocktallyFunction(stack, 'Fn', {
      stage: stageOf('dev'),
      projectRoot: PROJECT_ROOT,
      entry: 'test/stacks/fixtures/echo-handler.ts',
      description: 'a test route',
      invokedBy: 'api',
    });
    const integration = new HttpLambdaIntegration('Echo', fn.fn);

    api.httpApi.addRoutes({ path: '/private', methods: [HttpMethod.GET], integration });
    api.httpApi.addRoutes({
      path: '/open',
      methods: [HttpMethod.GET],
      integration,
      authorizer: new HttpNoneAuthorizer(),
    });

    const routes = Object.values(template().findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: Properties }).Properties,
    );
    expect(Object.fromEntries(routes.map((r) => [r.RouteKey, r.AuthorizationType]))).toEqual({
      'GET /private': 'AWS_IAM',
      'GET /open': 'NONE',
    });
  });
});
