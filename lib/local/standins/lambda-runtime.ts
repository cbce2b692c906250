import type { Context } from 'aws-lambda';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { LOCAL_REGION } from './embedded-aws.js';

/**
 * Runs a real Lambda handler in this process the way the Lambda service would: a context object
 * with a request id and a deadline, and a timeout that ends the invocation with the service's own
 * message. The handler itself is not stopped (a process cannot stop a promise); its late answer is
 * dropped, as Lambda drops it.
 */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

export interface LambdaFunction<E, R> {
  /** The function's name in logs and in the context (`stocktally-webhook`). */
  name: string;
  handler: LambdaHandler<E, R>;
  timeoutMs: number;
}

export class LambdaTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    this.name = 'LambdaTimeoutError';
  }
}

const ACCOUNT = '000000000000';

export function lambdaContext(name: string, timeoutMs: number, requestId: string = randomUUID()): Context {
  const deadline = performance.now() + timeoutMs;
  const unsupported = (what: string) => () => {
    throw new Error(`context.${what}() is the callback-era API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/**
 * Which function the code running now belongs to: every handler runs in its own async context, so
 * an SDK call made anywhere below it (a store shared by several functions included) is attributed to
 * that function, whose own IAM policy the local pipeline checks it against (lib/local/iam/).
 */
const running = new AsyncLocalStorage<{ functionName: string }>();

/** The function whose invocation the caller runs in, or undefined outside any invocation. */
export function currentFunction(): string | undefined {
  return running.getStore()?.functionName;
}

/** One invocation: the handler's result, or its error, or a LambdaTimeoutError at the deadline. */
export async function invoke<E, R>(fn: LambdaFunction<E, R>, event: E, requestId?: string): Promise<R> {
  const context = lambdaContext(fn.name, fn.timeoutMs, requestId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(fn.timeoutMs)), fn.timeoutMs);
  });
  try {
    const result = running.run({ functionName: fn.name }, () =>
      Promise.resolve().then(() => fn.handler(event, context)),
    );
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where the local pipeline says what happened: requests and invocations, and what failed. */
export interface LocalLog {
  info(line: string): void;
  error(line: string): void;
}

export const SILENT: LocalLog = { info: () => undefined, error: () => undefined };

/** One line for a log: the error's name and message, never a stack or a JSON dump. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
