import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * A run task's error as Step Functions keeps it: Lambda reports a function error as the JSON
 * `{ errorType, errorMessage, trace }` (the trace being the error's stack, line by line), and the
 * state machine carries that text as the Catch's `Cause` into the Map's output, one per failed
 * partition. With full messages and stacks a mostly failing run of 256 partitions passes Step
 * Functions' 256 KiB limit on a state's data, which fails the execution where no Catch can see it and
 * leaves the run RUNNING. So a task's error leaves the function bounded: its name, a message of at
 * most MESSAGE_MAX_BYTES (UTF-8), characters that JSON would escape replaced, and a one-line stack.
 * The whole error is logged first, where the logs keep it.
 *
 * Budget: a failed partition's Map item is then at most ~700 bytes, 256 of them ~180 KiB.
 */
export const ERROR_LIMITS = { messageMaxBytes: 400, nameMaxBytes: 64 } as const;

const encoder = new TextEncoder();

/** At most `maxBytes` of UTF-8, cut on a character boundary; says how much was left out. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let kept = '';
  let size = 0;
  const suffixFor = (left: number) => ` …(${left} more bytes)`;
  const budget = maxBytes - encoder.encode(suffixFor(bytes.length)).length;
  for (const ch of text) {
    const width = encoder.encode(ch).length;
    if (size + width > budget) break;
    kept += ch;
    size += width;
  }
  return `${kept}${suffixFor(bytes.length - size)}`;
}

/** Quotes, backslashes and control characters would double in each JSON that carries the text. */
function plain(text: string): string {
  let out = '';
  for (const ch of text.replace(/["\\]/g, "'")) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out;
}

/** The error, changed in place (its class and fields kept) to the bounded form above. */
export function boundError<E extends Error>(error: E): E {
  const name = truncateUtf8(plain(error.name || 'Error'), ERROR_LIMITS.nameMaxBytes);
  const message = truncateUtf8(plain(error.message), ERROR_LIMITS.messageMaxBytes);
  Object.defineProperty(error, 'name', { value: name, configurable: true, writable: true });
  error.message = message;
  error.stack = name;
  return error;
}

/**
 * Middleware for the run's task functions: logs the whole error, then bounds it. Use it right after
 * injectLambdaContext: onError runs in reverse order, so the metrics middlewares see the error as it
 * was, and the log line still carries the invocation's correlation id.
 */
export function boundedErrors(logger: Logger): MiddlewareObj {
  return {
    onError: (request) => {
      const { error } = request;
      if (!(error instanceof Error)) return;
      logger.error('task failed', { error });
      request.error = boundError(error);
    },
  };
}
