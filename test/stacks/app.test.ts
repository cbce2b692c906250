import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lib/declarations/tables.js';
import { createApp } from '../../lib/stacks/app.js';
import { findProjectRoot } from '../../lib/stacks/project-root.js';
import { testContext } from './cdk-context.js';

function appWith(context: Record<string, unknown>) {
  return createApp({ context: testContext(context), builtinCloudFormationValidation: false });
}

describe('the CDK app', () => {
  it('builds one environment-agnostic stack named after its stage', () => {
    const { app, stack } = appWith({ stage: 'dev' });

    expect(app.node.children.filter((c) => Stack.isStack(c))).toEqual([stack]);
    expect(stack.stackName).toBe('Stocktally-dev');
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('protects only the production stack from termination', () => {
    expect(appWith({ stage: 'prod' }).stack.terminationProtection).toBe(true);
    expect(appWith({ stage: 'dev' }).stack.terminationProtection).toBe(false);
  });

  it('passes partitions and the time zone from context to the functions', () => {
    const { stack } = appWith({ partitions: '128', timeZone: 'Asia/Shanghai' });

    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: { [ENV.partitions]: '128', [ENV.timeZone]: 'Asia/Shanghai' } },
      },
    });
    // Both ingest functions, the four run functions, the notify function, the vouchers API and
    // the cases API (an approved link marks partitions dirty).
    expect(Object.keys(functions)).toHaveLength(10);
  });

  it('passes the reconciliation rules from context to the partition task and the vouchers API only', () => {
    const rules = { currency: 'USD', checkAccounts: 'true', varianceCompensates: 'true' };
    const { stack } = appWith(rules);

    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: {
          Variables: {
            [ENV.currency]: 'USD',
            [ENV.checkAccounts]: 'true',
            [ENV.varianceCompensates]: 'true',
          },
        },
      },
    });
    expect(Object.keys(functions).sort()).toEqual([
      expect.stringMatching(/^RunsReconcilePartition/),
      expect.stringMatching(/^VouchersVouchersApi/),
    ]);
  });

  it('sets no rule variable when the context names none: the functions keep their defaults', () => {
    const { stack } = appWith({});
    const resources = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const text = JSON.stringify(resources);
    for (const name of [ENV.currency, ENV.checkAccounts, ENV.varianceCompensates]) {
      expect(text).not.toContain(name);
    }
  });

  it.each([
    [{ currency: 'yuan' }, /currency/],
    [{ checkAccounts: 'yes' }, /checkAccounts/],
    [{ varianceCompensates: '1' }, /varianceCompensates/],
    [{ stage: 'Prod!' }, /stage/],
    [{ partitions: '0' }, /partitions/],
    [{ partitions: 'many' }, /partitions/],
    [{ timeZone: 'Mars/Olympus' }, /timeZone/],
  ])('refuses context %j', (context, message) => {
    expect(() => appWith(context)).toThrow(message);
  });

  it('finds the repository root from its own module', () => {
    const root = findProjectRoot();

    expect(existsSync(join(root, 'cdk.json'))).toBe(true);
    expect(existsSync(join(root, 'lib/stacks/app.ts'))).toBe(true);
  });
});
