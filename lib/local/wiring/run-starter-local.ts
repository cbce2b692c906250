import '../standins/promise-with-resolvers.js';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ListPartitionsInput, RunStarter } from '../../core/runs/run-events.js';
import { RUN_STATES } from '../../declarations/tables.js';
import { RUN_FUNCTIONS, type RunFunctionName } from '../../declarations/runs.js';
import {
  describeError,
  invoke,
  LambdaTimeoutError,
  SILENT,
  type LambdaFunction,
  type LambdaHandler,
  type LocalLog,
} from '../standins/lambda-runtime.js';
import { allStates, localFunctionArn, type AslDefinition } from '../standins/state-machine.js';
import { currentTime } from '../../adapters/aws/clock.js';

/**
 * The local RunStarter: POST /v1/runs (and the demo) start the run state machine the CDK stack
 * synthesizes, executed in this process by aws-local-stepfunctions, each Lambda task bound by its
 * state name (RUN_STATES) to the real handler, invoked the way Lambda invokes it (context, timeout).
 *
 * Only the inline Map runs here: aws-local-stepfunctions has no Distributed Map (ItemReader,
 * ResultWriter), so a run past the definition's Distributed Map threshold is refused by the
 * ListPartitions binding with a message saying so, instead of failing in the Map.
 */
export type RunTaskName = Exclude<RunFunctionName, 'runsApi'>;

export type RunTaskHandlers = Readonly<Record<RunTaskName, LambdaHandler<never, unknown>>>;

/** A task's error as Step Functions reports a function error when the ARN is the resource. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string, trace: string[]) {
    // The Cause is Lambda's error payload as a JSON string, as in the cloud.
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
  }
}

/** What happened to one state: the log a test reads to see which states ran. */
export interface ExecutedState {
  name: string;
  event: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  /** The Map iteration, for states inside the Map. */
  index?: number;
  error?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface LocalExecution {
  executionArn: string;
  runId: string;
  input: ListPartitionsInput;
  status: ExecutionStatus;
  startedAt: Date;
  stoppedAt?: Date;
  output?: unknown;
  error?: string;
  states: ExecutedState[];
  /** Settles when the execution has stopped, its states all recorded. */
  done: Promise<LocalExecution>;
}

export interface LocalRunStarterOptions {
  definition: AslDefinition;
  handlers: RunTaskHandlers;
  log?: LocalLog;
  /** Waits before retries in ms instead of the definition's backoff (tests: 0). */
  retryIntervalMs?: number;
  /** Task function timeouts in ms (default RUN_FUNCTIONS). */
  timeoutsMs?: Partial<Record<RunTaskName, number>>;
  /** Checks the caller's states:StartExecution (the local IAM check); throws if refused. */
  authorize?: () => void;
}

const TASK_BINDINGS: readonly { state: string; task: RunTaskName }[] = [
  { state: RUN_STATES.listPartitions, task: 'listPartitions' },
  { state: RUN_STATES.reconcilePartition, task: 'reconcilePartition' },
  { state: RUN_STATES.summarizeRun, task: 'summarizeRun' },
  { state: RUN_STATES.notify, task: 'notifyRun' },
  { state: RUN_STATES.markRunFailed, task: 'failRun' },
];

const EVENT_NAMES = {
  StateEntered: 'entered',
  StateExited: 'exited',
  StateFailed: 'failed',
  StateRetried: 'retried',
  StateCaught: 'caught',
} as const;

/** Step Functions' limit on a state's input or output, in UTF-8 bytes (a terminal States.DataLimitExceeded). */
export const STATE_DATA_LIMIT_BYTES = 256 * 1024;

/** The data a task was handed or answered was over the limit: Step Functions ends the execution. */
export class DataLimitExceededError extends Error {
  constructor(state: string, what: 'input' | 'output', bytes: number) {
    super(
      `The state/task '${state}' ${what} is ${bytes} bytes, over the ${STATE_DATA_LIMIT_BYTES}-byte limit ` +
        "of a state's data; the execution fails where no Catch can see it (States.ALL does not match it)",
    );
    this.name = 'States.DataLimitExceeded';
  }
}

/** The Distributed Map's threshold as the definition's Choice states it, if it has one. */
export function distributedThreshold(definition: AslDefinition): number | undefined {
  for (const state of allStates(definition).values()) {
    if (state.Type !== 'Choice') continue;
    for (const choice of (state.Choices ?? []) as { Variable?: string; NumericGreaterThan?: number }[]) {
      if (choice.Variable === '$.partitionCount' && typeof choice.NumericGreaterThan === 'number') {
        return choice.NumericGreaterThan;
      }
    }
  }
  return undefined;
}

export class LocalRunStarter implements RunStarter {
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly functions: Readonly<Record<RunTaskName, LambdaFunction<never, unknown>>>;
  private readonly log: LocalLog;
  private readonly threshold: number | undefined;

  constructor(private readonly options: LocalRunStarterOptions) {
    this.log = options.log ?? SILENT;
    const states = allStates(options.definition);
    for (const { state, task } of TASK_BINDINGS) {
      const resource = states.get(state)?.Resource;
      if (resource !== localFunctionArn(RUN_FUNCTIONS[task].localName)) {
        throw new Error(`the run definition has no task ${state} on ${RUN_FUNCTIONS[task].localName}`);
      }
    }
    this.threshold = distributedThreshold(options.definition);
    this.machine = new StateMachine(options.definition as unknown as StateMachineDefinition);
    const fn = (task: RunTaskName): LambdaFunction<never, unknown> => ({
      name: RUN_FUNCTIONS[task].localName,
      handler: options.handlers[task],
      timeoutMs: options.timeoutsMs?.[task] ?? RUN_FUNCTIONS[task].timeoutSeconds * 1000,
    });
    this.functions = {
      listPartitions: fn('listPartitions'),
      reconcilePartition: fn('reconcilePartition'),
      summarizeRun: fn('summarizeRun'),
      notifyRun: fn('notifyRun'),
      failRun: fn('failRun'),
    };
  }

