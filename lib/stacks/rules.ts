import { ENV } from '../declarations/tables.js';

/**
 * The reconciliation rules a deployment chooses (CDK context `currency`, `checkAccounts`,
 * `varianceCompensates`; README, "Currencies, accounts and codes in the pipeline"), carried to the
 * functions that reconcile (the partition task and GET /v1/vouchers) in their environment. A rule
 * left unset sets no variable: the functions then keep their defaults (CNY, accounts not checked,
 * no compensation), so a stack without them synthesizes as before.
 */
export interface ReconcileRules {
  /** The functional currency, ISO 4217. @default CNY */
  readonly currency?: string;
  /** Check finance lines against the workflow configuration's account mapping. @default false */
  readonly checkAccounts?: boolean;
  /** Treat a difference the cost variance explains whole as compensated. @default false */
  readonly varianceCompensates?: boolean;
}

export function rulesEnvironment(rules: ReconcileRules = {}): Record<string, string> {
  return {
    ...(rules.currency === undefined ? {} : { [ENV.currency]: rules.currency }),
    ...(rules.checkAccounts === true ? { [ENV.checkAccounts]: 'true' } : {}),
    ...(rules.varianceCompensates === true ? { [ENV.varianceCompensates]: 'true' } : {}),
  };
}
