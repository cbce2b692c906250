import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type S3rver from 's3rver';
import { BUCKET, TABLES, type TableDeclaration } from '../../declarations/tables.js';
import { hardenS3rver } from './s3-keys.js';

/**
 * The embedded stand-ins that speak the real AWS APIs on loopback: dynalite for DynamoDB and
 * s3rver for S3 (FIELD-NOTES lists what they lack). Tables and the bucket come from the same
 * declarations the CDK stack uses.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export interface Embedded {
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite on 127.0.0.1; in memory without `path`, persisted to `path` with it. */
export async function startDynamo(options: { path?: string; port?: number } = {}): Promise<Embedded> {
  // Loaded on demand: only `stocktally start` and the tests need the stand-ins.
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * dynalite in a child process of its own: it is single-threaded and, beside the functions in the
 * same event loop, it was the bottleneck of every local run (a close run of 100k documents took
 * 17.1 s in-process and 8.7 s this way). The child exits when this process goes (its IPC channel
 * closes), so a crashed `start` leaves nothing behind.
 */
export async function startDynamoProcess(options: { path?: string; port?: number } = {}): Promise<Embedded> {
  const dynalitePath = createRequire(import.meta.url).resolve('dynalite');
  const settings = {
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  const host = [
    `const server = require(${JSON.stringify(dynalitePath)})(${JSON.stringify(settings)});`,
    "server.on('error', (error) => { console.error(error.message); process.exit(1); });",
    `server.listen(${options.port ?? 0}, '127.0.0.1', () => process.send(server.address().port));`,
    "process.on('disconnect', () => server.close(() => process.exit(0)));",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', host], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)));
    child.once('exit', (code) =>
      reject(new Error(`dynalite exited (${code}) before listening: ${stderr.trim()}`)),
    );
    child.once('error', reject);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

export interface EmbeddedS3 extends Embedded {
  /** s3rver's own emitter of S3 event records (ObjectCreated:Put/Copy/Post, ObjectRemoved:Delete). */
  events: S3rver;
}

/** s3rver on 127.0.0.1, objects kept in `directory`. */
export async function startS3(options: { directory: string; port?: number }): Promise<EmbeddedS3> {
  const { default: S3rverServer } = await import('s3rver');
  const server = new S3rverServer({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
  });
  // Keys are stored as S3 stores them, whatever they hold (s3-keys.ts): no path out of `directory`,
  // no file name too long for the disk.
  hardenS3rver(server);
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, events: server, stop: () => server.close() };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** s3rver needs path-style addressing and no streamed checksums (FIELD-NOTES). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createTableInput(table: TableDeclaration) {
  const attributes = new Set([
    table.partitionKey,
    table.sortKey,
    ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  return {
    TableName: table.localName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: table.sortKey, KeyType: 'RANGE' as const },
    ],
    ...(table.indexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection:
              index.include === undefined
                ? { ProjectionType: 'ALL' as const }
                : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.include] },
          })),
        }),
  };
}

/** A table an older version made without an index declared since (dynalite cannot add one later). */
export class OutdatedTableError extends Error {
  constructor(
    readonly table: string,
    readonly missing: readonly string[],
  ) {
    super(
      `table ${table} was made by an older Stocktally and lacks the index ${missing.join(', ')}; ` +
        'delete the data directory (or its dynamodb/ folder) to start afresh',
    );
    this.name = 'OutdatedTableError';
  }
}

async function requireIndexes(dynamo: DynamoDBClient, table: TableDeclaration): Promise<void> {
  if (table.indexes.length === 0) return;
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table.localName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = table.indexes.map((i) => i.name).filter((name) => !present.has(name));
  if (missing.length > 0) throw new OutdatedTableError(table.localName, missing);
}

/** How a table's TTL stands on this DynamoDB: on, not declared, or not supported by the stand-in. */
export type TimeToLive = 'enabled' | 'none' | 'unsupported';

/**
 * Turns on the TTL a table declares, as the stack does. dynalite has no TTL (it answers
 * UnknownOperationException, FIELD-NOTES): there expired items simply stay, which changes nothing a
 * run reads (a resolved lifecycle is read as resolved either way). DynamoDB Local answers a second
 * start with "already enabled".
 */
export async function enableTimeToLive(dynamo: DynamoDBClient, table: TableDeclaration): Promise<TimeToLive> {
  if (table.timeToLiveAttribute === undefined) return 'none';
  try {
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: table.localName,
        TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      }),
    );
    return 'enabled';
  } catch (error) {
    const { name, message } = error as { name?: string; message?: string };
    if (name === 'UnknownOperationException') return 'unsupported';
    if (name === 'ValidationException' && /already enabled/i.test(message ?? '')) return 'enabled';
    throw error;
  }
}

/** Creates the declared tables (with their TTL where the stand-in has one) and the bucket where missing. */
export async function bootstrap(dynamo: DynamoDBClient, s3: S3Client): Promise<void> {
  const existing = new Set((await dynamo.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of TABLES) {
    if (!existing.has(table.localName)) {
      await dynamo.send(new CreateTableCommand(createTableInput(table)));
      await enableTimeToLive(dynamo, table);
    } else await requireIndexes(dynamo, table);
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET.localName }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}
