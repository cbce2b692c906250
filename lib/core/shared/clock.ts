/**
 * Where "now" comes from. The core never reads the time: it takes the instant as an argument, and
 * whoever assembles the work (a function's container, the CLI, `stocktally start`, a test) holds one
 * clock and passes its readings down, so fixing time once fixes every age, day claim and schedule.
 */
export type Clock = () => Date;

/** A clock stopped at one instant: what a test means by "now". */
export function fixedClock(at: string | number | Date): Clock {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(at)}`);
  return () => new Date(ms);
}

/**
 * A clock that reads `start` when `base` reads `baseStart` and then runs as `base` runs: the local
 * pipeline "as if it were" a given day, whose waits and timeouts still pass in real time.
 */
export function offsetClock(start: Date, base: Clock, baseStart: Date = base()): Clock {
  const offset = start.getTime() - baseStart.getTime();
  return () => new Date(base().getTime() + offset);
}

/**
 * One replaceable clock for a composition root (the functions' container, the dashboard): `now()`
 * reads it, `use(clock)` replaces it until the answer is called.
 */
export function replaceableClock(initial: Clock): { now(): Date; use(clock: Clock): () => void } {
  let current = initial;
  return {
    now: () => current(),
    use(clock) {
      const previous = current;
      current = clock;
      return () => {
        current = previous;
      };
    },
  };
}
