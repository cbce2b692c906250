import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RECORDS_TABLE, TABLES, type TableDeclaration } from '../../lib/declarations/tables.js';
import { Data } from '../../lib/stacks/data.js';
import { stageOf } from '../../lib/stacks/stage.js';
import { testStack } from './cdk-context.js';

function synth(stage: string) {
  const stack = testStack();
  const data = new Data(stack, 'Data', { stage: stageOf(stage) });
  return { data, template: Template.fromStack(stack) };
}

describe('Data', () => {
  it('builds one table per declaration, with the declared keys and indexes', () => {
    const { template } = synth('dev');

    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
    for (const declaration of TABLES) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: declaration.partitionKey, KeyType: 'HASH' },
          { AttributeName: declaration.sortKey, KeyType: 'RANGE' },
        ],
        // A table without indexes has no GlobalSecondaryIndexes at all (the case events).
        GlobalSecondaryIndexes:
          declaration.indexes.length === 0
            ? Match.absent()
            : declaration.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection:
                  index.include === undefined
                    ? { ProjectionType: 'ALL' }
                    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
              })),
      });
    }
  });

  it('bills on demand, keeps point-in-time recovery and encrypts with KMS on every table', () => {
    const { template } = synth('dev');

    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(TABLES.length);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('turns on TTL on the attribute a table declares for it, and on no other table', () => {
    const { template } = synth('dev');

    for (const declaration of TABLES) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: Match.arrayWith([{ AttributeName: declaration.partitionKey, KeyType: 'HASH' }]),
        GlobalSecondaryIndexes:
          declaration.indexes.length === 0
            ? Match.absent()
            : Match.arrayWith([Match.objectLike({ IndexName: declaration.indexes[0]?.name })]),
        TimeToLiveSpecification:
          declaration.timeToLiveAttribute === undefined
            ? Match.absent()
            : { AttributeName: declaration.timeToLiveAttribute, Enabled: true },
      });
    }
    // The runs table's items that carry expiresAt: resolved lifecycles and sent-alert marks.
    expect(TABLES.filter((t) => t.timeToLiveAttribute !== undefined).map((t) => t.id)).toEqual(['Runs']);
  });

  it('protects production tables from deletion and retains them with the stack gone', () => {
    const { template } = synth('prod');

    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('lets a non-production stage delete its tables', () => {
    const { template } = synth('dev');

    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('hands out a table only by a declaration it built', () => {
    const { data } = synth('dev');
    const stranger: TableDeclaration = { ...RECORDS_TABLE, id: 'Stranger' };

    expect(data.table(RECORDS_TABLE).declaration).toBe(RECORDS_TABLE);
    expect(() => data.table(stranger)).toThrow(/Stranger/);
  });
});
