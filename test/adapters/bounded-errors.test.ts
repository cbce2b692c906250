import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import {
  boundedErrors,
  boundError,
  ERROR_LIMITS,
  truncateUtf8,
} from '../../lib/adapters/aws/bounded-errors.js';
import { StoreBusyError } from '../../lib/errors/common.js';
import { lambdaContext } from '../../lib/local/standins/lambda-runtime.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('a run task’s error as it leaves the function', () => {
  it('keeps a short message as it is', () => {
    expect(truncateUtf8('partition 3 failed', 400)).toBe('partition 3 failed');
  });

  it('cuts a long message on a character boundary, within the bytes, saying how much is gone', () => {
    const cut = truncateUtf8('仓'.repeat(1000), 400);

    expect(bytes(cut)).toBeLessThanOrEqual(400);
    expect(cut).toMatch(/^仓+ …\(\d+ more bytes\)$/);
    const kept = cut.replace(/ .*$/, '').length;
    expect(cut).toContain(`(${3000 - kept * 3} more bytes)`);
  });

  it('keeps its class and code, a one-line stack, and nothing JSON would escape', () => {
    const error = boundError(new StoreBusyError(`"busy" \\ \n${'x'.repeat(5000)}`));

    expect(error).toBeInstanceOf(StoreBusyError);
    expect(error.code).toBe('store_busy');
    expect(error.stack).toBe(error.name);
    expect(bytes(error.message)).toBeLessThanOrEqual(ERROR_LIMITS.messageMaxBytes);
    expect(error.message.startsWith("'busy' '  x")).toBe(true);
    expect(JSON.stringify(error.message)).toBe(`"${error.message}"`);
  });

  it('leaves a handler bounded after logging the whole error', async () => {
    const logged: string[] = [];
    const logger = new Logger({ logLevel: 'ERROR' });
    logger.error = ((message: string, extra: { error: Error }) =>
      logged.push(`${message}: ${extra.error.message.length}`)) as never;
    const handler = middy<unknown, never>()
      .use(boundedErrors(logger))
      .handler(async () => {
        throw new RangeError('y'.repeat(100_000));
      });

    const thrown = await handler({}, lambdaContext('task', 1000)).catch((e: unknown) => e as Error);

    expect(thrown).toBeInstanceOf(RangeError);
    expect(bytes(thrown.message)).toBeLessThanOrEqual(ERROR_LIMITS.messageMaxBytes);
    expect(logged).toEqual(['task failed: 100000']);
  });
});
