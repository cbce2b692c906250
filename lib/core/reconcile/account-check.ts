import type { MovementType } from '../records/movement-type.js';
import type { Entry, Rejection } from '../records/records.js';
import { accountsFor, splitAccount, type WorkflowConfig } from '../cases/workflow-config.js';

/**
 * Accounts (CONTRACT §10): with the workflow configuration's mapping (`--accounts`), a finance
 * entry booked to an account that is neither side of the mapping for its warehouse and type is an
 * ACCOUNT_MISMATCH (科目不符). An entry without an account is not judged; an account that is not
 * shaped like an account code is a malformed row.
 */

/** Letters, digits, dots, dashes or underscores, starting with a letter or digit, at most 40. */
const ACCOUNT_CODE = /^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/;

export function isAccountCode(text: string): boolean {
  return ACCOUNT_CODE.test(text);
}

/** The two account codes a type may book in a warehouse: its debit and its credit. */
export function mappedAccounts(config: WorkflowConfig, warehouseId: string, type: MovementType): string[] {
  const pair = accountsFor(config, warehouseId, type);
  return [splitAccount(pair.debit).code, splitAccount(pair.credit).code];
}

export function isMisbooked(entry: Entry, config: WorkflowConfig): boolean {
  return (
    entry.account !== undefined &&
    !mappedAccounts(config, entry.warehouseId, entry.type).includes(entry.account)
  );
}

/** A row whose account is not shaped like a code: rejected with its field, like any malformed row. */
export function accountShapeRejection(entry: Entry): Rejection | undefined {
  if (entry.account === undefined || isAccountCode(entry.account)) return undefined;
  return {
    source: 'finance',
    file: entry.file,
    line: entry.line,
    field: 'account',
    reason: `account ${JSON.stringify(entry.account)} is not an account code (letters, digits, . - _, at most 40)`,
    documentRef: entry.documentRef,
  };
}
