import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunStore } from '../../lib/adapters/runs/run-store.js';
import { partitionOf } from '../../lib/core/records/partition.js';
import type { ListPartitionsInput, PartitionTask } from '../../lib/core/runs/run-events.js';
import middy from '@middy/core';
import { boundedErrors } from '../../lib/adapters/aws/bounded-errors.js';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  BUCKET,
  DISTRIBUTED_MAP_THRESHOLD,
  HANDLERS,
  RUN_STATES,
  RUNS_TABLE,
} from '../../lib/declarations/tables.js';
import { lambdaContext as lambdaContextFor } from '../../lib/local/standins/lambda-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/standins/embedded-aws.js';
import { startPipeline, type Pipeline } from '../../lib/local/wiring/pipeline.js';
import { loadRealHandlers } from '../../lib/local/wiring/real-handlers.js';
import { loadRealRunHandlers } from '../../lib/local/wiring/real-run-handlers.js';
import { getRun, startRun, waitForRun } from '../../lib/local/clients/run-client.js';
import {
  LocalRunStarter,
  STATE_DATA_LIMIT_BYTES,
  type RunTaskHandlers,
} from '../../lib/local/wiring/run-starter-local.js';
import {
  allStates,
  loadRunDefinitionFile,
  runDefinitionOf,
  type AslDefinition,
  type CfnTemplate,
} from '../../lib/local/standins/state-machine.js';
import { postSigned } from '../../lib/local/clients/webhook-client.js';
import { RUN_FUNCTIONS, type RunFunctionName } from '../../lib/declarations/runs.js';
import { createApp } from '../../lib/stacks/app.js';
import { testContext } from '../stacks/cdk-context.js';
import { tempDir } from '../support/temp.js';

/**
 * The run state machine exactly as `cdk synth` builds it (createApp, cdk.json's context, cdk-nag and
 * all), with its references resolved from the template alone: each function found by the handler its
 * role names (`Runs functions/runs/...`), the bucket by the stack's own construct.
 */
let synthesized: AslDefinition | undefined;

function stackDefinition(): AslDefinition {
  return (synthesized ??= synthesize());
}

function synthesize(): AslDefinition {
  const { stack } = createApp({ context: testContext(), builtinCloudFormationValidation: false });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const bucketId = stack.resolve((stack.storage.bucket.node.defaultChild as CfnResource).logicalId) as string;
  const names: Record<string, string> = { [bucketId]: BUCKET.localName };
  const byEntry = Object.fromEntries(
    (Object.keys(RUN_FUNCTIONS) as RunFunctionName[]).map((name) => [
      HANDLERS[name],
      RUN_FUNCTIONS[name].localName,
    ]),
  );
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const role = (resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ?? '';
    const entry = String(template.Resources[role]?.Properties?.Description ?? '').replace(/^Runs /, '');
    const local = byEntry[entry];
    if (local !== undefined) names[id] = local;
  }
  return runDefinitionOf(template, names).definition;
}

const ASOF = '2026-11-02T00:00:00.000Z';

function fakeHandlers(partitions: number[], calls: { task: string; input: unknown }[]): RunTaskHandlers {
  return {
    listPartitions: async (input: ListPartitionsInput) => {
      calls.push({ task: 'listPartitions', input });
      return {
        runId: input.runId,
        asOf: input.asOf,
        partitions: partitions.map((partition) => ({ runId: input.runId, partition, asOf: input.asOf })),
        partitionCount: partitions.length,
      };
    },
    reconcilePartition: async (input: PartitionTask) => {
      calls.push({ task: 'reconcilePartition', input });
      return { runId: input.runId, partition: input.partition, groupsSeen: 1 };
    },
    summarizeRun: async (input: unknown) => {
      calls.push({ task: 'summarizeRun', input });
      return { runId: (input as { runId: string }).runId, status: 'SUCCEEDED' };
    },
    notifyRun: async (input: unknown) => {
      calls.push({ task: 'notifyRun', input });
      return { published: 0 };
    },
    failRun: async (input: unknown) => {
      calls.push({ task: 'failRun', input });
      return { runId: (input as { runId: string }).runId, status: 'FAILED' };
    },
  };
}

