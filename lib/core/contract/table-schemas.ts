import { z } from 'zod';
import { CODE_KINDS } from '../records/code-map.js';

/**
 * The reference tables' columns (CONTRACT §1 and §10, the code mapping of issue 18), declared with
 * zod metadata for the data dictionary only: the table readers (uom.ts, costs.ts, rates.ts,
 * code-map.ts) validate each cell themselves and name the field of every rejected row.
 */
const cell = (doc: { zh: string; en: string; example: string; type: string }) => z.string().meta(doc);

export const UomRowSchema = z.object({
  sku: cell({
    zh: '物料编码;* 表示所有物料(物料自己的行优先)',
    en: "item code; * for every item (an item's own row wins)",
    example: 'SKU-1',
    type: 'string',
  }),
  fromUom: cell({ zh: '换算前单位', en: 'the unit converted from', example: 'BOX', type: 'string' }),
  toUom: cell({ zh: '换算后单位', en: 'the unit converted to', example: 'EA', type: 'string' }),
  factor: cell({
    zh: '1 个换算前单位 = factor 个换算后单位,大于0',
    en: '1 fromUom = factor toUom; greater than zero',
    example: '12',
    type: 'decimal',
  }),
});

export const CostRowSchema = z.object({
  warehouseId: cell({
    zh: '仓库编码;* 表示所有仓库(仓库自己的行优先)',
    en: "warehouse code; * for every warehouse (the warehouse's own row wins)",
    example: '*',
    type: 'string',
  }),
  sku: cell({ zh: '物料编码', en: 'item code', example: 'SKU-1', type: 'string' }),
  standardCost: cell({
    zh: '标准单位成本(本位币),不可为负',
    en: 'standard unit cost in the functional currency; not negative',
    example: '12.50',
    type: 'decimal',
  }),
  effectiveFrom: cell({
    zh: '生效日期(纯日期为 --timezone 当天零点)',
    en: 'in effect from (a plain date is midnight in --timezone)',
    example: '2026-10-01',
    type: 'date | date-time',
  }),
});

export const RateRowSchema = z.object({
  currency: cell({
    zh: '币种(ISO 4217,三个大写字母)',
    en: 'currency, ISO 4217 (three capital letters)',
    example: 'USD',
    type: 'string',
  }),
  date: cell({
    zh: '汇率日期:过账日取不晚于它的最近一天的汇率',
    en: 'rate date: a posting takes the rate of the latest date not after it',
    example: '2026-10-01',
    type: 'date | date-time',
  }),
  rate: cell({
    zh: '1 单位该币种 = rate 单位本位币,大于0',
    en: '1 unit of the currency = rate units of the functional currency; greater than zero',
    example: '7.1',
    type: 'decimal',
  }),
});

export const CodeRowSchema = z.object({
  kind: z.enum(CODE_KINDS).meta({
    zh: 'sku 物料编码,或 warehouse 仓库编码',
    en: 'sku (item code) or warehouse (warehouse code)',
    example: 'sku',
    type: 'enum',
  }),
  source: z.enum(['wms', 'finance']).meta({
    zh: '该编码出自哪一方:wms 或 finance',
    en: 'which side uses the code: wms or finance',
    example: 'finance',
    type: 'enum',
  }),
  from: cell({
    zh: '该方的编码(如ERP物料号)',
    en: "that side's code (an ERP material number)",
    example: 'MAT-1001',
    type: 'string',
  }),
  to: cell({
    zh: '统一后的编码;同一编码只能映射到一个编码,否则整表拒收',
    en: 'the unified code; one code maps to one code, or the whole table is refused',
    example: 'SKU-1',
    type: 'string',
  }),
});
