import { App } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKET } from '../declarations.js';
import { DEFAULT_PARTITIONS } from '../core/partition.js';
import { DEFAULT_SETTINGS } from '../core/settings.js';
import { runDefinitionOf, type CfnTemplate, type RunDefinitionFile } from '../local/state-machine.js';
import { RUN_FUNCTIONS, type RunFunctionName } from '../run-declarations.js';
import { stageOf } from './stage.js';
import { StocktallyStack } from './stocktally-stack.js';

/**
 * The run state machine's ASL exactly as the stack synthesizes it, with the template's references
 * resolved to the stand-ins' names: what `stocktally start` executes. Synthesized without bundling
 * (no stack in `aws:cdk:bundling-stacks`), which changes asset hashes only, never the definition.
 * scripts/synth-asl.mjs writes it to dist/ at build time; a test compares that file with a fresh one.
 */
export const LOCAL_STACK_NAME = 'Stocktally-local';

export function synthesizeRunDefinition(projectRoot: string): RunDefinitionFile {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  // The assembly is only read here: synthesized into a temp dir that goes when the definition is out.
  const outdir = mkdtempSync(join(tmpdir(), 'cdk.out-asl-'));
  try {
    return synthesizeInto(projectRoot, cdkJson.context ?? {}, outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function synthesizeInto(
  projectRoot: string,
  context: Record<string, unknown>,
  outdir: string,
): RunDefinitionFile {
  const app = new App({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
    outdir,
  });
  const stack = new StocktallyStack(app, LOCAL_STACK_NAME, {
    stage: stageOf('dev'),
    projectRoot,
    partitions: DEFAULT_PARTITIONS,
    timeZone: DEFAULT_SETTINGS.timeZone,
  });
  const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;

  const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
  const names: Record<string, string> = { [logicalId(stack.storage.bucket)]: BUCKET.localName };
  for (const [name, fn] of Object.entries(stack.runs.functions) as [RunFunctionName, { fn: never }][]) {
    names[logicalId(fn.fn)] = RUN_FUNCTIONS[name].localName;
  }
  names[logicalId(stack.notify.notifyRun.fn)] = RUN_FUNCTIONS.notifyRun.localName;
  const { logicalId: stateMachine, definition } = runDefinitionOf(template, names);
  return { stack: stack.stackName, logicalId: stateMachine, definition };
}
