import { z } from 'zod';
import { decimalFromNumber, parseDecimal, type Decimal } from '../shared/decimal.js';
import { MOVEMENT_TYPES, type MovementType } from './movement-type.js';
import { parseInstant } from '../shared/timestamp.js';
import type { GroupParts } from './group-key.js';
import {
  groupKeyProblem,
  NEGATIVE_COST,
  TEXT_LIMITS,
  textProblem,
  type LimitedField,
} from './record-limits.js';
import { ZoneClock } from '../shared/zone-clock.js';

/**
 * The canonical records of CONTRACT §1 as they arrive on the wire (JSON body, NDJSON line or CSV
 * row), declared once with zod: the HTTP edge validates with these schemas, the data dictionary is
 * generated from their metadata, and the fast row parser (record-parser.ts) is property-tested to
 * accept and reject exactly what they do.
 */

/** Field documentation carried in zod metadata for the data dictionary (数据字典). */
export type FieldDoc = {
  zh: string;
  en: string;
  example: string;
  type: string;
  default?: string;
  [key: string]: unknown;
};

const UTC = new ZoneClock('UTC');

function groupKeyFits<T extends GroupParts>(value: T, ctx: z.core.$RefinementCtx<T>): void {
  const problem = groupKeyProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['documentRef'], message: problem });
}

function limited(field: LimitedField, required: boolean) {
  return (value: string, ctx: z.core.$RefinementCtx<string>): void => {
    const problem = textProblem(value, field, required);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  };
}

const limitText = (field: LimitedField, required: boolean): { zh: string; en: string } => ({
  zh: `;最多 ${TEXT_LIMITS[field]} 个字符${required ? ',不可全为空白' : ''}`,
  en: `; at most ${TEXT_LIMITS[field]} characters${required ? ', not blank' : ''}`,
});

const text = (field: LimitedField, doc: FieldDoc) => {
  const limit = limitText(field, true);
  return z
    .string()
    .min(1, 'is empty')
    .superRefine(limited(field, true))
    .meta({ ...doc, zh: doc.zh + limit.zh, en: doc.en + limit.en });
};
const optionalText = (field: LimitedField, doc: FieldDoc) => {
  const limit = limitText(field, false);
  return z
    .string()
    .superRefine(limited(field, false))
    .nullish()
    .meta({ ...doc, zh: doc.zh + limit.zh, en: doc.en + limit.en });
};

const decimal = (doc: FieldDoc, options: { nonNegative?: boolean } = {}) =>
  z
    .union([z.string(), z.number()])
    .superRefine((v, ctx) => {
      const parsed = typeof v === 'number' ? decimalFromNumber(v) : parseDecimal(v);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
      else if (options.nonNegative === true && parsed.value < 0n) {
        ctx.addIssue({ code: 'custom', message: NEGATIVE_COST });
      }
    })
    .meta(doc);

const instant = (doc: FieldDoc) =>
  z
    .string()
    .superRefine((v, ctx) => {
      const parsed = parseInstant(v, UTC);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
    })
    .meta(doc);

const movementType = z.enum(MOVEMENT_TYPES).meta({
  zh: '业务类型:采购入库、销售出库、调拨入库、调拨出库、盘点调整、销售退货、采购退货',
  en: 'movement type; quantity and amount are signed relative to its natural direction',
  example: 'RECEIPT',
  type: 'enum',
});

const warehouseId = text('warehouseId', {
  zh: '仓库编码(任意Unicode文本)',
  en: 'warehouse code, any Unicode text',
  example: 'WH-上海-02',
  type: 'string',
});
const sku = text('sku', { zh: '物料编码', en: 'item code', example: 'SKU-00069', type: 'string' });
const documentRef = text('documentRef', {
  zh: '双方共享的业务单据号(采购单、销售单、调拨单、盘点表),原样保留',
  en: 'the business document both systems share (PO, SO, transfer order, count sheet), kept verbatim',
  example: 'PO-0000102,"rush"',
  type: 'string',
});
const uom = optionalText('uom', {
  zh: '计量单位',
  en: 'unit of measure',
  example: 'BOX',
  type: 'string',
  default: 'EA',
});

