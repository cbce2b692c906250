import { describe, expect, it } from 'vitest';
import { checkStatements, evaluate, type PolicyStatement } from '../../../lib/local/standins/iam/evaluate.js';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/stocktally-runs';
const BUCKET = 'arn:aws:s3:::stocktally-data';

const allow = (statement: Omit<PolicyStatement, 'Effect'>): PolicyStatement => ({
  Effect: 'Allow',
  ...statement,
});
const deny = (statement: Omit<PolicyStatement, 'Effect'>): PolicyStatement => ({
  Effect: 'Deny',
  ...statement,
});

describe('IAM policy evaluation', () => {
  it('refuses what no statement allows: deny by default', () => {
    expect(evaluate([], { action: 'dynamodb:GetItem', resource: TABLE }).effect).toBe('implicit-deny');
    expect(
      evaluate([allow({ Action: ['dynamodb:GetItem'], Resource: [TABLE] })], {
        action: 'dynamodb:PutItem',
        resource: TABLE,
      }).effect,
    ).toBe('implicit-deny');
  });

  it('allows an action on a resource a statement names, actions ignoring case and both taking wildcards', () => {
    const statements = [
      allow({ Action: ['DynamoDB:Get*'], Resource: [TABLE] }),
      allow({ Action: ['s3:GetObject'], Resource: [`${BUCKET}/tables/*`] }),
    ];

    expect(evaluate(statements, { action: 'dynamodb:GetItem', resource: TABLE }).effect).toBe('allow');
    expect(
      evaluate(statements, { action: 's3:GetObject', resource: `${BUCKET}/tables/a/b.csv` }).effect,
    ).toBe('allow');
    expect(evaluate(statements, { action: 's3:GetObject', resource: `${BUCKET}/config/x.yaml` }).effect).toBe(
      'implicit-deny',
    );
    // A table grant is not a grant on its indexes.
    expect(
      evaluate(statements, { action: 'dynamodb:GetItem', resource: `${TABLE}/index/by-group` }).effect,
    ).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over any Allow', () => {
    const statements = [
      allow({ Action: ['dynamodb:*'], Resource: ['*'] }),
      deny({ Action: ['dynamodb:DeleteItem'], Resource: [TABLE] }),
    ];

    expect(evaluate(statements, { action: 'dynamodb:DeleteItem', resource: TABLE }).effect).toBe(
      'explicit-deny',
    );
    expect(evaluate(statements, { action: 'dynamodb:PutItem', resource: TABLE }).effect).toBe('allow');
  });

  it('reads NotAction and NotResource as everything but', () => {
    const statements = [allow({ NotAction: ['dynamodb:DeleteItem'], NotResource: [`${TABLE}/index/*`] })];

    expect(evaluate(statements, { action: 'dynamodb:PutItem', resource: TABLE }).effect).toBe('allow');
    expect(evaluate(statements, { action: 'dynamodb:DeleteItem', resource: TABLE }).effect).toBe(
      'implicit-deny',
    );
    expect(evaluate(statements, { action: 'dynamodb:Query', resource: `${TABLE}/index/x` }).effect).toBe(
      'implicit-deny',
    );
  });

  describe('ForAllValues on dynamodb:LeadingKeys', () => {
    const dirtyOnly = [
      allow({
        Action: ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
        Resource: [TABLE],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['alert#*'] } },
      }),
    ];
    const keys = (...values: string[]) => ({ 'dynamodb:LeadingKeys': values });

    it('allows a request whose every partition key matches', () => {
      expect(
        evaluate(dirtyOnly, {
          action: 'dynamodb:BatchWriteItem',
          resource: TABLE,
          context: keys('alert#p#0001', 'alert#run#r1'),
        }).effect,
      ).toBe('allow');
    });

    it('refuses a request with one partition key outside the pattern', () => {
      expect(
        evaluate(dirtyOnly, {
          action: 'dynamodb:BatchWriteItem',
          resource: TABLE,
          context: keys('alert#p#0001', 'run#r1'),
        }).effect,
      ).toBe('implicit-deny');
    });
  });

  describe('single-valued operators', () => {
    const listTables = [
      allow({
        Action: ['s3:ListBucket'],
        Resource: [BUCKET],
        Condition: { StringEquals: { 's3:prefix': ['tables/uom.csv', 'tables/costs.csv'] } },
      }),
    ];

    it('allow a value the condition names', () => {
      expect(
        evaluate(listTables, {
          action: 's3:ListBucket',
          resource: BUCKET,
          context: { 's3:prefix': ['tables/costs.csv'] },
        }).effect,
      ).toBe('allow');
    });

    it('refuse another value, and a request that carries no value for the key', () => {
      const contexts: Record<string, string[]>[] = [{ 's3:prefix': ['tables/'] }, { 's3:prefix': [''] }, {}];
      for (const context of contexts) {
        expect(evaluate(listTables, { action: 's3:ListBucket', resource: BUCKET, context }).effect).toBe(
          'implicit-deny',
        );
      }
    });

    it('match a missing key when negated or IfExists', () => {
      const statements = [
        allow({
          Action: ['s3:ListBucket'],
          Resource: [BUCKET],
          Condition: { StringNotEquals: { 's3:prefix': ['x'] } },
        }),
      ];
      expect(evaluate(statements, { action: 's3:ListBucket', resource: BUCKET }).effect).toBe('allow');
      const ifExists = [
        allow({
          Action: ['s3:ListBucket'],
          Resource: [BUCKET],
          Condition: { StringEqualsIfExists: { 's3:prefix': ['x'] } },
        }),
      ];
      expect(evaluate(ifExists, { action: 's3:ListBucket', resource: BUCKET }).effect).toBe('allow');
      expect(
        evaluate(ifExists, { action: 's3:ListBucket', resource: BUCKET, context: { 's3:prefix': ['y'] } })
          .effect,
      ).toBe('implicit-deny');
    });
  });

  it('refuses to load a policy with a condition operator it would have to guess at', () => {
    const statements = [
      allow({
        Action: ['s3:GetObject'],
        Resource: ['*'],
        Condition: { DateGreaterThan: { 'aws:CurrentTime': ['x'] } },
      }),
    ];

    expect(() => checkStatements(statements, 'the policy of f')).toThrow(
      'the policy of f: the local IAM check does not know the condition operator DateGreaterThan',
    );
  });
});
