import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BUCKET, CASES_TABLE, RECORDS_TABLE, RUNS_TABLE } from '../../lib/declarations/tables.js';
import {
  OutdatedTableError,
  createTableInput,
  bootstrap,
  enableTimeToLive,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startDynamoProcess,
  startS3,
  type Embedded,
  type EmbeddedS3,
} from '../../lib/local/standins/embedded-aws.js';
import { tempDir } from '../support/temp.js';

describe('the embedded AWS stand-ins', () => {
  let dynamo: Embedded;
  let s3: EmbeddedS3;
  beforeAll(async () => {
    dynamo = await startDynamo();
    s3 = await startS3({ directory: tempDir('s3-') });
  });
  afterAll(async () => {
    await dynamo.stop();
    await s3.stop();
  });

  it('creates the declared tables with their index, and the bucket, twice without error', async () => {
    const ddb = localDynamoClient(dynamo.endpoint);
    const objects = localS3Client(s3.endpoint);
    await bootstrap(ddb, objects);
    await bootstrap(ddb, objects);
    const table = await ddb.send(new DescribeTableCommand({ TableName: RECORDS_TABLE.localName }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['by-partition']);
    await objects.send(
      new PutObjectCommand({ Bucket: BUCKET.localName, Key: 'incoming/wms/a.csv', Body: 'x,上海\r\n' }),
    );
    const got = await objects.send(
      new GetObjectCommand({ Bucket: BUCKET.localName, Key: 'incoming/wms/a.csv' }),
    );
    expect(await got.Body?.transformToString()).toBe('x,上海\r\n');
  });

  it('asks for the TTL the runs table declares, and carries on where dynalite has none', async () => {
    const ddb = localDynamoClient(dynamo.endpoint);
    await bootstrap(ddb, localS3Client(s3.endpoint));

    expect(RUNS_TABLE.timeToLiveAttribute).toBe('expiresAt');
    expect(await enableTimeToLive(ddb, RUNS_TABLE)).toBe('unsupported');
    expect(await enableTimeToLive(ddb, RECORDS_TABLE)).toBe('none');
  });

  it('turns the TTL on where the DynamoDB has it, a second time too, and reports any other refusal', async () => {
    // DynamoDB Local and the cloud answer UpdateTimeToLive; dynalite cannot, so its answers are given here.
    const ddb = mockClient(DynamoDBClient);
    try {
      ddb
        .on(UpdateTimeToLiveCommand)
        .resolvesOnce({})
        .rejectsOnce(
          Object.assign(new Error('TimeToLive is already enabled'), { name: 'ValidationException' }),
        )
        .rejectsOnce(Object.assign(new Error('no such table'), { name: 'ResourceNotFoundException' }));
      const client = new DynamoDBClient({});

      expect(await enableTimeToLive(client, RUNS_TABLE)).toBe('enabled');
      expect(await enableTimeToLive(client, RUNS_TABLE)).toBe('enabled');
      await expect(enableTimeToLive(client, RUNS_TABLE)).rejects.toThrow('no such table');
      expect(ddb.commandCalls(UpdateTimeToLiveCommand)[0]?.args[0].input).toEqual({
        TableName: RUNS_TABLE.localName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    } finally {
      ddb.restore();
    }
  });

  it('refuses a table an older version made without a declared index, naming it and the way out', async () => {
    const other = await startDynamo();
    const ddb = localDynamoClient(other.endpoint);
    const objects = localS3Client(s3.endpoint);
    try {
      const input = createTableInput(RUNS_TABLE);
      await ddb.send(
        new CreateTableCommand({
          ...input,
          GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.filter((i) => i.IndexName === 'by-group'),
        }),
      );
      const refused = bootstrap(ddb, objects);
      await expect(refused).rejects.toThrow(OutdatedTableError);
      await expect(refused).rejects.toThrow(/stocktally-runs .*by-run-stake.*delete the data directory/);
    } finally {
      ddb.destroy();
      await other.stop();
    }
  });

  it('creates the cases table with its sparse open index of keys and warehouseId, and refuses one made before it', async () => {
    const other = await startDynamo();
    const ddb = localDynamoClient(other.endpoint);
    const objects = localS3Client(s3.endpoint);
    try {
      const input = createTableInput(CASES_TABLE);
      await ddb.send(
        new CreateTableCommand({
          ...input,
          GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.filter(
            (i) => i.IndexName !== 'open-by-severity',
          ),
        }),
      );
      await expect(bootstrap(ddb, objects)).rejects.toThrow(
        /stocktally-cases .*open-by-severity.*delete the data directory/,
      );

      const fresh = await startDynamo();
      const made = localDynamoClient(fresh.endpoint);
      try {
        await bootstrap(made, objects);
        const table = await made.send(new DescribeTableCommand({ TableName: CASES_TABLE.localName }));
        const open = table.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'open-by-severity');
        expect(open?.Projection).toMatchObject({
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['warehouseId'],
        });
      } finally {
        made.destroy();
        await fresh.stop();
      }
    } finally {
      ddb.destroy();
      await other.stop();
    }
  });
});

describe('dynalite in its own process', () => {
  it('keeps what it stored at its path across a restart, and stops when asked', async () => {
    const path = tempDir('dynalite-');
    const first = await startDynamoProcess({ path });
    const ddb = localDynamoClient(first.endpoint);
    const s3 = await startS3({ directory: tempDir('s3-') });
    await bootstrap(ddb, localS3Client(s3.endpoint));
    await s3.stop();
    const key = { pk: { S: 'wms#E-1' }, sk: { S: 'head' } };
    await ddb.send(
      new PutItemCommand({ TableName: RECORDS_TABLE.localName, Item: { ...key, hash: { S: 'h1' } } }),
    );
    await first.stop();
    await expect(ddb.send(new ListTablesCommand({}))).rejects.toThrow();
    ddb.destroy();

    const second = await startDynamoProcess({ path });
    const again = localDynamoClient(second.endpoint);
    try {
      const { Item } = await again.send(new GetItemCommand({ TableName: RECORDS_TABLE.localName, Key: key }));
      expect(Item?.hash?.S).toBe('h1');
    } finally {
      again.destroy();
      await second.stop();
    }
  });
});
