import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Severity } from '../../../core/reconcile/discrepancy.js';
import { LOCAL_REGION } from '../embedded-aws.js';
import { LOCAL_ACCOUNT, type CfnTemplate } from '../state-machine.js';
import { checkStatements, type PolicyStatement } from './evaluate.js';

/**
 * Each function's IAM policy exactly as the CDK stack synthesizes it, with the template's references
 * resolved to the stand-ins' resources: what the local pipeline checks every call of that function
 * against (lib/local/standins/iam/enforcer.ts). Taken from the synthesized template at build time, beside the
 * run state machine (scripts/synth-asl.mjs, through lib/stacks/run-asl.ts), into
 * dist/function-policies.json; a test fails when that file differs from a fresh synth.
 *
 * Nothing here imports CDK: this module is bundled into the CLI.
 */
export const FUNCTION_POLICIES_FILE = 'function-policies.json';

export interface FunctionPolicy {
  /** The function's role, by its logical id in the template. */
  role: string;
  statements: PolicyStatement[];
}

export interface FunctionPoliciesFile {
  stack: string;
  /** By handler entry (HANDLERS in lib/declarations/tables.ts): every function the stack deploys. */
  functions: Record<string, FunctionPolicy>;
  /** What the local stand-ins of SNS and Step Functions are addressed as. */
  alertTopics: Record<Severity, string>;
  runStateMachine: string;
}

/** A template resource on the stand-ins: what `Ref` and `Fn::GetAtt ... Arn` of it resolve to. */
export interface LocalResource {
  ref: string;
  arn: string;
}

export type LocalResources = Readonly<Record<string, LocalResource>>;

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Stocktally-local',
};

/**
 * Resolves a policy value. A resource the stand-ins do not have (a log group, a KMS key, a secret)
 * resolves to `unresolved:<logical id>`, which no local request names: its grants simply never match.
 */
export function resolvePolicyValue(value: unknown, resources: LocalResources): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return (join[1] as unknown[]).map((part) => resolvePolicyValue(part, resources)).join(join[0]);
  }
  if (typeof node.Ref === 'string') {
    return PSEUDO[node.Ref] ?? resources[node.Ref]?.ref ?? `unresolved:${node.Ref}`;
  }
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && typeof getAtt[0] === 'string') {
    const [id, attribute] = getAtt as [string, string];
    const found = attribute === 'Arn' ? resources[id]?.arn : undefined;
    return found ?? `unresolved:${id}.${attribute}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)} in a policy`);
}

const list = (value: unknown): unknown[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

function statementOf(raw: Record<string, unknown>, resources: LocalResources): PolicyStatement {
  const strings = (value: unknown) => list(value)?.map((v) => resolvePolicyValue(v, resources));
  const condition = raw.Condition as Record<string, Record<string, unknown>> | undefined;
  const statement: PolicyStatement = { Effect: raw.Effect === 'Deny' ? 'Deny' : 'Allow' };
  const fields = ['Action', 'NotAction', 'Resource', 'NotResource'] as const;
  for (const field of fields) {
    const values = strings(raw[field]);
    if (values !== undefined) statement[field] = values;
  }
  if (condition !== undefined) {
    statement.Condition = Object.fromEntries(
      Object.entries(condition).map(([operator, keys]) => [
        operator,
        Object.fromEntries(Object.entries(keys).map(([key, v]) => [key, strings(v) ?? []])),
      ]),
    );
  }
  return statement;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** The role's handler, from the description every StocktallyFunction gives its role: `Runs <entry>`. */
const HANDLER_OF_ROLE = /^Runs (functions\/\S+\.ts)$/;

/**
 * The policy of every function the stack builds from a handler entry: the role's inline policies and
 * every AWS::IAM::Policy attached to it. A function without such a role (CDK's own deploy-time
 * handlers) is not part of the product and is left out.
 */
export function functionPoliciesOf(
  template: CfnTemplate,
  resources: LocalResources,
): Record<string, FunctionPolicy> {
  const all = template.Resources as Record<string, TemplateResource>;
  const policies: Record<string, FunctionPolicy> = {};
  for (const resource of Object.values(all)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const roleRef = (resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ];
    const role = roleRef?.[0];
    if (role === undefined) continue;
    const handler = HANDLER_OF_ROLE.exec(String(all[role]?.Properties?.Description ?? ''))?.[1];
    if (handler === undefined) continue;
    const documents: unknown[] = [
      ...((all[role]?.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
        (p) => p.PolicyDocument,
      ),
      ...Object.values(all)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            ((r.Properties?.Roles as { Ref?: string }[] | undefined) ?? []).some((ref) => ref.Ref === role),
        )
        .map((r) => r.Properties?.PolicyDocument),
    ];
    const statements = documents.flatMap((document) =>
      ((document as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? []).map((raw) =>
        statementOf(raw, resources),
      ),
    );
    checkStatements(statements, `the policy of ${handler}`);
    if (policies[handler] !== undefined) throw new Error(`two functions run ${handler}`);
    policies[handler] = { role, statements };
  }
  return policies;
}

/** dist/function-policies.json: beside the bundle (dist/, dist/chunks/) or under dist/ above lib/local/iam/. */
export function findFunctionPoliciesFile(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, FUNCTION_POLICIES_FILE), join(dir, 'dist', FUNCTION_POLICIES_FILE)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`${FUNCTION_POLICIES_FILE} is not found above ${from}; build first (npm run build)`);
}

export function loadFunctionPoliciesFile(path: string = findFunctionPoliciesFile()): FunctionPoliciesFile {
  const file = JSON.parse(readFileSync(path, 'utf8')) as FunctionPoliciesFile;
  if (typeof file.functions !== 'object' || file.functions === null) {
    throw new Error(`${path} holds no function policies; rebuild (npm run build)`);
  }
  for (const [handler, policy] of Object.entries(file.functions)) {
    checkStatements(policy.statements, `${path}: ${handler}`);
  }
  return file;
}