describe('the local run state machine', () => {
  it('is the definition the CDK stack synthesizes, unchanged (dist/ is not stale)', () => {
    expect(loadRunDefinitionFile().definition).toEqual(stackDefinition());
  });

  it('executes the stack’s states, each Lambda task on its bound handler', async () => {
    const definition = stackDefinition();
    const calls: { task: string; input: unknown }[] = [];
    const starter = new LocalRunStarter({
      definition: loadRunDefinitionFile().definition,
      handlers: fakeHandlers([3, 5], calls),
    });

    const execution = await starter.startExecution({ runId: 'run-1', mode: 'close', asOf: ASOF }).done;

    expect(execution.status).toBe('SUCCEEDED');
    const stackStates = allStates(definition);
    const entered = execution.states.filter((s) => s.event === 'entered');
    for (const s of entered) expect(stackStates.has(s.name), s.name).toBe(true);
    expect([...new Set(entered.map((s) => s.name))]).toEqual([
      RUN_STATES.listPartitions,
      'InlineOrDistributed',
      RUN_STATES.reconcilePartitions,
      RUN_STATES.reconcilePartition,
      RUN_STATES.summarizeRun,
      RUN_STATES.notify,
    ]);
    expect(calls.map((c) => c.task).sort()).toEqual([
      'listPartitions',
      'notifyRun',
      'reconcilePartition',
      'reconcilePartition',
      'summarizeRun',
    ]);
    // Notify gets the run's id; its answer is discarded, so the run record is the execution's output.
    expect(calls.find((c) => c.task === 'notifyRun')?.input).toEqual({ runId: 'run-1' });
    expect(execution.output).toEqual({ runId: 'run-1', status: 'SUCCEEDED' });
    expect(calls.filter((c) => c.task === 'reconcilePartition').map((c) => c.input)).toEqual(
      expect.arrayContaining([
        { runId: 'run-1', partition: 3, asOf: ASOF },
        { runId: 'run-1', partition: 5, asOf: ASOF },
      ]),
    );
    expect(calls.find((c) => c.task === 'summarizeRun')?.input).toEqual({
      runId: 'run-1',
      results: [
        { runId: 'run-1', partition: 3, groupsSeen: 1 },
        { runId: 'run-1', partition: 5, groupsSeen: 1 },
      ],
    });
  });

  it('names a function error and its cause the way Step Functions reports a Lambda error', async () => {
    const calls: { task: string; input: unknown }[] = [];
    const handlers = {
      ...fakeHandlers([0], calls),
      reconcilePartition: async () => {
        throw new RangeError('partition 0 is out of its mind');
      },
    };
    const starter = new LocalRunStarter({
      definition: loadRunDefinitionFile().definition,
      handlers,
      retryIntervalMs: 0,
    });

    const execution = await starter.startExecution({ runId: 'run-2', mode: 'close', asOf: ASOF }).done;

    const summary = calls.find((c) => c.task === 'summarizeRun')?.input as {
      results: Record<string, unknown>[];
    };
    expect(summary.results).toEqual([
      { failed: true, partition: 0, error: 'RangeError', cause: expect.any(String) },
    ]);
    expect(JSON.parse(summary.results[0]?.cause as string)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'partition 0 is out of its mind',
    });
    // One try and the two retries of States.TaskFailed.
    expect(
      execution.states.filter((s) => s.name === RUN_STATES.reconcilePartition && s.event === 'failed'),
    ).toHaveLength(3);
  });

  it('ends the execution as Step Functions does when a state is handed more than 256 KiB', async () => {
    // Unbounded causes: 64 partitions failing with 10 KB messages and their stacks.
    const calls: { task: string; input: unknown }[] = [];
    const partitions = [...Array(64).keys()];
    const handlers = {
      ...fakeHandlers(partitions, calls),
      reconcilePartition: async () => {
        throw new Error(`上海仓 ${'x'.repeat(10_000)}`);
      },
    };
    const starter = new LocalRunStarter({
      definition: loadRunDefinitionFile().definition,
      handlers,
      retryIntervalMs: 0,
    });

    const execution = await starter.startExecution({ runId: 'run-big', mode: 'close', asOf: ASOF }).done;

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toMatch(
      /^States\.DataLimitExceeded: The state\/task 'SummarizeRun' input is \d+ bytes/,
    );
    // Terminal: neither SummarizeRun nor the Catch that closes a run FAILED ever ran.
    expect(calls.filter((c) => c.task === 'summarizeRun' || c.task === 'failRun')).toEqual([]);
  });

  it('keeps a run of 256 failing partitions under the limit with bounded causes, and summarizes it', async () => {
    const calls: { task: string; input: unknown }[] = [];
    const partitions = [...Array(DISTRIBUTED_MAP_THRESHOLD).keys()];
    const failing = middy<unknown, never>()
      .use(boundedErrors(new Logger({ logLevel: 'SILENT' })))
      .handler(async (event) => {
        const { partition } = event as PartitionTask;
        throw new RangeError(
          `partition ${partition}: "上海仓" ${'\\x'.repeat(50_000)}\n${'行'.repeat(20_000)}`,
        );
      });
    const handlers = {
      ...fakeHandlers(partitions, calls),
      reconcilePartition: (event: never) => failing(event, lambdaContextFor('reconcile', 60_000)),
    };
    const starter = new LocalRunStarter({
      definition: loadRunDefinitionFile().definition,
      handlers,
      retryIntervalMs: 0,
    });

    const execution = await starter.startExecution({ runId: 'run-256', mode: 'close', asOf: ASOF }).done;

    expect(execution.status).toBe('SUCCEEDED');
    const input = calls.find((c) => c.task === 'summarizeRun')?.input as {
      results: { failed: boolean; partition: number; error: string; cause: string }[];
    };
    expect(Buffer.byteLength(JSON.stringify(input))).toBeLessThan(STATE_DATA_LIMIT_BYTES);
    expect(input.results).toHaveLength(DISTRIBUTED_MAP_THRESHOLD);
    const first = input.results[0];
    expect(first).toMatchObject({ failed: true, partition: 0, error: 'RangeError' });
    // Still Lambda's error payload, its message cut on a character boundary, saying how much is gone.
    expect(JSON.parse(first?.cause ?? '{}')).toMatchObject({
      errorType: 'RangeError',
      errorMessage: expect.stringMatching(/^partition 0: '上海仓' .*…\(\d+ more bytes\)$/) as unknown,
    });
  });

  it('refuses a run past the Distributed Map threshold, which only the cloud can execute', async () => {
    const calls: { task: string; input: unknown }[] = [];
    const definition = loadRunDefinitionFile().definition;
    const handlers = {
      ...fakeHandlers([], calls),
      listPartitions: async (input: ListPartitionsInput) => ({
        runId: input.runId,
        asOf: input.asOf,
        partitions: [],
        partitionCount: 1_000_000,
        partitionListKey: `runs/${input.runId}/partitions.json`,
      }),
    };
    const starter = new LocalRunStarter({ definition, handlers });

    const execution = await starter.startExecution({ runId: 'run-3', mode: 'close', asOf: ASOF }).done;

    expect(execution.status).toBe('FAILED');
    expect(calls.filter((c) => c.task === 'summarizeRun')).toEqual([]);
    // The refusal is ListPartitions' failure: caught, and the run closed FAILED with the reason.
    expect(calls.find((c) => c.task === 'failRun')?.input).toMatchObject({
      runId: 'run-3',
      mode: 'close',
      asOf: ASOF,
      step: RUN_STATES.listPartitions,
      cause: expect.stringMatching(/Distributed Map/),
    });
  });

  it('closes the run FAILED when SummarizeRun fails every retry, and sends no alerts', async () => {
    const calls: { task: string; input: unknown }[] = [];
    const handlers = {
      ...fakeHandlers([1], calls),
      summarizeRun: async () => {
        throw new Error('the runs table is gone');
      },
    };
    const starter = new LocalRunStarter({
      definition: loadRunDefinitionFile().definition,
      handlers,
      retryIntervalMs: 0,
    });

    const execution = await starter.startExecution({ runId: 'run-4', mode: 'continuous', asOf: ASOF }).done;

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toMatch(/RunFailed/);
    expect(calls.filter((c) => c.task === 'failRun').map((c) => c.input)).toEqual([
      {
        runId: 'run-4',
        mode: 'continuous',
        asOf: ASOF,
        step: RUN_STATES.summarizeRun,
        error: 'Error',
        cause: expect.stringContaining('the runs table is gone'),
      },
    ]);
    expect(calls.filter((c) => c.task === 'notifyRun')).toEqual([]);
  });
});

