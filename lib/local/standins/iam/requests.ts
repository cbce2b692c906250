import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDeclaration } from '../../../declarations/tables.js';
import { localBucketArn, localObjectArn, localTableArn } from './arns.js';
import type { AccessRequest } from './evaluate.js';

/**
 * What IAM is asked when a function sends a DynamoDB or S3 command: the action(s), the resource ARN
 * on the stand-ins (the tables' and bucket's local names), and the condition keys the stack's
 * policies use (`dynamodb:LeadingKeys`, the partition key values the request touches; `s3:prefix`).
 * A command not listed here has no mapping and is refused: deny by default.
 *
 * Actions per command: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * and list_amazons3.html (HeadObject needs s3:GetObject; multipart parts need s3:PutObject).
 */
export type CommandInput = Readonly<Record<string, unknown>>;

const byLocalName = new Map<string, TableDeclaration>(TABLES.map((t) => [t.localName, t]));

/** The partition key attribute of a table, or of one of its indexes. */
function partitionKeyOf(table: string, index: string | undefined): string | undefined {
  const declaration = byLocalName.get(table);
  if (declaration === undefined) return undefined;
  if (index === undefined) return declaration.partitionKey;
  return declaration.indexes.find((i) => i.name === index)?.partitionKey;
}

type Item = Readonly<Record<string, AttributeValue>>;

function keyValue(item: Item | undefined, attribute: string | undefined): string[] {
  if (item === undefined || attribute === undefined) return [];
  const value = item[attribute];
  if (value === undefined) return [];
  if ('S' in value && value.S !== undefined) return [value.S];
  if ('N' in value && value.N !== undefined) return [value.N];
  return [];
}

/** The partition key value a KeyConditionExpression fixes (`#pk = :pk` or `pk = :v`), if any. */
function queryLeadingKeys(input: CommandInput, attribute: string | undefined): string[] {
  const expression = input.KeyConditionExpression;
  if (typeof expression !== 'string' || attribute === undefined) return [];
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  for (const clause of expression.split(/\s+and\s+/i)) {
    const match = /^\(?\s*([#\w.]+)\s*=\s*(:\w+)\s*\)?$/.exec(clause.trim());
    if (match === null) continue;
    const name = match[1] as string;
    if ((names[name] ?? name) !== attribute) continue;
    return keyValue({ v: values[match[2] as string] } as Item, 'v');
  }
  return [];
}

function leading(values: readonly string[]): Record<string, readonly string[]> {
  return { 'dynamodb:LeadingKeys': [...new Set(values)] };
}

function itemRequest(action: string, input: CommandInput, item: Item | undefined): AccessRequest[] {
  const table = String(input.TableName);
  return [
    {
      action: `dynamodb:${action}`,
      resource: localTableArn(table),
      context: leading(keyValue(item, partitionKeyOf(table, undefined))),
    },
  ];
}

type BatchGet = Record<string, { Keys?: Item[] }>;
type BatchWrite = Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>;

function dynamodbRequests(command: string, input: CommandInput): AccessRequest[] | undefined {
  switch (command) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return itemRequest(command, input, input.Key as Item | undefined);
    case 'PutItem':
      return itemRequest(command, input, input.Item as Item | undefined);
    case 'Query':
    case 'Scan': {
      const table = String(input.TableName);
      const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
      const resource = `${localTableArn(table)}${index === undefined ? '' : `/index/${index}`}`;
      const context =
        command === 'Query' ? leading(queryLeadingKeys(input, partitionKeyOf(table, index))) : {};
      return [{ action: `dynamodb:${command}`, resource, context }];
    }
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as BatchGet).map(([table, { Keys }]) => ({
        action: 'dynamodb:BatchGetItem',
        resource: localTableArn(table),
        context: leading((Keys ?? []).flatMap((key) => keyValue(key, partitionKeyOf(table, undefined)))),
      }));
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as BatchWrite).map(([table, writes]) => ({
        action: 'dynamodb:BatchWriteItem',
        resource: localTableArn(table),
        context: leading(
          writes.flatMap((w) =>
            keyValue(w.PutRequest?.Item ?? w.DeleteRequest?.Key, partitionKeyOf(table, undefined)),
          ),
        ),
      }));
    case 'DescribeTable':
      return [{ action: 'dynamodb:DescribeTable', resource: localTableArn(String(input.TableName)) }];
    default:
      return undefined;
  }
}

function s3Requests(command: string, input: CommandInput): AccessRequest[] | undefined {
  const bucket = String(input.Bucket);
  const object = () => localObjectArn(bucket, String(input.Key));
  switch (command) {
    case 'GetObject':
    case 'HeadObject':
      return [{ action: 's3:GetObject', resource: object() }];
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return [{ action: 's3:PutObject', resource: object() }];
    case 'AbortMultipartUpload':
      return [{ action: 's3:AbortMultipartUpload', resource: object() }];
    case 'DeleteObject':
      return [{ action: 's3:DeleteObject', resource: object() }];
    case 'ListObjectsV2':
    case 'ListObjects':
      return [
        {
          action: 's3:ListBucket',
          resource: localBucketArn(bucket),
          context: typeof input.Prefix === 'string' ? { 's3:prefix': [input.Prefix] } : {},
        },
      ];
    default:
      return undefined;
  }
}

/** The requests IAM evaluates for one command (`GetItemCommand` of `DynamoDBClient`), or undefined. */
export function accessRequestsOf(
  clientName: string,
  commandName: string,
  input: CommandInput,
): AccessRequest[] | undefined {
  const command = commandName.replace(/Command$/, '');
  if (clientName === 'DynamoDBClient') return dynamodbRequests(command, input);
  if (clientName === 'S3Client') return s3Requests(command, input);
  return undefined;
}

/**
 * S3 answers a missing object with 404 only to a caller who may list the bucket; anyone else gets
 * 403, so as not to reveal what is there. S3 makes that check in the GetObject request's context,
 * which carries no `s3:prefix`: a ListBucket granted only for some prefixes is read here as not
 * granted, the pessimistic reading (the code copes with either answer; see object-store.ts).
 */
export function listRequestFor(bucket: string): AccessRequest {
  return { action: 's3:ListBucket', resource: localBucketArn(bucket), context: {} };
}