export const MovementWire = z
  .object({
    eventId: text('eventId', {
      zh: 'WMS事件唯一编号;幂等键(相同内容重复只计一次)',
      en: 'unique id of the WMS event; the idempotency key',
      example: 'E00000209',
      type: 'string',
    }),
    warehouseId,
    sku,
    type: movementType,
    quantity: decimal({
      zh: '数量(十进制,按业务类型方向取符号,负数为冲销)',
      en: 'decimal quantity, signed by the type; negative reverses it',
      example: '120',
      type: 'decimal',
    }),
    uom,
    documentRef,
    occurredAt: instant({
      zh: '发生时间(ISO 8601,带时区偏移或Z)',
      en: 'ISO 8601 date-time with offset or Z',
      example: '2026-10-22T05:00:00Z',
      type: 'date-time',
    }),
    unitCost: decimal(
      {
        zh: 'WMS已知的单位成本(本位币),不可为负',
        en: 'unit cost known to the WMS, functional currency; not negative',
        example: '28.75',
        type: 'decimal',
      },
      { nonNegative: true },
    ).nullish(),
  })
  .superRefine(groupKeyFits);

export const EntryWire = z
  .object({
    entryId: text('entryId', {
      zh: '财务分录行唯一编号(凭证号+行号);幂等键',
      en: 'unique id of the ledger line (voucher + line); the idempotency key',
      example: 'F00000166',
      type: 'string',
    }),
    warehouseId,
    sku,
    type: movementType,
    quantity: decimal({
      zh: '数量(十进制,符号同上)',
      en: 'decimal quantity, sign as above',
      example: '-486',
      type: 'decimal',
    }),
    uom,
    amount: decimal({
      zh: '本位币金额,符号同数量',
      en: 'value in the functional currency, sign as quantity',
      example: '-784870.56',
      type: 'decimal',
    }),
    currency: optionalText('currency', {
      zh: 'ISO 4217币种,默认本位币',
      en: 'ISO 4217 currency; defaults to the functional currency',
      example: 'CNY',
      type: 'string',
    }),
    documentRef,
    postedAt: instant({
      zh: '过账日期(ISO 8601日期或日期时间;纯日期按 --timezone 当天零点)',
      en: 'ISO 8601 date or date-time (posting date); a plain date is midnight in --timezone',
      example: '2026-10-05',
      type: 'date | date-time',
    }),
    account: optionalText('account', {
      zh: '总账科目代码',
      en: 'GL account code',
      example: '1405',
      type: 'string',
    }),
  })
  .superRefine(groupKeyFits);

export type MovementInput = z.input<typeof MovementWire>;
export type EntryInput = z.input<typeof EntryWire>;

export type Source = 'wms' | 'finance';

/** Where a record came from, so a rejection or an explanation can point at the physical line. */
export interface Origin {
  file: string;
  line: number;
}

/** A WMS movement after validation: exact decimals, the instant as epoch ms. */
export interface Movement extends Origin {
  source: 'wms';
  id: string;
  warehouseId: string;
  sku: string;
  type: MovementType;
  quantity: Decimal;
  uom: string;
  documentRef: string;
  at: number;
  unitCost: Decimal | undefined;
}

/** A finance (sub-ledger / GL) entry after validation. */
export interface Entry extends Origin {
  source: 'finance';
  id: string;
  warehouseId: string;
  sku: string;
  type: MovementType;
  quantity: Decimal;
  uom: string;
  amount: Decimal;
  currency: string | undefined;
  documentRef: string;
  at: number;
  account: string | undefined;
}

export type LedgerRecord = Movement | Entry;

/** A row we could not use, with the physical line and the reason: a value, never an exception. */
export interface Rejection extends Origin {
  source: Source | 'uom' | 'costs' | 'rates';
  field: string | undefined;
  reason: string;
  /** The row's document reference when it could be read, to tie the rejection to a discrepancy. */
  documentRef?: string | undefined;
}
