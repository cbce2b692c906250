import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_STATES } from '../../declarations/tables.js';
import { LOCAL_REGION } from './embedded-aws.js';

/**
 * The run state machine as the CDK stack synthesizes it, for the local runner. The ASL is taken from
 * the synthesized template at build time (scripts/synth-asl.mjs, through lib/stacks/run-asl.ts) and
 * kept in dist/run-state-machine.asl.json, so `stocktally start` needs neither aws-cdk-lib nor a
 * synth (a second or two) at start-up; a test fails when the file differs from a fresh synth.
 *
 * Nothing here imports CDK: this module is bundled into the CLI.
 */
export const RUN_ASL_FILE = 'run-state-machine.asl.json';

/** Enough of the Amazon States Language to walk a definition; the runner takes it as it is. */
export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  Choices?: { Next: string }[];
  Default?: string;
  Catch?: { Next: string }[];
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/** What the build writes: the definition, and where it came from. */
export interface RunDefinitionFile {
  /** The stack and the state machine's logical id it was synthesized from. */
  stack: string;
  logicalId: string;
  definition: AslDefinition;
}

export const LOCAL_ACCOUNT = '000000000000';

/** Values of CloudFormation's pseudo parameters on the stand-ins. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A resource of the template as the resolver needs it. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, TemplateResource>;
}

/**
 * Local names for the template's resources: `Ref` and `Fn::GetAtt [id, 'Arn']` of a resource named
 * here resolve to its local name (a bucket) or a local ARN made from it (a function).
 */
export type LocalNames = Readonly<Record<string, string>>;

/** A Lambda function's ARN on the stand-ins. */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

/**
 * Resolves the intrinsic functions a state machine definition is made of (`Fn::Join`, `Ref`,
 * `Fn::GetAtt ... Arn`) against the local names; anything else is a bug in the stack or here.
 */
export function resolveCfn(value: unknown, template: CfnTemplate, names: LocalNames): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((part) => resolveCfn(part, template, names)).join(join[0]);
  }
  const ref = node.Ref;
  if (typeof ref === 'string') {
    const pseudo = PSEUDO_PARAMETERS[ref];
    if (pseudo !== undefined) return pseudo;
    return names[ref] ?? ref;
  }
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
    const id = getAtt[0];
    const type = template.Resources[id]?.Type;
    if (type === 'AWS::Lambda::Function') return localFunctionArn(names[id] ?? id);
    throw new Error(`cannot resolve the Arn of ${id} (${type ?? 'not in the template'})`);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
}

/** The run state machine of a synthesized template: the one that starts at ListPartitions. */
export function runDefinitionOf(
  template: CfnTemplate,
  names: LocalNames = {},
): { logicalId: string; definition: AslDefinition } {
  const found: { logicalId: string; definition: AslDefinition }[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const text = resolveCfn(resource.Properties?.DefinitionString, template, names);
    const definition = JSON.parse(text) as AslDefinition;
    if (definition.StartAt === RUN_STATES.listPartitions) found.push({ logicalId, definition });
  }
  const [only, ...others] = found;
  if (only === undefined || others.length > 0) {
    throw new Error(`expected one run state machine in the template, found ${found.length}`);
  }
  return only;
}

/** Every state of a definition, nested ones (Map item processors, Parallel branches) included. */
export function allStates(definition: AslDefinition): Map<string, AslState> {
  const states = new Map<string, AslState>();
  const visit = (d: AslDefinition): void => {
    for (const [name, state] of Object.entries(d.States)) {
      states.set(name, state);
      const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])];
      for (const inner of nested) if (inner !== undefined) visit(inner);
    }
  };
  visit(definition);
  return states;
}

/** dist/run-state-machine.asl.json: beside the bundle (dist/, dist/chunks/) or under dist/ above lib/local/. */
export function findRunDefinitionFile(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let up = 0; up < 4; up++) {
    for (const candidate of [join(dir, RUN_ASL_FILE), join(dir, 'dist', RUN_ASL_FILE)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`${RUN_ASL_FILE} is not found above ${from}; build first (npm run build)`);
}

export function loadRunDefinitionFile(path: string = findRunDefinitionFile()): RunDefinitionFile {
  const file = JSON.parse(readFileSync(path, 'utf8')) as RunDefinitionFile;
  if (file.definition?.StartAt !== RUN_STATES.listPartitions) {
    throw new Error(`${path} holds no run state machine; rebuild (npm run build)`);
  }
  return file;
}
