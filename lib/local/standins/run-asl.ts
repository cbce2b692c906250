import { App } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEVERITIES, type Severity } from '../../core/reconcile/discrepancy.js';
import { BUCKET } from '../../declarations/tables.js';
import { DEFAULT_PARTITIONS } from '../../core/records/partition.js';
import { DEFAULT_SETTINGS } from '../../core/reconcile/settings.js';
import { localBucketArn, localStateMachineArn, localTableArn, localTopicArn } from './iam/arns.js';
import { functionPoliciesOf, type FunctionPoliciesFile, type LocalResource } from './iam/policies.js';
import { runDefinitionOf, type CfnTemplate, type RunDefinitionFile } from './state-machine.js';
import { RUN_FUNCTIONS, type RunFunctionName } from '../../declarations/runs.js';
import { stageOf } from '../../stacks/stage.js';
import { StocktallyStack } from '../../stacks/stocktally-stack.js';

/**
 * What `stocktally start` takes from the stack, exactly as it synthesizes it, with the template's
 * references resolved to the stand-ins' names: the run state machine's ASL it executes, and each
 * function's IAM policy it checks that function's calls against. Synthesized without bundling (no
 * stack in `aws:cdk:bundling-stacks`), which changes asset hashes only, never a definition or a
 * policy. scripts/synth-asl.mjs writes both to dist/ at build time; tests compare them with a fresh synth.
 */
export const LOCAL_STACK_NAME = 'Stocktally-local';

/** The run state machine on the stand-ins. */
export const LOCAL_RUN_STATE_MACHINE = 'stocktally-run';

/** An alert topic on the stand-ins (the local publisher stands in for it). */
export function localAlertTopic(severity: Severity): string {
  return localTopicArn(`stocktally-alerts-${severity.toLowerCase()}`);
}

export interface LocalDefinitions {
  runDefinition: RunDefinitionFile;
  functionPolicies: FunctionPoliciesFile;
}

export function synthesizeLocalDefinitions(projectRoot: string): LocalDefinitions {
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
): LocalDefinitions {
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
  return localDefinitionsOf(stack, template);
}

/** What the local pipeline runs of a synthesized stack: its run definition and functions' policies. */
export function localDefinitionsOf(stack: StocktallyStack, template: CfnTemplate): LocalDefinitions {
  const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
  const names: Record<string, string> = { [logicalId(stack.storage.bucket)]: BUCKET.localName };
  for (const [name, fn] of Object.entries(stack.runs.functions) as [RunFunctionName, { fn: never }][]) {
    names[logicalId(fn.fn)] = RUN_FUNCTIONS[name].localName;
  }
  names[logicalId(stack.notify.notifyRun.fn)] = RUN_FUNCTIONS.notifyRun.localName;
  const { logicalId: stateMachine, definition } = runDefinitionOf(template, names);

  const stateMachineArn = localStateMachineArn(LOCAL_RUN_STATE_MACHINE);
  const resources: Record<string, LocalResource> = {
    [logicalId(stack.storage.bucket)]: { ref: BUCKET.localName, arn: localBucketArn(BUCKET.localName) },
    [stateMachine]: { ref: stateMachineArn, arn: stateMachineArn },
  };
  for (const { declaration, table } of stack.data.tables) {
    resources[logicalId(table)] = { ref: declaration.localName, arn: localTableArn(declaration.localName) };
  }
  for (const severity of SEVERITIES) {
    const arn = localAlertTopic(severity);
    resources[logicalId(stack.notify.topics[severity])] = { ref: arn, arn };
  }
  return {
    runDefinition: { stack: stack.stackName, logicalId: stateMachine, definition },
    functionPolicies: {
      stack: stack.stackName,
      functions: functionPoliciesOf(template, resources),
      alertTopics: Object.fromEntries(SEVERITIES.map((s) => [s, localAlertTopic(s)])) as Record<
        Severity,
        string
      >,
      runStateMachine: stateMachineArn,
    },
  };
}

/** The run state machine's ASL alone (see synthesizeLocalDefinitions). */
export function synthesizeRunDefinition(projectRoot: string): RunDefinitionFile {
  return synthesizeLocalDefinitions(projectRoot).runDefinition;
}
