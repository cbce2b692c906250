import { describe, expect, it } from 'vitest';
import { fixedClock, offsetClock, replaceableClock } from '../../../lib/core/shared/clock.js';

describe('clocks', () => {
  it('stops a fixed clock at its instant and refuses a text that is not one', () => {
    const clock = fixedClock('2026-11-05T09:00:00Z');
    expect(clock().toISOString()).toBe('2026-11-05T09:00:00.000Z');
    expect(clock()).not.toBe(clock()); // a fresh Date each time: a caller cannot move it
    expect(() => fixedClock('next tuesday')).toThrow(RangeError);
  });

  it('runs an offset clock from its start as its base runs', () => {
    let base = Date.parse('2030-01-01T00:00:00Z');
    const clock = offsetClock(new Date('2026-11-05T09:00:00Z'), () => new Date(base));
    expect(clock().toISOString()).toBe('2026-11-05T09:00:00.000Z');
    base += 90_000;
    expect(clock().toISOString()).toBe('2026-11-05T09:01:30.000Z');
  });

  it('replaces a replaceable clock until the answer puts the previous one back', () => {
    const clock = replaceableClock(fixedClock('2026-01-01T00:00:00Z'));
    const restore = clock.use(fixedClock('2026-06-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
    restore();
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
