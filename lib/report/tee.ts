/**
 * One async source read by several consumers at once, each at its own pace but never more than
 * `limit` items apart: the one ahead waits for the others (an XLSX and a CSV written from one read
 * of the report's rows). A consumer that stops (finished, or failed) no longer holds the others back;
 * a failure of the source reaches every consumer.
 */
export function tee<T>(source: AsyncIterable<T>, count: number, limit = 512): AsyncIterable<T>[] {
  const iterator = source[Symbol.asyncIterator]();
  const buffers: T[][] = Array.from({ length: count }, () => []);
  const active = buffers.map(() => true);
  let done = false;
  let failure: { error: unknown } | undefined;
  let pulling: Promise<void> | undefined;
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  const pull = (): Promise<void> =>
    (pulling ??= (async () => {
      try {
        const next = await iterator.next();
        if (next.done === true) done = true;
        else for (const [j, b] of buffers.entries()) if (active[j] === true) b.push(next.value);
      } catch (error) {
        failure = { error };
        done = true;
      } finally {
        pulling = undefined;
        wake();
      }
    })());
  const blocked = (i: number): boolean =>
    buffers.some((b, j) => j !== i && active[j] === true && b.length >= limit);

  return buffers.map((buffer, i) => ({
    [Symbol.asyncIterator]: (): AsyncIterator<T> => ({
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (buffer.length > 0) {
            const value = buffer.shift() as T;
            wake();
            return { value, done: false };
          }
          if (failure !== undefined) throw failure.error;
          if (done) return { value: undefined, done: true };
          if (blocked(i)) await new Promise<void>((resolve) => waiters.push(resolve));
          else await pull();
        }
      },
      async return(): Promise<IteratorResult<T>> {
        active[i] = false;
        buffer.length = 0;
        wake();
        if (active.every((a) => !a)) await iterator.return?.();
        return { value: undefined, done: true };
      },
    }),
  }));
}
