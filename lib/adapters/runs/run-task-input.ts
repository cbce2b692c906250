import type { z } from 'zod';
import { problem } from '../http/runs-request.js';
import { InvalidRunInputError } from '../../errors/runs.js';

/** A state machine task's input, checked against its schema at the task's edge. */
export function taskInput<T>(schema: z.ZodType<T>, event: unknown, task: string): T {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidRunInputError(`${task} input: ${problem(parsed.error, 'input')}`);
  return parsed.data;
}
