import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableDeclaration } from '../declarations/tables.js';
import { dataRemovalPolicy, type Stage } from './stage.js';

/** A table and the declaration it was built from (its env var, keys and indexes travel with it). */
export interface DeclaredTable {
  readonly declaration: TableDeclaration;
  readonly table: Table;
}

export interface DataProps {
  readonly stage: Stage;
  /** @default TABLES, every declared table */
  readonly tables?: readonly TableDeclaration[];
}

/**
 * The DynamoDB tables of lib/declarations/tables.ts: on demand, point-in-time recovery, encrypted, TTL on
 * the attribute a table's items carry for it, and protected from deletion in production.
 *
 * Encryption uses the AWS managed key (aws/dynamodb): KMS at rest with every use of the key in
 * CloudTrail, at no key cost and with no key policy to get wrong. A customer managed key would add
 * key-policy control and crypto-shredding, which nothing needs yet: no other account or service reads
 * these tables. Switching later is an in-place update (TableEncryption.CUSTOMER_MANAGED).
 */
export class Data extends Construct {
  readonly tables: readonly DeclaredTable[];

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.tables = (props.tables ?? TABLES).map((declaration) => ({
      declaration,
      table: this.createTable(declaration, props.stage),
    }));
  }

  /** The table built from `declaration`; throws if this construct did not build it. */
  table(declaration: TableDeclaration): DeclaredTable {
    const found = this.tables.find((t) => t.declaration.id === declaration.id);
    if (!found) throw new Error(`table ${declaration.id} is not part of ${this.node.path}`);
    return found;
  }

  private createTable(declaration: TableDeclaration, stage: Stage): Table {
    const table = new Table(this, declaration.id, {
      partitionKey: { name: declaration.partitionKey, type: AttributeType.STRING },
      sortKey: { name: declaration.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: stage.production,
      removalPolicy: dataRemovalPolicy(stage),
      // Items that say when they may go (resolved lifecycles, sent-alert marks) are dropped by DynamoDB.
      ...(declaration.timeToLiveAttribute === undefined
        ? {}
        : { timeToLiveAttribute: declaration.timeToLiveAttribute }),
    });
    for (const index of declaration.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // The same projection the local stand-in creates (lib/local/standins/embedded-aws.ts).
        ...(index.include === undefined
          ? { projectionType: ProjectionType.ALL }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }),
      });
    }
    return table;
  }
}
