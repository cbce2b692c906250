import { App, Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { findProjectRoot } from '../../lib/stacks/project-root.js';

export const PROJECT_ROOT = findProjectRoot();

/** The feature flags and defaults of cdk.json, so tests build exactly what `cdk synth` builds. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(`${PROJECT_ROOT}/cdk.json`, 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * cdk.json's context without real esbuild bundling (no stack is in `bundling-stacks`): templates are
 * identical but for asset hashes, and a test synth takes milliseconds instead of seconds.
 */
export function testContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...extra };
}

/** An app as tests use it: cdk.json context, no bundling, no built-in CloudFormation schema validation. */
export function testApp(extra: Record<string, unknown> = {}): App {
  return new App({ context: testContext(extra), builtinCloudFormationValidation: false });
}

export function testStack(extra: Record<string, unknown> = {}): Stack {
  return new Stack(testApp(extra), 'Test');
}
