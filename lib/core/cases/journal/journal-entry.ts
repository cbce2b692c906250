import { type CaseFacts, casePeriod, primaryType } from '../case-facts.js';
import { formatMoney, mulRound, parseDecimal, roundHalfUp, type Decimal } from '../../shared/decimal.js';
import type { MovementType } from '../../records/movement-type.js';
import { RESOLUTION_ZH, type Resolution } from '../resolution.js';
import { accountsFor, splitAccount, type WorkflowConfig } from '../workflow-config.js';
import type { Result } from '../../shared/result.js';

/**
 * The adjusting journal entry (调整分录) a resolution proposes: debit and credit lines on the
 * accounts the configuration maps per warehouse and movement type, amounts to the cent, debits
 * equal to credits by construction. A movement type's mapping is its natural booking for a
 * positive amount (a receipt: 借 原材料 / 贷 应付账款); a negative amount books the same accounts
 * on the opposite sides, so every line's amount is positive, as ERP imports expect.
 */
export interface JournalLine {
  line: number;
  side: 'debit' | 'credit';
  accountCode: string;
  accountName: string;
  /** Money, two places, positive. */
  amount: string;
  memo: string;
}

export interface JournalEntry {
  entryId: string;
  caseId: string;
  groupKey: string;
  warehouseId: string;
  sku: string;
  documentRef: string;
  period: string;
  action: Resolution['action'];
  movementType: MovementType;
  memo: string;
  lines: JournalLine[];
  /** The sum of the debits (equal to the sum of the credits). */
  total: string;
}

export type EntryBuild = Result<{ entry: JournalEntry | null }, { field: string; reason: string }>;

/** Whether a type's positive quantity adds stock (in) or removes it (out): which side is inventory. */
export const STOCK_DIRECTION: Readonly<Record<MovementType, 'in' | 'out'>> = {
  RECEIPT: 'in',
  SHIPMENT: 'out',
  TRANSFER_IN: 'in',
  TRANSFER_OUT: 'out',
  ADJUSTMENT: 'in',
  CUSTOMER_RETURN: 'in',
  VENDOR_RETURN: 'out',
};

/** The inventory account of a movement type in a warehouse (the account a freeze holds). */
export function inventoryAccount(config: WorkflowConfig, warehouseId: string, type: MovementType): string {
  const pair = accountsFor(config, warehouseId, type);
  return STOCK_DIRECTION[type] === 'in' ? pair.debit : pair.credit;
}

const money = (text: string | null): Decimal | undefined => {
  if (text === null) return undefined;
  const parsed = parseDecimal(text);
  return parsed.ok ? parsed.value : undefined;
};

interface Posting {
  debit: string;
  credit: string;
  amount: Decimal;
}

/** The natural booking of `type` for a signed amount: sides swap for a negative one. */
function booking(config: WorkflowConfig, warehouseId: string, type: MovementType, signed: Decimal): Posting {
  const pair = accountsFor(config, warehouseId, type);
  return signed >= 0n
    ? { debit: pair.debit, credit: pair.credit, amount: signed }
    : { debit: pair.credit, credit: pair.debit, amount: -signed };
}

/**
 * A difference between the stock and the books (expected - finance amount, in the direction of
 * `type`) booked on the inventory account against `other`: the inventory side takes what the books
 * lack (debit) or hold too much of (credit).
 */
function againstInventory(
  config: WorkflowConfig,
  warehouseId: string,
  type: MovementType,
  difference: Decimal,
  other: string,
): Posting {
  const stockDelta = STOCK_DIRECTION[type] === 'in' ? difference : -difference;
  const inventory = inventoryAccount(config, warehouseId, type);
  return stockDelta >= 0n
    ? { debit: inventory, credit: other, amount: stockDelta }
    : { debit: other, credit: inventory, amount: -stockDelta };
}

type Plan = Result<{ type: MovementType; postings: Posting[] }, { field: string; reason: string }>;

const refuse = (field: string, reason: string): Plan => ({ ok: false, field, reason });

/** At most two places: money given by a person is booked as given, never silently rounded. */
function givenMoney(text: string | undefined, field: string): Decimal | Plan | undefined {
  if (text === undefined) return undefined;
  const value = money(text);
  if (value === undefined || roundHalfUp(value, 2) !== value) {
    return refuse(field, 'must be an amount with at most 2 decimal places');
  }
  return value;
}

function isPlan(value: Decimal | Plan | undefined): value is Plan {
  return typeof value === 'object';
}

