import { z } from 'zod';
import { formatDecimal, parseDecimal } from '../shared/decimal.js';
import { MOVEMENT_TYPES } from '../records/movement-type.js';

/**
 * How a case proposes to settle its discrepancy: one of a few resolution actions, each with its own
 * payload. Every action but accept-timing and link books an adjusting journal entry
 * (journal-entry.ts). Once approved, the case waits for the books and closes when a run finds the
 * group agreeing, except for accept-difference: the write-off of a difference that stays, the one
 * way a person ends a case whose group still disagrees (CONTRACT section 8). A link (CONTRACT §11)
 * names the other side's group, booked under a mistyped code, that the runs reconcile together
 * with this one once it is approved.
 */
export const RESOLUTION_ACTIONS = [
  'supplement-voucher',
  'reverse-entry',
  'adjust-price',
  'adjust-quantity',
  'freeze-account',
  'accept-timing',
  'link',
  'accept-difference',
] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

export const RESOLUTION_ZH: Readonly<Record<ResolutionAction, string>> = {
  'supplement-voucher': '补录凭证',
  'reverse-entry': '冲销错误分录',
  'adjust-price': '调整价格',
  'adjust-quantity': '调整数量',
  'freeze-account': '冻结账户',
  'accept-timing': '确认为时间性差异',
  link: '关联为同一笔业务',
  'accept-difference': '核销差异',
};

/** A decimal as a JSON string or number, kept as its canonical text. */
const decimal = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = parseDecimal(String(value));
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `${what} ${parsed.reason}` });
      return z.NEVER;
    }
    return formatDecimal(parsed.value);
  });

const memo = z.string().trim().min(1).max(200).optional();
const movementType = z.enum(MOVEMENT_TYPES).optional();

export const ResolutionSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('supplement-voucher'),
    /** The voucher (凭证号) that books what is missing. */
    voucherRef: z.string().trim().min(1).max(100),
    movementType,
    /** The amount to book; by default what the books lack (expected amount - finance amount). */
    amount: decimal('amount').optional(),
    memo,
  }),
  z.strictObject({
    action: z.literal('reverse-entry'),
    /** The finance lines booked wrongly: ids among the discrepancy's financeEntryIds. */
    entryIds: z.array(z.string().trim().min(1)).min(1).max(100),
    movementType,
    /** The amount to reverse; by default the lines' amount when the facts give it. */
    amount: decimal('amount').optional(),
    /** Book the reversed amount again under this type (a receipt booked as a shipment). */
    rebookAs: movementType,
    memo,
  }),
  z.strictObject({
    action: z.literal('adjust-price'),
    /** The right unit cost of the finance quantity. */
    unitCost: decimal('unitCost').refine((v) => !v.startsWith('-'), 'must not be negative'),
    memo,
  }),
  z.strictObject({
    action: z.literal('adjust-quantity'),
    /** The quantity finance should hold; by default the WMS quantity. */
    quantity: decimal('quantity').optional(),
    memo,
  }),
  z.strictObject({
    action: z.literal('freeze-account'),
    reason: z.string().trim().min(1).max(500),
    /** The difference to park in suspense; by default expected amount - finance amount. */
    amount: decimal('amount').optional(),
    memo,
  }),
  z.strictObject({
    action: z.literal('link'),
    /** The other side's group in the same warehouse, as its documentRef and sku are written (verbatim). */
    documentRef: z.string().min(1).max(256),
    sku: z.string().min(1).max(128),
    memo,
  }),
  z.strictObject({
    action: z.literal('accept-timing'),
    /** When the other side is expected (informational). */
    expectedBy: z.iso.date().optional(),
    memo,
  }),
  z.strictObject({
    action: z.literal('accept-difference'),
    /** Why the difference stays (a count loss, a supplier's short delivery written off, ...). */
    reason: z.string().trim().min(1).max(500),
    /** The difference written off; by default expected amount - finance amount. */
    amount: decimal('amount').optional(),
    memo,
  }),
]);
export type Resolution = z.infer<typeof ResolutionSchema>;
