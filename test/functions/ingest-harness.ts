// Shared arrange code for the ingest tests: the real handlers run against embedded DynamoDB (dynalite)
// and S3 (s3rver). Import this module before the handlers: it quiets Powertools, whose logger reads
// its level when the handler modules load.
import { toAwsRecord } from '../../lib/local/standins/s3-trigger.js';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, Context, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { rmSync } from 'node:fs';
import { signBody } from '../../lib/core/ingest/signature.js';
import { BUCKET, ENV, RECORDS_TABLE } from '../../lib/declarations/tables.js';
import {
  bootstrap,
  localDynamoClient,
  localS3Client,
  startDynamo,
  startS3,
  type Embedded,
  type EmbeddedS3,
} from '../../lib/local/standins/embedded-aws.js';
import { tempDir } from '../support/temp.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const SECRET = 'test-webhook-secret';
export const TABLE = RECORDS_TABLE.localName;
export const BUCKET_NAME = BUCKET.localName;

export interface Aws {
  dynamo: DynamoDBClient;
  s3: S3Client;
  stop(): Promise<void>;
}

/** Starts the stand-ins, creates the declared tables and bucket, and points the handlers at them. */
export async function startAws(): Promise<Aws> {
  const directory = tempDir('stocktally-s3-');
  const [dynamoServer, s3Server]: [Embedded, EmbeddedS3] = await Promise.all([
    startDynamo(),
    startS3({ directory }),
  ]);
  const dynamo = localDynamoClient(dynamoServer.endpoint);
  const s3 = localS3Client(s3Server.endpoint);
  await bootstrap(dynamo, s3);
  Object.assign(process.env, {
    [RECORDS_TABLE.env]: TABLE,
    [BUCKET.env]: BUCKET_NAME,
    [ENV.dynamodbEndpoint]: dynamoServer.endpoint,
    [ENV.s3Endpoint]: s3Server.endpoint,
    [ENV.webhookSecret]: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  return {
    dynamo,
    s3,
    async stop() {
      dynamo.destroy();
      s3.destroy();
      await Promise.all([dynamoServer.stop(), s3Server.stop()]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Empties the records table between tests: dynalite drops a table a moment after DeleteTable answers. */
export async function resetRecords(aws: Aws): Promise<void> {
  await aws.dynamo.send(new DeleteTableCommand({ TableName: TABLE }));
  for (;;) {
    try {
      await aws.dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') break;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await bootstrap(aws.dynamo, aws.s3);
}

export type Item = Record<string, AttributeValue>;

export async function scanAll(aws: Aws): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await aws.dynamo.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** Items by kind: record versions, heads, conflicts, dirty marks, checkpoints. */
export function byKind(items: Item[]) {
  const sk = (i: Item) => i.sk?.S ?? '';
  const pk = (i: Item) => i.pk?.S ?? '';
  return {
    versions: items.filter((i) => sk(i).startsWith('v#')),
    heads: items.filter((i) => sk(i) === 'head'),
    conflicts: items.filter((i) => sk(i).startsWith('conflict#')),
    dirty: items.filter((i) => pk(i) === 'dirty'),
    checkpoints: items.filter((i) => pk(i).startsWith('checkpoint#')),
  };
}

export function storedRecord(item: Item): Record<string, unknown> {
  return JSON.parse(item.record?.S ?? 'null') as Record<string, unknown>;
}

let requests = 0;

export function lambdaContext(remainingMs: () => number = () => 900_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'stocktally-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:stocktally-test',
    memoryLimitInMB: '1024',
    awsRequestId: `req-${++requests}`,
    logGroupName: '/aws/lambda/stocktally-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface WebhookOptions {
  path?: '/v1/movements' | '/v1/entries';
  contentType?: string;
  secret?: string;
  timestamp?: number;
  /** Overrides the computed signature header. */
  signature?: string;
  /** Body actually sent, when it differs from the one signed (tampering). */
  sentBody?: string;
  base64?: boolean;
  headerCase?: 'lower' | 'canonical';
  unsigned?: boolean;
}

export function webhookEvent(body: string, options: WebhookOptions = {}): APIGatewayProxyEventV2 {
  const path = options.path ?? '/v1/movements';
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = options.signature ?? signBody(options.secret ?? SECRET, timestamp, body);
  const canonical = options.headerCase === 'canonical';
  const headers: Record<string, string> = {
    [canonical ? 'Content-Type' : 'content-type']: options.contentType ?? 'application/json',
  };
  if (options.unsigned !== true) {
    headers[canonical ? 'X-Stocktally-Timestamp' : 'x-stocktally-timestamp'] = timestamp;
    headers[canonical ? 'X-Stocktally-Signature' : 'x-stocktally-signature'] = signature;
  }
  const sent = options.sentBody ?? body;
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    isBase64Encoded: options.base64 === true,
    body: options.base64 === true ? Buffer.from(sent, 'utf8').toString('base64') : sent,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `api-${++requests}`,
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

export interface Answer {
  statusCode: number;
  body: Record<string, unknown>;
}

export function answerOf(result: unknown): Answer {
  const r = result as { statusCode: number; body: string };
  return { statusCode: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
}

/** A WMS movement on the wire; `n` makes the id, the sku and the document distinct. */
export function movement(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: `E${String(n).padStart(6, '0')}`,
    warehouseId: n % 2 === 0 ? 'WH-上海-02' : 'WH-01',
    sku: `SKU-${String(n % 97).padStart(5, '0')}`,
    type: 'RECEIPT',
    quantity: String(10 + (n % 50)),
    uom: 'EA',
    documentRef: `PO-${String(n).padStart(7, '0')}`,
    occurredAt: '2026-10-13T17:23:00Z',
    unitCost: '12.5',
    ...overrides,
  };
}

export function entry(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entryId: `F${String(n).padStart(6, '0')}`,
    warehouseId: 'WH-01',
    sku: `SKU-${String(n % 97).padStart(5, '0')}`,
    type: 'RECEIPT',
    quantity: '10',
    amount: '125.00',
    currency: 'CNY',
    documentRef: `PO-${String(n).padStart(7, '0')}`,
    postedAt: '2026-10-14',
    account: '1405',
    ...overrides,
  };
}

export const WMS_CSV_HEADER = 'eventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost';

export function movementCsvRow(n: number): string {
  const m = movement(n);
  return [
    m.eventId,
    m.warehouseId,
    m.sku,
    m.type,
    m.quantity,
    m.uom,
    m.documentRef,
    m.occurredAt,
    m.unitCost,
  ].join(',');
}

/** The event S3 sends for a new object; the key is URL-encoded the AWS way (the local trigger's record). */
export function s3Event(key: string, etag?: string, bucket = BUCKET_NAME): S3Event {
  return {
    Records: [toAwsRecord({ eventName: 'ObjectCreated:Put' }, bucket, { key, size: 0, eTag: etag ?? '' })],
  };
}

/** Puts an object and returns the event announcing it (with its etag). */
export async function drop(aws: Aws, key: string, body: string | Uint8Array): Promise<S3Event> {
  const put = await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET_NAME, Key: key, Body: body }));
  return s3Event(key, (put.ETag ?? '').replace(/"/g, ''));
}

export async function readObject(aws: Aws, key: string): Promise<string> {
  const got = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET_NAME, Key: key }));
  return (await got.Body?.transformToString('utf-8')) ?? '';
}

export async function readBytes(aws: Aws, key: string): Promise<Buffer> {
  const got = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET_NAME, Key: key }));
  return Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
}

export async function readReport(aws: Aws, key: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readObject(aws, `${BUCKET.ingestReportPrefix}${key}.json`)) as Record<
    string,
    unknown
  >;
}

export type RealSend = (command: unknown) => Promise<unknown>;
export type Fault = (command: unknown, real: RealSend) => Promise<unknown>;

/**
 * Puts aws-sdk-client-mock in front of every DynamoDB client: `fault` sees each command and either
 * answers it itself or passes it on to the real embedded DynamoDB. Returns the restore function.
 */
export function injectDynamoFaults(fault: Fault): () => void {
  const real = DynamoDBClient.prototype.send as unknown as (
    this: DynamoDBClient,
    command: unknown,
  ) => Promise<unknown>;
  const stub = mockClient(DynamoDBClient);
  const send = stub.send as unknown as {
    callsFake(fn: (this: DynamoDBClient, command: unknown) => Promise<unknown>): void;
  };
  send.callsFake(function (this: DynamoDBClient, command: unknown) {
    return fault(command, (c) => real.call(this, c));
  });
  return () => stub.restore();
}
