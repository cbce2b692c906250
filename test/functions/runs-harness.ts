// Shared arrange code for the runs tests: the real task handlers called in the order the state
// machine calls them (ListPartitions -> ReconcilePartition per partition -> SummarizeRun) on the
// embedded DynamoDB and S3. Import before the handlers (ingest-harness quiets Powertools).
import { DeleteTableCommand, DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext, resetRecords, startAws, type Aws, type Item } from './ingest-harness.js';
import type {
  ListPartitionsInput,
  PartitionFailure,
  ReconcilePartitionOutput,
  RunRecord,
} from '../../lib/core/runs/run-events.js';
import { CASE_EVENTS_TABLE, CASES_TABLE, RUNS_TABLE } from '../../lib/declarations/tables.js';
import { bootstrap } from '../../lib/local/standins/embedded-aws.js';
import { handler as listPartitions } from '../../functions/runs/list-partitions.js';
import { handler as reconcilePartition } from '../../functions/runs/reconcile-partition.js';
import { handler as summarizeRun } from '../../functions/runs/summarize-run.js';

export const RUNS = RUNS_TABLE.localName;

export async function startRunsAws(): Promise<Aws> {
  const aws = await startAws();
  process.env[RUNS_TABLE.env] = RUNS;
  // A run opens the cases of what it finds (issue 8).
  process.env[CASES_TABLE.env] = CASES_TABLE.localName;
  process.env[CASE_EVENTS_TABLE.env] = CASE_EVENTS_TABLE.localName;
  return aws;
}

/** Empties the tables between tests (dynalite drops a table a moment after DeleteTable answers). */
export async function resetTables(aws: Aws): Promise<void> {
  await resetRecords(aws);
  for (const table of [RUNS, CASES_TABLE.localName, CASE_EVENTS_TABLE.localName]) {
    await aws.dynamo.send(new DeleteTableCommand({ TableName: table }));
    for (;;) {
      try {
        await aws.dynamo.send(new DescribeTableCommand({ TableName: table }));
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') break;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  await bootstrap(aws.dynamo, aws.s3);
}

export async function scanRuns(aws: Aws): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await aws.dynamo.send(new ScanCommand({ TableName: RUNS, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

export interface RunOptions {
  /** Partitions whose task "fails after its retries": not reconciled, passed to summarize as failures. */
  failing?: readonly number[];
  /** The Catch's Cause for those partitions (default `injected failure`). */
  cause?: string;
}

/** One run as the state machine runs it, with a Catch turning failed partitions into failures. */
export async function runAll(
  input: ListPartitionsInput,
  options: RunOptions = {},
): Promise<{ run: RunRecord; results: ReconcilePartitionOutput[] }> {
  const listed = await listPartitions(input, lambdaContext());
  const results: ReconcilePartitionOutput[] = [];
  const failures: PartitionFailure[] = [];
  for (const task of listed.partitions) {
    if (options.failing?.includes(task.partition)) {
      failures.push({
        partition: task.partition,
        error: 'Lambda.Unknown',
        cause: options.cause ?? 'injected failure',
      });
      continue;
    }
    results.push(await reconcilePartition(task, lambdaContext()));
  }
  const run = await summarizeRun({ runId: input.runId, results, failures }, lambdaContext());
  return { run, results };
}

/** Who calls, as the JWT authorizer's claims name them (no claims at all without one). */
export interface ApiCaller {
  username: string;
  roles: readonly string[];
}

export const FINANCE_CALLER: ApiCaller = { username: 'li.finance', roles: ['finance-specialist'] };

export function apiEvent(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: string; query?: Record<string, string>; caller?: ApiCaller } = {},
): APIGatewayProxyEventV2 {
  const query = options.query ?? {};
  const { caller } = options;
  const authorizer =
    caller === undefined
      ? {}
      : {
          authorizer: {
            jwt: {
              claims: {
                sub: `sub-${caller.username}`,
                'cognito:username': caller.username,
                'cognito:groups': `[${caller.roles.join(' ')}]`,
              },
              scopes: null,
            },
          },
        };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/json' },
    queryStringParameters: query,
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: options.body }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `runs-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...authorizer,
    },
  } as APIGatewayProxyEventV2;
}