function plan(resolution: Resolution, facts: CaseFacts, config: WorkflowConfig): Plan {
  const wh = facts.warehouseId;
  const financeAmount = money(facts.financeAmount) ?? 0n;
  const expected = money(facts.expectedAmount);
  switch (resolution.action) {
    case 'supplement-voucher': {
      const type = resolution.movementType ?? primaryType(facts);
      const given = givenMoney(resolution.amount, 'resolution.amount');
      if (isPlan(given)) return given;
      const amount = given ?? (expected === undefined ? undefined : expected - financeAmount);
      if (amount === undefined) {
        return refuse(
          'resolution.amount',
          'is required: the discrepancy has no expected amount to derive it from',
        );
      }
      return { ok: true, type, postings: [booking(config, wh, type, amount)] };
    }
    case 'reverse-entry': {
      const known = new Set(facts.financeEntryIds);
      const unknown = resolution.entryIds.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        return refuse('resolution.entryIds', `not finance lines of this discrepancy: ${unknown.join(', ')}`);
      }
      const type = resolution.movementType ?? facts.financeTypes[0] ?? primaryType(facts);
      const given = givenMoney(resolution.amount, 'resolution.amount');
      if (isPlan(given)) return given;
      const ids = new Set(resolution.entryIds);
      const duplicates = new Set(facts.duplicateEntryIds);
      let booked = given;
      if (booked === undefined && ids.size === known.size) booked = financeAmount;
      if (
        booked === undefined &&
        facts.kind === 'DUPLICATE_POSTING' &&
        [...ids].every((id) => duplicates.has(id)) &&
        expected !== undefined
      ) {
        booked = financeAmount - expected;
      }
      if (booked === undefined) {
        return refuse('resolution.amount', 'is required when only some of the finance lines are reversed');
      }
      const postings = [booking(config, wh, type, -booked)];
      if (resolution.rebookAs !== undefined) postings.push(booking(config, wh, resolution.rebookAs, booked));
      return { ok: true, type, postings };
    }
    case 'adjust-price': {
      const quantity = money(facts.financeQuantity) ?? 0n;
      if (quantity === 0n) {
        return refuse(
          'resolution.unitCost',
          'the finance side holds no quantity to price; supplement a voucher instead',
        );
      }
      const unitCost = money(resolution.unitCost) ?? 0n;
      const type = facts.financeTypes[0] ?? primaryType(facts);
      return {
        ok: true,
        type,
        postings: [booking(config, wh, type, mulRound(quantity, unitCost, 2) - financeAmount)],
      };
    }
    case 'adjust-quantity': {
      const cost = money(facts.unitCost) ?? money(facts.financeUnitCost);
      if (cost === undefined) {
        return refuse('resolution.quantity', 'the discrepancy has no unit cost to value a quantity at');
      }
      const target = money(resolution.quantity ?? facts.wmsQuantity) ?? 0n;
      const held = money(facts.financeQuantity) ?? 0n;
      const type = primaryType(facts);
      return { ok: true, type, postings: [booking(config, wh, type, mulRound(target - held, cost, 2))] };
    }
    case 'freeze-account': {
      const type = primaryType(facts);
      const given = givenMoney(resolution.amount, 'resolution.amount');
      if (isPlan(given)) return given;
      const difference = given ?? (expected === undefined ? undefined : expected - financeAmount);
      if (difference === undefined) {
        return refuse(
          'resolution.amount',
          'is required: the discrepancy has no expected amount to derive it from',
        );
      }
      // What the books' inventory lacks (positive) or holds too much of (negative), parked in suspense.
      return {
        ok: true,
        type,
        postings: [againstInventory(config, wh, type, difference, config.accounts.suspense)],
      };
    }
    case 'accept-difference': {
      const type = primaryType(facts);
      const given = givenMoney(resolution.amount, 'resolution.amount');
      if (isPlan(given)) return given;
      const difference = given ?? (expected === undefined ? undefined : expected - financeAmount);
      if (difference === undefined) {
        return refuse(
          'resolution.amount',
          'is required: the discrepancy has no expected amount to derive it from',
        );
      }
      // The books' inventory brought to the stock, the difference written off for good.
      return {
        ok: true,
        type,
        postings: [againstInventory(config, wh, type, difference, config.accounts.writeOff)],
      };
    }
    case 'accept-timing':
    case 'link':
      return { ok: true, type: primaryType(facts), postings: [] };
  }
}

/**
 * The entry `resolution` proposes for the case's facts, or null for accept-timing and link; a refusal names
 * the payload field that cannot be booked.
 */
export function buildJournalEntry(
  resolution: Resolution,
  facts: CaseFacts,
  config: WorkflowConfig,
  ids: { entryId: string; caseId: string },
): EntryBuild {
  const planned = plan(resolution, facts, config);
  if (!planned.ok) return planned;
  if (resolution.action === 'accept-timing' || resolution.action === 'link') return { ok: true, entry: null };
  const postings = planned.postings
    .map((p) => ({ ...p, amount: roundHalfUp(p.amount, 2) }))
    .filter((p) => p.amount !== 0n);
  if (postings.length === 0) {
    return { ok: false, field: 'resolution', reason: 'books nothing: the amount comes to 0.00' };
  }
  const memo = [RESOLUTION_ZH[resolution.action], facts.documentRef, facts.sku, resolution.memo]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const lines: JournalLine[] = [];
  let total = 0n;
  for (const p of postings) {
    total += p.amount;
    for (const [side, account] of [
      ['debit', p.debit],
      ['credit', p.credit],
    ] as const) {
      const { code, name } = splitAccount(account);
      lines.push({
        line: lines.length + 1,
        side,
        accountCode: code,
        accountName: name,
        amount: formatMoney(p.amount),
        memo,
      });
    }
  }
  return {
    ok: true,
    entry: {
      entryId: ids.entryId,
      caseId: ids.caseId,
      groupKey: facts.groupKey,
      warehouseId: facts.warehouseId,
      sku: facts.sku,
      documentRef: facts.documentRef,
      period: casePeriod(facts),
      action: resolution.action,
      movementType: planned.type,
      memo,
      lines,
      total: formatMoney(total),
    },
  };
}

/** Debits minus credits, exactly: zero for every entry this module builds. */
export function imbalance(entry: Pick<JournalEntry, 'lines'>): Decimal {
  let sum = 0n;
  for (const line of entry.lines) {
    const amount = money(line.amount) ?? 0n;
    sum += line.side === 'debit' ? amount : -amount;
  }
  return sum;
}
