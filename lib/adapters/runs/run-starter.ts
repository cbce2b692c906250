import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ListPartitionsInput, RunStarter } from '../../core/runs/run-events.js';
import { RUN_STATE_MACHINE_ARN_ENV } from '../../declarations/runs.js';
import { requiredEnv } from '../aws/env.js';

/**
 * How POST /v1/runs starts a run: a Step Functions execution named after the run id (so a repeated
 * start of the same run cannot start it twice), its input the ListPartitions input. The local
 * pipeline puts its own starter in with setRunStarter before the first request.
 */
export class StepFunctionsRunStarter implements RunStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: () => string,
  ) {}

  async start(input: ListPartitionsInput): Promise<void> {
    await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn(),
        name: input.runId,
        input: JSON.stringify(input),
      }),
    );
  }
}

let starter: RunStarter | undefined;

export function runStarter(): RunStarter {
  return (starter ??= new StepFunctionsRunStarter(new SFNClient({}), () =>
    requiredEnv(RUN_STATE_MACHINE_ARN_ENV),
  ));
}

/** Replaces the starter (the local state machine runner, a test's fake); undefined restores the default. */
export function setRunStarter(next: RunStarter | undefined): void {
  starter = next;
}
