import { describe, expect, it } from 'vitest';
import { BUCKET, HANDLERS, RUNS_TABLE } from '../../../lib/declarations/tables.js';
import { localBucketArn, localTableArn } from '../../../lib/local/standins/iam/arns.js';
import { LOCAL_FUNCTION_HANDLERS } from '../../../lib/local/standins/iam/enforcer.js';
import { evaluate } from '../../../lib/local/standins/iam/evaluate.js';
import { loadFunctionPoliciesFile, resolvePolicyValue } from '../../../lib/local/standins/iam/policies.js';
import { synthesizeLocalDefinitions } from '../../../lib/local/standins/run-asl.js';
import { PROJECT_ROOT } from '../../stacks/cdk-context.js';

describe('the functions’ policies the local pipeline enforces', () => {
  const file = loadFunctionPoliciesFile();

  it('are the policies the CDK stack synthesizes, unchanged (dist/ is not stale)', () => {
    expect(file).toEqual(synthesizeLocalDefinitions(PROJECT_ROOT).functionPolicies);
  });

  it('cover every function the stack deploys, each bound to the local function that runs its handler', () => {
    expect(Object.keys(file.functions).sort()).toEqual(Object.values(HANDLERS).sort());
    expect(Object.values(LOCAL_FUNCTION_HANDLERS).sort()).toEqual(Object.values(HANDLERS).sort());
  });

  it('name the stand-ins’ tables and bucket, so a grant in the stack reaches the local resource', () => {
    const reconcile = file.functions[HANDLERS.reconcilePartition]?.statements ?? [];
    const runs = localTableArn(RUNS_TABLE.localName);

    expect(
      evaluate(reconcile, {
        action: 'dynamodb:Query',
        resource: runs,
        context: { 'dynamodb:LeadingKeys': ['life#p#0001'] },
      }).effect,
    ).toBe('allow');
    expect(
      evaluate(reconcile, {
        action: 's3:ListBucket',
        resource: localBucketArn(BUCKET.localName),
        context: { 's3:prefix': [BUCKET.costsTableKey] },
      }).effect,
    ).toBe('allow');
    // Log groups, keys and queues are no stand-in's: their grants resolve to names no request carries.
    expect(JSON.stringify(reconcile)).toContain('unresolved:');
  });

  it('resolve Fn::Join, Ref and Fn::GetAtt against the stand-ins, and nothing else', () => {
    const resources = { Bucket: { ref: 'stocktally-data', arn: 'arn:aws:s3:::stocktally-data' } };

    expect(
      resolvePolicyValue({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/tables/*']] }, resources),
    ).toBe('arn:aws:s3:::stocktally-data/tables/*');
    expect(resolvePolicyValue({ Ref: 'AWS::Region' }, resources)).toBe('us-east-1');
    expect(resolvePolicyValue({ Ref: 'Key' }, resources)).toBe('unresolved:Key');
    expect(() => resolvePolicyValue({ 'Fn::ImportValue': 'x' }, resources)).toThrow('cannot resolve');
  });
});
