import type { Clock } from './core/shared/clock.js';

/**
 * The machine's time: the one module that reads it for "now". Composition roots (the CLI, the
 * functions' container in lib/adapters/aws/clock.ts, `stocktally start`) hand it, or a clock a test or
 * `--now` chose, to everything they assemble.
 */
export const systemClock: Clock = () => new Date();