  /** The RunStarter port: starts the execution and returns once it is under way, as StartExecution does. */
  async start(input: ListPartitionsInput): Promise<void> {
    this.options.authorize?.();
    this.startExecution(input);
  }

  /** The latest execution of a run. */
  execution(runId: string): LocalExecution | undefined {
    return this.executions.get(runId);
  }

  /** Waits for every execution still running (for shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }

  startExecution(input: ListPartitionsInput): LocalExecution {
    const running = this.executions.get(input.runId);
    // Execution names are unique in Step Functions: a second start of a running run is the same run.
    if (running?.status === 'RUNNING') return running;

    const executionArn = `arn:aws:states:local:000000000000:execution:stocktally-run:${input.runId}`;
    // Step Functions' data limit, which the library does not enforce: a task handed or answering
    // more ends the execution, as in the cloud (the run record then stays as it was).
    let overLimit: DataLimitExceededError | undefined;
    const withinLimit = (state: string, what: 'input' | 'output', data: unknown): void => {
      const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
      if (bytes <= STATE_DATA_LIMIT_BYTES) return;
      overLimit ??= new DataLimitExceededError(state, what, bytes);
      run.abort();
      throw overLimit;
    };
    const run = this.machine.run(input as unknown as Parameters<StateMachine['run']>[0], {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          TASK_BINDINGS.map(({ state, task }) => [
            state,
            async (taskInput: unknown) => {
              withinLimit(state, 'input', taskInput);
              const output = await this.invokeTask(task, taskInput);
              withinLimit(state, 'output', output);
              return output as never;
            },
          ]),
        ),
        ...(this.options.retryIntervalMs === undefined
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                TASK_BINDINGS.map(({ state }) => [state, this.options.retryIntervalMs as number]),
              ),
            }),
      },
      context: { Execution: { Id: executionArn, Name: input.runId } },
    });
    const execution: LocalExecution = {
      executionArn,
      runId: input.runId,
      input,
      status: 'RUNNING',
      startedAt: currentTime(),
      states: [],
      done: undefined as unknown as Promise<LocalExecution>,
    };
    const recorded = this.record(execution, run.eventLogs);
    execution.done = run.result.then(
      async (output) => {
        await recorded;
        execution.output = output;
        execution.status = 'SUCCEEDED';
        execution.stoppedAt = currentTime();
        this.log.info(`run ${input.runId}: execution SUCCEEDED`);
        return execution;
      },
      async (error: unknown) => {
        await recorded;
        execution.status = 'FAILED';
        execution.stoppedAt = currentTime();
        execution.error = describeError(
          overLimit ?? (error instanceof ExecutionError ? (error.cause ?? error) : error),
        );
        this.log.error(`run ${input.runId}: execution FAILED: ${execution.error}`);
        return execution;
      },
    );
    this.executions.set(input.runId, execution);
    this.log.info(`run ${input.runId}: execution started (${input.mode}, as of ${input.asOf})`);
    return execution;
  }

  private async record(execution: LocalExecution, events: AsyncGenerator<unknown>): Promise<void> {
    for await (const raw of events) {
      const event = raw as { type: string; state?: { name: string }; index?: number; Error?: string };
      const kind = EVENT_NAMES[event.type as keyof typeof EVENT_NAMES];
      if (kind === undefined || event.state === undefined) continue;
      execution.states.push({
        name: event.state.name,
        event: kind,
        ...(event.index === undefined ? {} : { index: event.index }),
        ...(event.Error === undefined ? {} : { error: event.Error }),
      });
    }
  }

  private async invokeTask(task: RunTaskName, input: unknown): Promise<unknown> {
    if (task === 'listPartitions') {
      const listed = await this.call(task, input);
      const count = (listed as { partitionCount?: unknown }).partitionCount;
      if (this.threshold !== undefined && typeof count === 'number' && count > this.threshold) {
        throw new LambdaFunctionError(
          'LocalDistributedMapUnsupported',
          `${count} partitions take the Distributed Map (above ${this.threshold}), which the local runner ` +
            'cannot execute; run with fewer partitions locally',
          [],
        );
      }
      return listed;
    }
    return this.call(task, input);
  }

  /** One Lambda invocation; its error reaches the state machine named as Lambda would name it. */
  private async call(task: RunTaskName, input: unknown): Promise<unknown> {
    const fn = this.functions[task];
    try {
      // Through JSON both ways, as Lambda passes events and answers.
      const event = JSON.parse(JSON.stringify(input)) as never;
      const result = await invoke(fn, event);
      return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    } catch (error) {
      if (error instanceof LambdaFunctionError) throw error;
      if (error instanceof LambdaTimeoutError) {
        throw new LambdaFunctionError('Sandbox.Timedout', error.message, []);
      }
      const e = error instanceof Error ? error : new Error(String(error));
      const name = e.name === '' ? 'Error' : e.name;
      this.log.error(`${fn.name} failed: ${describeError(e)}`);
      throw new LambdaFunctionError(name, e.message, (e.stack ?? '').split('\n').slice(1, 6));
    }
  }
}