const SECRET = 'state-machine-test-secret';
const TOKEN = 'state-machine-test-token';
const PARTITIONS = 64;

/** Three items, each alone in its partition: one that always fails, one that fails twice first. */
function skus(): { failing: string; flaky: string; steady: string } {
  const found: string[] = [];
  const used = new Set<number>();
  for (let i = 0; found.length < 3; i++) {
    const sku = `SKU-${i}`;
    const p = partitionOf(sku, PARTITIONS);
    if (used.has(p)) continue;
    used.add(p);
    found.push(sku);
  }
  const [failing = '', flaky = '', steady = ''] = found;
  return { failing, flaky, steady };
}

describe('a run through the local state machine on the real handlers', () => {
  const { failing, flaky, steady } = skus();
  const attempts = new Map<number, number>();
  let pipeline: Pipeline;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    vi.resetModules();
    pipeline = await startPipeline({
      dataDir: tempDir('run-sm-'),
      port: 0,
      webhookSecret: SECRET,
      token: TOKEN,
      loadHandlers: loadRealHandlers,
      runs: {
        retryIntervalMs: 0,
        loadHandlers: async () => {
          const real = await loadRealRunHandlers();
          return {
            ...real,
            reconcilePartition: async (event: PartitionTask, context: Context) => {
              const n = (attempts.get(event.partition) ?? 0) + 1;
              attempts.set(event.partition, n);
              if (event.partition === partitionOf(failing, PARTITIONS))
                throw new Error(`${failing} is unreadable`);
              if (event.partition === partitionOf(flaky, PARTITIONS) && n <= 2) {
                throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
              }
              return real.reconcilePartition(event as never, context);
            },
          };
        },
      },
    });
    dynamo = new DynamoDBClient({
      endpoint: pipeline.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const sku of [failing, flaky, steady]) {
      const body = JSON.stringify({
        eventId: `E-${sku}`,
        warehouseId: 'WH-1',
        sku,
        type: 'RECEIPT',
        quantity: '5',
        documentRef: `PO-${sku}`,
        occurredAt: '2026-10-01T08:00:00Z',
      });
      const { status } = await postSigned({
        url: `${pipeline.api}/v1/movements`,
        secret: SECRET,
        body,
        contentType: 'application/json',
      });
      expect(status).toBe(200);
    }
  });
  afterAll(async () => {
    dynamo?.destroy();
    await pipeline?.stop();
  });

  it('retries a partition that fails twice, and leaves the run PARTIAL naming the one that always fails', async () => {
    const client = { api: pipeline.api, token: TOKEN };

    const runId = await startRun(client, { mode: 'close', asOf: ASOF });
    const execution = pipeline.runs?.execution(runId);
    await execution?.done;

    expect(execution?.error).toBeUndefined();
    expect(execution?.status).toBe('SUCCEEDED');
    const run = await waitForRun(client, runId, { timeoutMs: 5_000 });
    expect(run.status).toBe('PARTIAL');
    expect(run.failures).toEqual([
      expect.objectContaining({ partition: partitionOf(failing, PARTITIONS), error: 'Error' }),
    ]);
    expect(run.failures[0]?.cause).toContain(`${failing} is unreadable`);
    // The flaky partition: two throttled tries, then the real handler.
    expect(attempts.get(partitionOf(flaky, PARTITIONS))).toBe(3);
    // The failing one: a try and the two retries for a task failure, then the Catch.
    expect(attempts.get(partitionOf(failing, PARTITIONS))).toBe(3);
    expect(execution?.states.filter((s) => s.event === 'caught').map((s) => s.name)).toEqual([
      RUN_STATES.reconcilePartition,
    ]);
  });

  it('stores every other partition’s results', async () => {
    const client = { api: pipeline.api, token: TOKEN };
    const runId = await startRun(client, { mode: 'close', asOf: ASOF });
    await pipeline.runs?.execution(runId)?.done;
    const run = await getRun(client, runId);
    const store = new RunStore({ client: dynamo, tableName: RUNS_TABLE.localName });

    const reports = await store.readPartitionReports(runId, run.partitions);
    const failed = partitionOf(failing, PARTITIONS);
    expect(reports.map((r) => r.partition).sort((a, b) => a - b)).toEqual(
      [...Array(PARTITIONS).keys()].filter((p) => p !== failed),
    );
    const response = await fetch(`${pipeline.api}/v1/runs/${runId}/discrepancies`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const page = (await response.json()) as { items: { sku: string; kind: string }[] };
    expect(page.items.map((d) => d.sku).sort()).toEqual([flaky, steady].sort());
    expect(run.summary?.discrepancies).toBe(2);
  });
});
