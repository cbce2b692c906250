import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole, Role } from 'aws-cdk-lib/aws-iam';

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every IAM policy attached to `role`, as synthesized. */
export function statementsOf(template: Template, role: Role): Statement[] {
  const roleId = Stack.of(role).resolve((role.node.defaultChild as CfnRole).logicalId) as string;
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  ) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

export function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** The statements whose actions include one of `service`'s (e.g. 's3'). */
export function statementsFor(statements: Statement[], service: string): Statement[] {
  return statements.filter((s) =>
    (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith(`${service}:`)),
  );
}

export function resourcesOf(statements: Statement[]): unknown[] {
  return statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
}

/** `${arn}/suffix` as CloudFormation writes it for an ARN attribute of `logicalId`. */
export function arnJoin(logicalId: string, suffix: string): unknown {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, suffix]] };
}

export function logicalIdOf(construct: { node: { defaultChild?: unknown } }, stack: Stack): string {
  return stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
}
