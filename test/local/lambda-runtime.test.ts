import { describe, expect, it } from 'vitest';
import { invoke, lambdaContext, LambdaTimeoutError } from '../../lib/local/standins/lambda-runtime.js';

describe('the local Lambda runtime', () => {
  it('gives the handler a context whose remaining time runs down from the timeout', async () => {
    const context = lambdaContext('stocktally-test', 1_000, 'req-1');
    const first = context.getRemainingTimeInMillis();
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(first).toBeGreaterThan(950);
    expect(first).toBeLessThanOrEqual(1_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThan(first);
    expect(context).toMatchObject({
      functionName: 'stocktally-test',
      awsRequestId: 'req-1',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:stocktally-test',
    });
  });

  it('returns the handler result, and ends an invocation that outlives its timeout as Lambda does', async () => {
    const quick = { name: 'quick', timeoutMs: 1_000, handler: async (n: number) => n * 2 };
    const slow = {
      name: 'slow',
      timeoutMs: 50,
      handler: () => new Promise<number>((resolve) => setTimeout(() => resolve(1), 500)),
    };

    expect(await invoke(quick, 21)).toBe(42);
    await expect(invoke(slow, 0)).rejects.toBeInstanceOf(LambdaTimeoutError);
    await expect(invoke(slow, 0)).rejects.toThrow('Task timed out after 0.05 seconds');
  });
});
