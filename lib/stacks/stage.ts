import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Where a stack is deployed. Only production keeps its data when the stack goes away. */
export interface Stage {
  readonly name: string;
  readonly production: boolean;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;
export const PRODUCTION_STAGE = 'prod';

export function stageOf(name: string): Stage {
  if (!STAGE_NAME.test(name)) {
    throw new Error(`stage must match ${STAGE_NAME.source}, got ${JSON.stringify(name)}`);
  }
  return { name, production: name === PRODUCTION_STAGE };
}

/** Ledger data, drops and secrets outlive a deleted production stack; other stages clean up after themselves. */
export function dataRemovalPolicy(stage: Stage): RemovalPolicy {
  return stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** A year of logs in production covers a full audit cycle; a month is plenty to debug a dev stage. */
export function logRetention(stage: Stage): RetentionDays {
  return stage.production ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
}

/**
 * Whether a bucket is emptied when its stack is destroyed: buckets that go with their stack (not in
 * production) must be, or CloudFormation cannot delete them and `cdk destroy` fails.
 */
export function emptiedOnDestroy(stage: Stage): boolean {
  return !stage.production;
}
