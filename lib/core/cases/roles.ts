/**
 * Who may do what in the exception workflow: the roles of the people who work the cases, as the
 * identity provider names them (one Cognito group per role in the cloud; LOCAL_USERS locally), and
 * the caller a request is made by. Approvals are not here: the amount decides them
 * (approval-policy.ts).
 */
export const ROLES = [
  'warehouse-lead',
  'finance-specialist',
  'finance-reviewer',
  'it-support',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_ZH: Readonly<Record<Role, string>> = {
  'warehouse-lead': '仓库负责人',
  'finance-specialist': '财务专员',
  'finance-reviewer': '财务复核',
  'it-support': 'IT支持',
  admin: '系统管理员',
};

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

export function isRole(value: string): value is Role {
  return ROLE_SET.has(value);
}

/** The person behind a request, from the identity provider's claims. */
export interface Caller {
  /** Stable id (the token's `sub`). */
  userId: string;
  /** The sign-in name; case owners and the audit trail name people by it. */
  username: string;
  roles: readonly Role[];
}

export function hasAnyRole(caller: Caller, roles: readonly Role[]): boolean {
  return caller.roles.some((role) => roles.includes(role));
}

/** Who may start a reconcile run through the API (the schedules start theirs directly). */
export const RUN_STARTER_ROLES: readonly Role[] = ['finance-specialist', 'finance-reviewer', 'admin'];
