import { randomBytes } from 'node:crypto';
import { hasAnyRole, RUN_STARTER_ROLES, type Caller } from '../../core/cases/roles.js';
import type { RunRequest } from '../../core/runs/run-events.js';
import type { RunWork } from '../../core/runs/ports.js';
import { runInput, startedRun } from '../../core/runs/run-request.js';
import { ForbiddenError } from '../../errors/access.js';
import { runPeriodOf } from '../../core/runs/run-period.js';
import { refuseLocked } from '../periods/period-guard.js';

/** A close moves the books: runs are started by finance (and by the schedules, which do not call here). */
function requireRunStarter(caller: Caller): void {
  if (hasAnyRole(caller, RUN_STARTER_ROLES)) return;
  throw new ForbiddenError(
    'run_role_required',
    `starting a run needs one of ${RUN_STARTER_ROLES.join(', ')}; ${caller.username} holds ${
      caller.roles.length === 0 ? 'no role' : caller.roles.join(', ')
    }`,
  );
}

/**
 * POST /v1/runs: records the run as RUNNING, then starts its state machine; a start that fails
 * closes it FAILED. Answers the run id.
 */
export async function startRun(
  work: Pick<RunWork, 'runs' | 'starter' | 'zone' | 'now' | 'telemetry' | 'periods'>,
  caller: Caller,
  request: RunRequest,
): Promise<string> {
  requireRunStarter(caller);
  const now = work.now();
  const input = runInput(request, work.zone(), now, randomBytes(4).toString('hex'));
  // Refused before anything is recorded: a locked period's close is final (409).
  if (input.mode === 'close') await refuseLocked(work.periods, runPeriodOf(input, work.zone()));
  const run = startedRun(input, now);
  await work.runs.putRun({ run, dirtyVersions: {} });
  try {
    await work.starter.start(input);
  } catch (error) {
    await work.runs.putRun({
      run: { ...run, status: 'FAILED', finishedAt: work.now().toISOString() },
      dirtyVersions: {},
    });
    throw error;
  }
  work.telemetry.info('run requested', { runId: input.runId, mode: input.mode, asOf: input.asOf });
  return input.runId;
}
