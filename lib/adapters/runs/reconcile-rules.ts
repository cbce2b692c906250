import type { WorkflowConfig } from '../../core/cases/workflow-config.js';
import type { CurrencySettings } from '../../core/records/rates.js';
import { config } from '../aws/env.js';
import type { RunTables } from './run-tables.js';

/**
 * The rules a pipeline reconciliation adds to the partition function, from the stack's settings
 * (lib/stacks/app.ts context `currency`, `checkAccounts`, `varianceCompensates`, carried in the
 * functions' environment) and the tables in force, so the runs and GET /v1/vouchers judge the
 * books alike, as `reconcile --currency --rates --accounts --variance-compensates` does:
 * - every finance entry is converted into the functional currency with tables/rates.csv, or
 *   rejected naming the currency and the date (CONTRACT §10); discrepancies show `currency` and
 *   `originalAmount` once a currency is set or a rates table was dropped, as with the CLI's flags;
 * - accounts are checked against the workflow configuration's mapping only when switched on;
 * - a difference the cost variance explains whole is compensated only when switched on.
 * With none of the settings and no rates table, every earlier output stays as it was.
 */
export interface ReconcileRules {
  currency: CurrencySettings;
  accounts: WorkflowConfig | undefined;
  varianceCompensates: boolean;
}

export function reconcileRules(tables: Pick<RunTables, 'rates'>, workflow: WorkflowConfig): ReconcileRules {
  const currency = config.currency();
  return {
    currency: {
      currency: currency.code,
      rates: tables.rates,
      shown: currency.configured || tables.rates.size > 0,
    },
    accounts: config.checkAccounts() ? workflow : undefined,
    varianceCompensates: config.varianceCompensates(),
  };
}
