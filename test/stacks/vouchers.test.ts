import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_DEFAULT } from '../../lib/declarations/cases.js';
import { CASE_EVENTS_TABLE, CASES_TABLE, ENV, RECORDS_TABLE } from '../../lib/declarations/tables.js';
import { createApp } from '../../lib/stacks/app.js';
import { VOUCHER_ROUTES } from '../../lib/declarations/vouchers.js';
import { testContext } from './cdk-context.js';
import { actionsOf, arnJoin, logicalIdOf, statementsFor, statementsOf } from './iam-statements.js';

// GET /v1/vouchers in the whole stack: behind the JWT authorizer, a function that only reads.
function synth() {
  const { stack } = createApp({
    context: testContext({ stage: 'dev' }),
    builtinCloudFormationValidation: false,
  });
  const template = Template.fromStack(stack);
  const fn = stack.vouchers.vouchersApi;
  const statements = statementsOf(template, fn.role);
  const ids = {
    records: logicalIdOf(stack.data.table(RECORDS_TABLE).table, stack),
    cases: logicalIdOf(stack.data.table(CASES_TABLE).table, stack),
    events: logicalIdOf(stack.data.table(CASE_EVENTS_TABLE).table, stack),
    bucket: logicalIdOf(stack.storage.bucket, stack),
  };
  const on = (id: string) =>
    statementsFor(statements, 'dynamodb').filter((st) => JSON.stringify(st.Resource).includes(id));
  const env = (
    template.toJSON().Resources[logicalIdOf(fn.fn, stack)].Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
  return { template, statements, ids, on, env };
}

describe('Vouchers', () => {
  it('puts GET /v1/vouchers behind the user pool’s JWT authorizer', () => {
    const { template } = synth();
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties,
    );
    for (const r of VOUCHER_ROUTES) {
      expect(routes.find((x) => x.RouteKey === `${r.method} ${r.path}`)?.AuthorizationType).toBe('JWT');
    }
  });

  it('reads the records, the case heads, the tables and the configuration, and writes nothing', () => {
    const { statements, ids, on } = synth();
    const writes = actionsOf(statements).filter((a) =>
      /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete))/.test(a),
    );
    expect(writes).toEqual([]);
    expect(on(ids.events)).toEqual([]);
    expect(actionsOf(on(ids.cases))).toEqual(['dynamodb:BatchGetItem']);
    expect(actionsOf(on(ids.records))).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(on(ids.records)[0]?.Resource)).toContain('/index/by-partition');
    expect(statementsFor(statements, 's3')).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: expect.arrayContaining([
            arnJoin(ids.bucket, '/tables/costs.csv'),
            arnJoin(ids.bucket, '/tables/uom.csv'),
            arnJoin(ids.bucket, '/config/workflow.yaml'),
          ]),
        },
      ]),
    );
  });

  it('knows the partitions, the zone and where its bundled workflow default is', () => {
    const { env } = synth();
    expect(env).toMatchObject({
      [ENV.partitions]: expect.any(String),
      [ENV.timeZone]: expect.any(String),
      [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled,
    });
  });
});
