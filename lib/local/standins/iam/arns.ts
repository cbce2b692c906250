import { LOCAL_REGION } from '../embedded-aws.js';
import { LOCAL_ACCOUNT } from '../state-machine.js';

/**
 * ARNs of the stand-ins' resources, as the local IAM check sees them: the synthesized policies'
 * references are resolved to these (lib/local/standins/iam/policies.ts), and each request is made of them
 * (lib/local/standins/iam/requests.ts), so a grant on the stack's table reaches the local table of that name.
 */
export function localTableArn(table: string): string {
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}`;
}

export function localBucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function localObjectArn(bucket: string, key: string): string {
  return `${localBucketArn(bucket)}/${key}`;
}

export function localTopicArn(name: string): string {
  return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
}

export function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}
