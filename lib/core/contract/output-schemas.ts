import { z } from 'zod';
import {
  KIND_ZH,
  KINDS,
  SEVERITIES,
  SEVERITY_ZH,
  OPTIONAL_KINDS,
  type Discrepancy,
  type Kind,
  type OptionalKind,
  type Severity,
} from '../reconcile/discrepancy.js';
import { MOVEMENT_TYPES } from '../records/movement-type.js';
import type { FieldDoc } from '../records/records.js';
import type { SummaryFigures } from '../reconcile/summary.js';

/**
 * The objects Stocktally writes (CONTRACT §3): one discrepancy of discrepancies.json and the
 * summary.json document, declared with zod so the data dictionary (数据字典) is generated from the
 * same metadata as the input records, and tests can check real outputs against them. Decimals are
 * strings, as written.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MONEY = /^-?\d+\.\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PERIOD = /^\d{4}-\d{2}$/;

const text = (doc: FieldDoc) => z.string().meta(doc);
const count = (doc: FieldDoc) => z.number().int().nonnegative().meta(doc);
const decimal = (doc: FieldDoc) => z.string().regex(DECIMAL, 'is not a decimal string').meta(doc);
const money = (doc: FieldDoc) => z.string().regex(MONEY, 'is not an amount with 2 decimals').meta(doc);
const nullableDecimal = (doc: FieldDoc) => z.string().regex(DECIMAL).nullable().meta(doc);
const nullableMoney = (doc: FieldDoc) => z.string().regex(MONEY).nullable().meta(doc);
const instant = (doc: FieldDoc) => z.string().regex(ISO_INSTANT, 'is not an ISO 8601 UTC instant').meta(doc);
const nullableInstant = (doc: FieldDoc) => z.string().regex(ISO_INSTANT).nullable().meta(doc);
const nullablePeriod = (doc: FieldDoc) => z.string().regex(PERIOD).nullable().meta(doc);

const KIND_LIST = KINDS.join(', ');
const SEVERITY_LIST = SEVERITIES.map((s) => `${s} ${SEVERITY_ZH[s]}`).join(', ');

/** Example figures per kind and severity, as in the summary of the public sample run. */
const KIND_COUNT: Readonly<Record<Kind, number>> = {
  MISSING_IN_WMS: 5,
  MISSING_IN_FINANCE: 5,
  TIMING_LAG: 5,
  TYPE_MISMATCH: 5,
  ACCOUNT_MISMATCH: 0,
  DUPLICATE_POSTING: 2,
  QUANTITY_MISMATCH: 7,
  AMOUNT_MISMATCH: 3,
};
const KIND_MONEY: Readonly<Record<Kind, string>> = {
  MISSING_IN_WMS: '455582.23',
  MISSING_IN_FINANCE: '1569455.21',
  TIMING_LAG: '1131305.02',
  TYPE_MISMATCH: '1747954.26',
  ACCOUNT_MISMATCH: '0.00',
  DUPLICATE_POSTING: '373695.76',
  QUANTITY_MISMATCH: '75914.06',
  AMOUNT_MISMATCH: '191793.54',
};
const SEVERITY_COUNT: Readonly<Record<Severity, number>> = { RED: 15, YELLOW: 14, GREEN: 3 };
const SEVERITY_MONEY: Readonly<Record<Severity, string>> = {
  RED: '5259135.53',
  YELLOW: '283257.49',
  GREEN: '3307.06',
};

/**
 * One object field per discrepancy kind, so the dictionary names each kind with its Chinese name;
 * an optional kind's field is there only when the run found or checked it.
 */
function perKind<T extends z.ZodType>(
  field: (kind: Kind) => T,
): z.ZodObject<Record<Exclude<Kind, OptionalKind>, T> & Record<OptionalKind, z.ZodOptional<T>>> {
  return z.object(
    Object.fromEntries(
      KINDS.map((k) => [k, OPTIONAL_KINDS.has(k) ? field(k).optional() : field(k)]),
    ) as Record<Exclude<Kind, OptionalKind>, T> & Record<OptionalKind, z.ZodOptional<T>>,
  );
}

function perSeverity<T extends z.ZodType>(field: (severity: Severity) => T): Record<Severity, T> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, field(s)])) as Record<Severity, T>;
}

const idList = (doc: FieldDoc) => z.array(z.string()).meta(doc);
const typeList = (doc: FieldDoc) => z.array(z.enum(MOVEMENT_TYPES)).meta(doc);

/** A rejected input row (拒收行) as a discrepancy cites it. */
const RejectedRowCitation = z.object({
  file: text({
    zh: '拒收行所在文件名',
    en: 'file name of the rejected row',
    example: 'wms.csv',
    type: 'string',
  }),
  line: count({
    zh: '拒收行的物理行号(从1起,CSV表头为第1行)',
    en: '1-based physical line of the rejected row (the CSV header is line 1)',
    example: '92',
    type: 'integer',
  }),
  reason: text({
    zh: '拒收原因',
    en: 'why the row was rejected',
    example: 'missing sku',
    type: 'string',
  }),
});

/** A suggested match (CONTRACT §11) as a one-sided discrepancy lists it. */
const SuggestedMatchSchema = z.object({
  documentRef: text({
    zh: '疑似同一笔业务的对方单据号(原样)',
    en: "the other side's documentRef, verbatim",
    example: 'DOC-0000704',
    type: 'string',
  }),
  sku: text({
    zh: '对方物料编码(原样)',
    en: "the other side's sku, verbatim",
    example: 'SKU-00082',
    type: 'string',
  }),
  score: z.number().gt(0).lte(1).meta({
    zh: '匹配得分,(0, 1],越高越可能为同一笔业务',
    en: 'score in (0, 1]: the higher, the likelier one transaction',
    example: '0.9',
    type: 'number',
  }),
  reason: text({
    zh: '得分依据(英文)',
    en: 'what the score is made of',
    example:
      'documentRef "DOC-0000704" has two characters transposed (70 for 07) from "DOC-0000074"; same sku; same quantity 126 EA; same amount 217811.16 within tolerance; same type SHIPMENT; 20 h apart',
    type: 'string',
  }),
  reasonZh: text({
    zh: '得分依据(中文)',
    en: 'the reason in Chinese',
    example:
      '单据号 "DOC-0000704" 与 "DOC-0000074" 相邻两位颠倒(70 与 07);物料编码相同;数量同为 126 EA;金额 217811.16 在容差内相同;业务类型同为销售出库;相隔 20 小时',
    type: 'string',
  }),
});

/** A predicted root cause (CONTRACT §11). */
const PredictedCauseSchema = z.object({
  code: text({
    zh: '预测的差异原因代码',
    en: 'the predicted root-cause code',
    example: 'late-posting',
    type: 'string',
  }),
  confidence: z.number().gt(0).lte(1).meta({
    zh: '置信度(模型概率)',
    en: "the model's probability for the code",
    example: '0.72',
    type: 'number',
  }),
  basis: text({
    zh: '最重要的依据(英文)',
    en: 'the fact that weighed most',
    example: 'kind MISSING_IN_WMS: 14 of 20 closed cases were wrong-reference',
    type: 'string',
  }),
  basisZh: text({
    zh: '最重要的依据(中文)',
    en: 'the basis in Chinese',
    example: '差异类型 WMS缺失(财务有记录):20 个已关闭案件中 14 个为 单据号录入错误',
    type: 'string',
  }),
});

/** One discrepancy: an element of discrepancies.json and a row of discrepancies.csv. */
export const DiscrepancySchema = z.object({
  groupKey: text({
    zh: '分组键:仓库编码|物料编码|业务单据号,跨批次稳定',
    en: 'stable identity of the group across runs: warehouseId|sku|documentRef',
    example: 'WH-上海-02|SKU-00198|DOC-0000391',
    type: 'string',
  }),
  kind: z.enum(KINDS).meta({
    zh: `差异类型:${KINDS.map((k) => KIND_ZH[k]).join('、')}`,
    en: `discrepancy kind, the first rule of CONTRACT §2 that applies: ${KIND_LIST}`,
    example: 'QUANTITY_MISMATCH',
    type: 'enum',
  }),
  severity: z.enum(SEVERITIES).meta({
    zh: '严重程度:红灯、黄灯、绿灯(按涉及金额)',
    en: `severity from the money at stake: ${SEVERITY_LIST}`,
    example: 'RED',
    type: 'enum',
  }),
  warehouseId: text({ zh: '仓库编码', en: 'warehouse code', example: 'WH-上海-02', type: 'string' }),
  sku: text({ zh: '物料编码', en: 'item code', example: 'SKU-00198', type: 'string' }),
  documentRef: text({
    zh: '业务单据号',
    en: 'the business document both systems share',
    example: 'DOC-0000391',
    type: 'string',
  }),
  uom: text({
    zh: '比较数量所用的计量单位(该物料的WMS单位)',
    en: "unit the quantities are compared in (the item's WMS unit)",
    example: 'EA',
    type: 'string',
  }),
  wmsQuantity: decimal({
    zh: 'WMS净数量(换算后)',
    en: 'net WMS quantity, after unit conversion',
    example: '237',
    type: 'decimal',
  }),
  financeQuantity: decimal({
    zh: '财务净数量(换算后)',
    en: 'net finance quantity, after unit conversion',
    example: '0',
    type: 'decimal',
  }),
  quantityDelta: decimal({
    zh: '数量差 = 财务数量 - WMS数量',
    en: 'quantity difference: financeQuantity - wmsQuantity',
    example: '-237',
    type: 'decimal',
  }),
  unitCost: nullableDecimal({
    zh: '预期单位成本(标准成本、WMS单位成本或财务加权平均成本);无法确定时为null',
    en: 'expected unit cost (standard cost, WMS unit cost or weighted average finance cost); null when unknown',
    example: '1291.77',
    type: 'decimal',
  }),
  unitCostSource: z.enum(['standard', 'wms', 'average']).nullable().meta({
    zh: '预期单位成本来源:standard 标准成本、wms WMS单位成本、average 财务加权平均成本(--period 时为该组最近记录所属期间的月末一次加权平均)',
    en: "where the expected unit cost came from: standard, wms or average (with --period, the periodic weighted average of the period of the group's latest record)",
    example: 'wms',
    type: 'enum',
  }),
  financeUnitCost: nullableDecimal({
    zh: '财务隐含单位成本 = 财务金额 / 财务数量;财务数量为0时为null',
    en: 'unit cost implied by finance: financeAmount / financeQuantity; null when the quantity is 0',
    example: '570.712989',
    type: 'decimal',
  }),
  expectedAmount: nullableMoney({
    zh: '预期金额 = 净数量 × 预期单位成本,四舍五入到2位小数;无单位成本时为null',
    en: 'expected amount: net quantity x expected unit cost, rounded half-up to 2 places; null without a unit cost',
    example: '306149.49',
    type: 'money',
  }),
  financeAmount: money({
    zh: '财务入账金额合计(本位币)',
    en: 'sum of the finance amounts, functional currency',
    example: '148956.09',
    type: 'money',
  }),
  amountDelta: nullableMoney({
    zh: '金额差 = 财务金额 - 预期金额;无预期金额时为null',
    en: 'amount difference: financeAmount - expectedAmount; null without an expected amount',
    example: '13541.46',
    type: 'money',
  }),
  moneyAtStake: money({
    zh: '涉及金额(决定红灯/黄灯/绿灯)',
    en: 'money at stake, which sets the severity',
    example: '13541.46',
    type: 'money',
  }),
  wmsTypes: typeList({
    zh: 'WMS事件的业务类型(去重)',
    en: 'movement types of the WMS events',
    example: '["SHIPMENT"]',
    type: 'enum[]',
  }),
  financeTypes: typeList({
    zh: '财务分录行的业务类型(去重)',
    en: 'movement types of the finance lines',
    example: '["RECEIPT"]',
    type: 'enum[]',
  }),
  latestEventAt: nullableInstant({
    zh: '最近一次WMS事件时间(UTC);无WMS事件时为null',
    en: 'latest WMS event, UTC; null without WMS events',
    example: '2026-10-06T15:49:00.000Z',
    type: 'date-time',
  }),
  latestPostingAt: nullableInstant({
    zh: '最近一次财务过账时间(UTC);无财务分录时为null',
    en: 'latest finance posting, UTC; null without finance lines',
    example: '2026-10-09T11:39:00.000Z',
    type: 'date-time',
  }),
  wmsPeriod: nullablePeriod({
    zh: '最近WMS事件所属会计期间(--timezone 下的自然月)',
    en: 'accounting period (calendar month in --timezone) of the latest WMS event',
    example: '2026-10',
    type: 'YYYY-MM',
  }),
  financePeriod: nullablePeriod({
    zh: '最近财务过账所属会计期间',
    en: 'accounting period of the latest finance posting',
    example: '2026-11',
    type: 'YYYY-MM',
  }),
  carriedFrom: nullablePeriod({
    zh: '仅 --period:结转的未达项所来自的期间(该组最近记录所属期间);本期有记录的组为null',
    en: '--period only: for an open item carried forward, the period of its latest record; null for a group with a record in the period',
    example: '2026-09',
    type: 'YYYY-MM',
  }).optional(),
  ageDays: count({
    zh: '仅 --period:账龄,自该组最早一条记录至对账基准时间的整天数',
    en: "--period only: age in whole days, from the group's first record to asOf",
    example: '41',
    type: 'integer',
  }).optional(),
  currency: z.string().nullable().optional().meta({
    zh: '仅 --currency/--rates:财务分录的原币种(多个币种时以逗号列出;无财务分录时为null)',
    en: "--currency/--rates only: the finance lines' own currency (several: the codes, comma-separated; null without finance lines)",
    example: 'USD',
    type: 'string',
  }),
  originalAmount: z.string().regex(DECIMAL).nullable().optional().meta({
    zh: '仅 --currency/--rates:财务金额的原币金额(折算前;多个币种时为null)',
    en: '--currency/--rates only: the finance amount in that currency, before conversion (null for several currencies)',
    example: '70.00',
    type: 'decimal',
  }),
  misbookedEntryIds: idList({
    zh: '仅 --accounts:记入映射以外科目的财务分录(科目不符时)',
    en: '--accounts only: the finance lines booked to an account outside the mapping (ACCOUNT_MISMATCH)',
    example: '["F00000212"]',
    type: 'string[]',
  }).optional(),
  wmsEventIds: idList({
    zh: '该组的WMS事件编号',
    en: 'eventIds of the WMS events in the group',
    example: '["E00000400","E00000401"]',
    type: 'string[]',
  }),
  financeEntryIds: idList({
    zh: '该组的财务分录行编号',
    en: 'entryIds of the finance lines in the group',
    example: '["F00000338"]',
    type: 'string[]',
  }),
  duplicateEntryIds: idList({
    zh: '疑似重复记账的财务分录行编号(仅重复记账)',
    en: 'finance lines that look like repeats of another line (DUPLICATE_POSTING only)',
    example: '["F00000212"]',
    type: 'string[]',
  }),
  explanation: text({
    zh: '一行英文说明',
    en: 'one-line human explanation',
    example: 'WMS recorded RECEIPT of 9 EA for DOC-0000299 21 h ago; finance has not posted it yet',
    type: 'string',
  }),
  explanationZh: text({
    zh: '一行中文说明(数字与英文说明相同,用语见第 6 节)',
    en: 'the explanation in Chinese, same numbers (CONTRACT §11)',
    example: 'WMS 于 21 小时前记录单据 DOC-0000299 的采购入库 9 EA,财务尚未记账,仍在 48 小时的滞后窗口内',
    type: 'string',
  }),
  rejectedRows: z.array(RejectedRowCitation).meta({
    zh: '引用同一业务单据号的拒收行:单边差异的可能原因',
    en: 'rejected input rows naming the same documentRef: the likely cause of a one-sided group',
    example: '[{"file":"wms.csv","line":92,"reason":"missing sku"}]',
    type: 'object[]',
  }),
  suggestedMatches: z
    .array(SuggestedMatchSchema)
    .max(3)
    .meta({
      zh: '仅单边差异:同仓库对方可能为同一笔业务(单据号或物料编码录入错误)的分组,按得分从高到低,最多3个',
      en: 'one-sided discrepancies only: groups of the other side in the same warehouse that are probably the same transaction under a mistyped documentRef or sku, best first, at most 3',
      example:
        '[{"documentRef":"DOC-0000704","sku":"SKU-00082","score":0.9,"reason":"...","reasonZh":"..."}]',
      type: 'object[]',
    })
    .optional(),
  predictedCause: PredictedCauseSchema.meta({
    zh: '仅当有已关闭案件可供学习(流水线):预测的差异原因及置信度',
    en: 'pipeline with closed cases to learn from only: the predicted root cause and its confidence',
    example: '{"code":"late-posting","confidence":0.72,"basis":"...","basisZh":"..."}',
    type: 'object',
  }).optional(),
  clearingProbability: z
    .number()
    .min(0)
    .max(1)
    .meta({
      zh: '仅单边时间滞后差异且有到达历史(流水线):对方在滞后窗口内到达的概率',
      en: 'one-sided TIMING_LAG with arrival history only (pipeline): the probability the other side arrives inside the lag window',
      example: '0.83',
      type: 'number',
    })
    .optional(),
  lateArrival: z
    .literal(true)
    .meta({
      zh: '仅流水线:该组有记录在其期间锁账后才到达(迟到记录)',
      en: 'pipeline only: a record of the group arrived after its period was locked (a late arrival)',
      example: 'true',
      type: 'boolean',
    })
    .optional(),
});

interface StatsExample {
  file: string;
  rows: number;
  rejected: number;
}

const fileStats = (what: string, whatZh: string, ex: StatsExample) => ({
  file: text({ zh: `${whatZh}文件名`, en: `${what} file name`, example: ex.file, type: 'string' }),
  rows: count({
    zh: `${whatZh}数据行数(不含表头)`,
    en: `${what} data rows read (without the header)`,
    example: String(ex.rows),
    type: 'integer',
  }),
  rejected: count({
    zh: `${whatZh}拒收行数`,
    en: `${what} rows rejected`,
    example: String(ex.rejected),
    type: 'integer',
  }),
});

const inputStats = (
  what: string,
  whatZh: string,
  ex: StatsExample & { accepted: number; duplicates: number; conflicts: number },
  doc: FieldDoc,
) =>
  z
    .object({
      ...fileStats(what, whatZh, ex),
      accepted: count({
        zh: `${whatZh}采用的记录数(去重后,不含冲突)`,
        en: `${what} records accepted, repeats counted once, conflicts left out`,
        example: String(ex.accepted),
        type: 'integer',
      }),
      duplicates: count({
        zh: `${whatZh}重复记录数(相同编号、相同内容,只计一次)`,
        en: `${what} repeats of a record (same id, same content), counted once`,
        example: String(ex.duplicates),
        type: 'integer',
      }),
      conflicts: count({
        zh: `${whatZh}冲突记录数(相同编号、不同内容,待复核)`,
        en: `${what} records with a known id but other content, kept for review`,
        example: String(ex.conflicts),
        type: 'integer',
      }),
      afterCutOff: count({
        zh: `仅 --period:${whatZh}记录中日期在截止时点(下一期间开始)及之后、本次不读取的条数`,
        en: `--period only: ${what} records dated at or after the cut-off (the next period's start), not read`,
        example: '0',
        type: 'integer',
      }).optional(),
    })
    .meta(doc);

const tableStats = (what: string, whatZh: string, ex: StatsExample, doc: FieldDoc) =>
  z
    .object(fileStats(what, whatZh, ex))
    .optional()
    .meta(doc);

/** summary.json (CONTRACT §3), also the `summary` of GET /v1/runs/{runId}. */
export const SummarySchema = z.object({
  asOf: instant({
    zh: '对账基准时间(UTC)',
    en: 'the run\'s "now" (--as-of), UTC',
    example: '2026-11-02T00:00:00.000Z',
    type: 'date-time',
  }),
  period: z.string().regex(PERIOD).optional().meta({
    zh: '仅 --period:对账的会计期间(截至该期间末的账面)',
    en: '--period only: the accounting period reconciled (the books as they stood at its end)',
    example: '2026-10',
    type: 'YYYY-MM',
  }),
  timezone: text({
    zh: '会计期间所用时区(IANA名称)',
    en: 'IANA time zone of the accounting periods (--timezone)',
    example: 'Asia/Shanghai',
    type: 'string',
  }),
  lagHours: z
    .number()
    .nonnegative()
    .meta({ zh: '滞后窗口(小时)', en: 'lag window in hours (--lag-hours)', example: '48', type: 'number' }),
  settings: z
    .object({
      amountTolerance: decimal({
        zh: '金额容差(绝对值)',
        en: 'absolute amount tolerance (--amount-tolerance)',
        example: '0.01',
        type: 'decimal',
      }),
      amountToleranceRate: decimal({
        zh: '金额容差比例',
        en: 'relative amount tolerance (--amount-tolerance-rate)',
        example: '0.001',
        type: 'decimal',
      }),
      red: decimal({
        zh: '红灯金额阈值',
        en: 'RED threshold of money at stake (--red)',
        example: '50000',
        type: 'decimal',
      }),
      yellow: decimal({
        zh: '黄灯金额阈值',
        en: 'YELLOW threshold of money at stake (--yellow)',
        example: '5000',
        type: 'decimal',
      }),
      yellowRate: decimal({
        zh: '黄灯相对差异阈值',
        en: 'YELLOW threshold of the relative difference (--yellow-rate)',
        example: '0.05',
        type: 'decimal',
      }),
    })
    .meta({
      zh: '本次对账的容差与红黄绿灯阈值',
      en: 'the tolerance and severity settings of the run',
      example: '{"red":"50000",...}',
      type: 'object',
    }),
  groupsSeen: count({
    zh: '对账分组数(仓库+物料+单据);--period 时为本期有记录的分组数加结转的未达项数',
    en: 'groups (warehouseId, sku, documentRef) seen; with --period, the groups with a record in the period plus the open items carried forward',
    example: '400',
    type: 'integer',
  }),
  groupsMatched: count({ zh: '核对一致的分组数', en: 'groups that agree', example: '368', type: 'integer' }),
  matchRate: decimal({
    zh: '匹配率 = 一致分组数 / 分组数,4位小数',
    en: 'match rate: groupsMatched / groupsSeen, 4 places',
    example: '0.9200',
    type: 'decimal',
  }),
  discrepancies: count({
    zh: '差异总数',
    en: 'number of discrepancies (rows of discrepancies.json)',
    example: '32',
    type: 'integer',
  }),
  byKind: perKind((k) =>
    count({
      zh: `${KIND_ZH[k]}的条数`,
      en: `number of ${k} discrepancies`,
      example: String(KIND_COUNT[k]),
      type: 'integer',
    }),
  ).meta({
    zh: '按差异类型计数',
    en: 'discrepancies by kind',
    example: '{"MISSING_IN_WMS":5,...}',
    type: 'object',
  }),
  bySeverity: z
    .object(
      perSeverity((s) =>
        count({
          zh: `${SEVERITY_ZH[s]}条数`,
          en: `number of ${s} discrepancies`,
          example: String(SEVERITY_COUNT[s]),
          type: 'integer',
        }),
      ),
    )
    .meta({
      zh: '按红灯/黄灯/绿灯计数',
      en: 'discrepancies by severity',
      example: '{"RED":15,"YELLOW":14,"GREEN":3}',
      type: 'object',
    }),
  moneyAtStake: z
    .object({
      total: money({ zh: '涉及金额合计', en: 'total money at stake', example: '5545700.08', type: 'money' }),
      ...perSeverity((s) =>
        money({
          zh: `${SEVERITY_ZH[s]}涉及金额`,
          en: `money at stake of ${s} discrepancies`,
          example: SEVERITY_MONEY[s],
          type: 'money',
        }),
      ),
    })
    .meta({
      zh: '涉及金额:合计及按红灯/黄灯/绿灯',
      en: 'money at stake, in total and by severity',
      example: '{"total":"5545700.08",...}',
      type: 'object',
    }),
  moneyAtStakeByKind: perKind((k) =>
    money({
      zh: `${KIND_ZH[k]}涉及金额`,
      en: `money at stake of ${k} discrepancies`,
      example: KIND_MONEY[k],
      type: 'money',
    }),
  ).meta({
    zh: '按差异类型的涉及金额',
    en: 'money at stake by kind',
    example: '{"MISSING_IN_WMS":"455582.23",...}',
    type: 'object',
  }),
  inputs: z
    .object({
      wms: inputStats(
        'WMS',
        'WMS',
        { file: 'wms.csv', rows: 544, accepted: 527, duplicates: 13, conflicts: 0, rejected: 4 },
        {
          zh: 'WMS输入文件统计',
          en: 'figures of the WMS input file',
          example: '{"file":"wms.csv","rows":544,...}',
          type: 'object',
        },
      ),
      finance: inputStats(
        'finance',
        '财务',
        { file: 'finance.csv', rows: 437, accepted: 419, duplicates: 16, conflicts: 0, rejected: 2 },
        {
          zh: '财务输入文件统计',
          en: 'figures of the finance input file',
          example: '{"file":"finance.csv","rows":437,...}',
          type: 'object',
        },
      ),
      uom: tableStats(
        'unit conversion',
        '计量单位换算表',
        { file: 'uom.csv', rows: 61, rejected: 0 },
        {
          zh: '计量单位换算表统计(仅指定 --uom 时)',
          en: 'figures of the unit conversion table (only with --uom)',
          example: '{"file":"uom.csv","rows":61,"rejected":0}',
          type: 'object',
        },
      ),
      costs: tableStats(
        'standard cost',
        '标准成本表',
        { file: 'costs.csv', rows: 12, rejected: 1 },
        {
          zh: '标准成本表统计(仅指定 --costs 时)',
          en: 'figures of the standard cost table (only with --costs)',
          example: '{"file":"costs.csv","rows":12,"rejected":1}',
          type: 'object',
        },
      ),
      rates: tableStats(
        'exchange rate',
        '汇率表',
        { file: 'rates.csv', rows: 3, rejected: 0 },
        {
          zh: '汇率表统计(仅指定 --rates 时)',
          en: 'figures of the exchange rate table (only with --rates)',
          example: '{"file":"rates.csv","rows":3,"rejected":0}',
          type: 'object',
        },
      ),
      codes: tableStats(
        'code mapping',
        '编码对照表',
        { file: 'codes.csv', rows: 40, rejected: 0 },
        {
          zh: '编码对照表统计(仅指定 --codes 时)',
          en: 'figures of the code mapping table (only with --codes)',
          example: '{"file":"codes.csv","rows":40,"rejected":0}',
          type: 'object',
        },
      ),
    })
    .meta({
      zh: '输入文件统计',
      en: 'figures per input file',
      example: '{"wms":{...},"finance":{...}}',
      type: 'object',
    }),
  varianceCompensated: z.number().int().nonnegative().optional().meta({
    zh: '仅 --variance-compensates:金额差异完全由材料成本差异解释、按补偿处理(不报金额差异)的分组数',
    en: '--variance-compensates only: groups whose amount difference the cost variance explains whole, compensated rather than AMOUNT_MISMATCH',
    example: '12',
    type: 'integer',
  }),
  rejected: z
    .array(
      z.object({
        file: text({
          zh: '拒收行所在文件名',
          en: 'file of the rejected row',
          example: 'finance.csv',
          type: 'string',
        }),
        line: count({
          zh: '物理行号(从1起;CSV表头为第1行,NDJSON首行为第1行)',
          en: '1-based physical line (the CSV header is line 1; the first NDJSON line is line 1)',
          example: '147',
          type: 'integer',
        }),
        field: z.string().nullable().meta({
          zh: '出错字段;整行无法读取时为null',
          en: 'the offending field; null when the row as a whole could not be read',
          example: 'amount',
          type: 'string',
        }),
        reason: text({
          zh: '拒收原因',
          en: 'why the row was rejected',
          example: 'amount is not a decimal number: "1,234.5x"',
          type: 'string',
        }),
        source: z.enum(['wms', 'finance', 'uom', 'costs', 'rates', 'codes']).meta({
          zh: '来源:wms、finance、uom(单位换算表)、costs(标准成本表)、rates(汇率表)、codes(编码对照表)',
          en: 'the input it came from: wms, finance, uom, costs, rates or codes',
          example: 'finance',
          type: 'enum',
        }),
      }),
    )
    .meta({
      zh: '拒收行:每个无法使用的输入行一条,其余数据照常对账',
      en: 'one object per rejected input row; the rest is still reconciled',
      example: '[{"file":"finance.csv","line":147,...}]',
      type: 'object[]',
    }),
  conflicts: z
    .array(
      z.object({
        file: text({
          zh: '冲突记录所在文件名',
          en: 'file of the conflicting record',
          example: 'wms.csv',
          type: 'string',
        }),
        line: count({
          zh: '冲突记录的物理行号',
          en: '1-based physical line of the conflicting record',
          example: '311',
          type: 'integer',
        }),
        id: text({
          zh: '冲突的幂等键(eventId 或 entryId)',
          en: 'the idempotency key (eventId or entryId) in conflict',
          example: 'E00000209',
          type: 'string',
        }),
        reason: text({
          zh: '冲突原因',
          en: 'how the content differs from the first record with this id',
          example: 'eventId E00000209 was seen at line 12 with other content',
          type: 'string',
        }),
      }),
    )
    .meta({
      zh: '冲突记录:相同编号、不同内容,未计入,待复核',
      en: 'records with a known id but other content: left out of the sums, kept for review',
      example: '[]',
      type: 'object[]',
    }),
  run: z
    .object({
      partitions: count({
        zh: '分区数',
        en: 'partitions the records were split into',
        example: '64',
        type: 'integer',
      }),
      workers: count({ zh: '工作线程数', en: 'worker threads used', example: '4', type: 'integer' }),
      spilledBytes: count({
        zh: '溢出到临时目录的字节数',
        en: 'bytes spilled to the temp dir when over the memory budget',
        example: '0',
        type: 'integer',
      }),
      durationMs: count({
        zh: '运行耗时(毫秒)',
        en: 'duration of the run in ms',
        example: '279',
        type: 'integer',
      }),
      phasesMs: z
        .object({
          read: count({
            zh: '读取与分区耗时(毫秒)',
            en: 'ms until the first partition was reconciled (reading and splitting)',
            example: '1200',
            type: 'integer',
          }),
          reconcile: count({
            zh: '对账耗时(毫秒)',
            en: 'ms reconciling the partitions after that',
            example: '5100',
            type: 'integer',
          }),
          diagnose: count({
            zh: '跨分区查找疑似匹配(单据号或物料编码录入错误)耗时(毫秒)',
            en: 'ms suggesting matches across the partitions (mistyped documentRef or sku)',
            example: '40',
            type: 'integer',
          }),
          write: count({
            zh: '写出结果耗时(毫秒)',
            en: 'ms writing the output files',
            example: '300',
            type: 'integer',
          }),
        })
        .meta({
          zh: '各阶段耗时',
          en: 'wall time per phase',
          example: '{"read":1200,"reconcile":5100,"diagnose":40,"write":300}',
          type: 'object',
        }),
      generatedAt: instant({
        zh: '生成时间(UTC)',
        en: 'when the summary was written, UTC',
        example: '2026-11-02T00:00:01.282Z',
        type: 'date-time',
      }),
    })
    .meta({
      zh: '运行信息(每次运行不同)',
      en: 'facts about the run itself (differ between runs)',
      example: '{"partitions":64,...}',
      type: 'object',
    }),
});

/**
 * Compile-time proof that the schemas and the types the code writes agree field for field: adding,
 * removing or retyping a field of Discrepancy or SummaryFigures without the schema fails `tsc`.
 * (Summary itself lives in lib/cli; test/core/dictionary.test.ts checks it the same way.)
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Weaker than Equal, for types written as intersections (`{ total: string } & Record<...>`). */
export type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Assert<T extends true> = T;

export type DiscrepancyOutput = z.infer<typeof DiscrepancySchema>;
export type SummaryOutput = z.infer<typeof SummarySchema>;

type _DiscrepancySchemaMatches = Assert<Equal<DiscrepancyOutput, Discrepancy>>;
type _SummaryFiguresMatch = Assert<
  MutuallyAssignable<Pick<SummaryOutput, keyof SummaryFigures>, SummaryFigures>
>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const positiveMoney = (doc: FieldDoc) =>
  z
    .string()
    .regex(/^\d+\.\d{2}$/, 'is not a non-negative amount with 2 decimals')
    .meta(doc);

/** One line of a voucher (CONTRACT §9): the debit or the credit of one sku. */
const VoucherLineSchema = z.object({
  sku: text({ zh: '物料编码', en: 'item code', example: 'SKU-00085', type: 'string' }),
  quantity: decimal({
    zh: '该物料在本凭证中的净数量(WMS口径,按业务类型方向取符号)',
    en: "the item's net quantity in the voucher, as the WMS states it (signed by the type)",
    example: '426',
    type: 'decimal',
  }),
  account: text({
    zh: '科目编码(工作流配置按仓库与业务类型映射的借方或贷方科目)',
    en: 'account code: the debit or credit account the workflow configuration maps for the warehouse and type',
    example: '1403',
    type: 'string',
  }),
  accountName: text({ zh: '科目名称', en: 'account name', example: '原材料', type: 'string' }),
  debit: positiveMoney({
    zh: '借方金额(贷方行为 0.00);金额为负时同一对科目借贷互换,金额恒为正',
    en: 'debit amount (0.00 on the credit line); a negative amount books the same accounts on opposite sides, every amount positive',
    example: '621018.54',
    type: 'money',
  }),
  credit: positiveMoney({
    zh: '贷方金额(借方行为 0.00)',
    en: 'credit amount (0.00 on the debit line)',
    example: '0.00',
    type: 'money',
  }),
});

/** One voucher of vouchers.json (and GET /v1/vouchers, with its status). */
export const VoucherSchema = z.object({
  voucherId: text({
    zh: '凭证号:由 仓库、单据、业务类型、会计期间 决定(MV-期间-16位摘要),命令行与流水线一致,重跑不变',
    en: 'voucher number, a digest of (warehouseId, documentRef, type, period): the same in the CLI and the pipeline, stable across runs',
    example: 'MV-202610-cd28c3034dc6fc01',
    type: 'string',
  }),
  date: z.string().regex(DATE).meta({
    zh: '凭证日期:本凭证最晚一笔业务在 --timezone 下的日期',
    en: "the latest movement's date in --timezone",
    example: '2026-10-16',
    type: 'date',
  }),
  period: z.string().regex(PERIOD).meta({
    zh: '会计期间',
    en: 'accounting period of the movements',
    example: '2026-10',
    type: 'YYYY-MM',
  }),
  warehouseId: text({ zh: '仓库编码', en: 'warehouse code', example: 'WH-01', type: 'string' }),
  documentRef: text({ zh: '业务单据号', en: 'business document', example: 'DOC-0000026', type: 'string' }),
  type: z.enum(MOVEMENT_TYPES).meta({
    zh: '业务类型',
    en: 'movement type',
    example: 'RECEIPT',
    type: 'enum',
  }),
  eventIds: idList({
    zh: '记入本凭证的WMS事件(按时间顺序;重复推送只计一次)',
    en: 'the WMS events booked in the voucher, in time order (a retried event counts once)',
    example: '["E00000031","E00000032"]',
    type: 'string[]',
  }),
  lines: z.array(VoucherLineSchema).meta({
    zh: '分录行:每个物料一借一贷,金额=各笔 数量×该笔发生时的单位成本 之和,精确计算后四舍五入到分',
    en: "lines: a debit and a credit per sku for the sum of quantity x unit cost at each movement's own moment, exact, rounded half-up to cents",
    example: '[{"sku":"SKU-00085",...}]',
    type: 'object[]',
  }),
  total: positiveMoney({
    zh: '借方合计(恒等于贷方合计)',
    en: 'the sum of the debits, always equal to the sum of the credits',
    example: '621018.54',
    type: 'money',
  }),
  status: z.enum(['proposed', 'posted', 'differs']).optional().meta({
    zh: '仅 GET /v1/vouchers:待入账 proposed(财务尚无分录)、已入账 posted(财务已入账且各分组一致)、有差异 differs',
    en: 'GET /v1/vouchers only: proposed (no finance entry yet), posted (entries and every group agrees), differs',
    example: 'posted',
    type: 'enum',
  }),
  caseIds: idList({
    zh: '仅 GET /v1/vouchers:有差异时,不一致分组的案件编号',
    en: 'GET /v1/vouchers only: the cases of the groups that disagree, when the voucher differs',
    example: '["V0gtMDF8U0tVLTF8UE8tNw"]',
    type: 'string[]',
  }).optional(),
});

/** A movement that could not be priced: listed, never booked at zero. */
export const UnpricedSchema = z.object({
  eventId: text({ zh: 'WMS事件号', en: 'WMS event id', example: 'E00000646', type: 'string' }),
  reason: text({
    zh: '无法计价的原因(既无有效标准成本,也无单位成本)',
    en: 'why it could not be priced (no standard cost in effect and no unitCost)',
    example:
      'no unit cost: no standard cost of SKU-00369 in WH-07 is in effect at 2026-10-13T00:42:00.000Z and the movement carries no unitCost',
    type: 'string',
  }),
  warehouseId: text({ zh: '仓库编码', en: 'warehouse code', example: 'WH-07', type: 'string' }),
  sku: text({ zh: '物料编码', en: 'item code', example: 'SKU-00369', type: 'string' }),
  documentRef: text({ zh: '业务单据号', en: 'business document', example: 'DOC-0000471', type: 'string' }),
  type: z
    .enum(MOVEMENT_TYPES)
    .meta({ zh: '业务类型', en: 'movement type', example: 'SHIPMENT', type: 'enum' }),
  period: z.string().regex(PERIOD).meta({
    zh: '会计期间',
    en: 'accounting period of the movement',
    example: '2026-10',
    type: 'YYYY-MM',
  }),
});

/** One line of a cost variance entry: the debit or the credit of one warehouse and type. */
const CostVarianceLineSchema = z.object({
  warehouseId: text({ zh: '仓库编码', en: 'warehouse code', example: 'WH-01', type: 'string' }),
  type: z.enum(MOVEMENT_TYPES).meta({
    zh: '业务类型:入库类以材料成本差异科目替代借方,出库类替代贷方',
    en: "movement type: a type that adds stock books the variance account instead of its mapping's debit, one that removes stock instead of its credit",
    example: 'RECEIPT',
    type: 'enum',
  }),
  account: text({ zh: '科目编码', en: 'account code', example: '1404', type: 'string' }),
  accountName: text({ zh: '科目名称', en: 'account name', example: '材料成本差异', type: 'string' }),
  debit: positiveMoney({ zh: '借方金额', en: 'debit', example: '140.00', type: 'money' }),
  credit: positiveMoney({ zh: '贷方金额', en: 'credit', example: '0.00', type: 'money' }),
});

/** One item of a warehouse and type within an item's cost variance. */
const CostVarianceSliceSchema = z.object({
  warehouseId: text({ zh: '仓库编码', en: 'warehouse code', example: 'WH-01', type: 'string' }),
  type: z
    .enum(MOVEMENT_TYPES)
    .meta({ zh: '业务类型', en: 'movement type', example: 'RECEIPT', type: 'enum' }),
  quantity: decimal({ zh: '净数量', en: 'net quantity', example: '150', type: 'decimal' }),
  standardAmount: money({
    zh: '按标准成本计价(各笔 数量×发生时标准成本,四舍五入到分)',
    en: "at standard (quantity x the standard cost at each movement's moment, to cents)",
    example: '1500.00',
    type: 'money',
  }),
  actualAmount: money({
    zh: '按月末一次加权平均计价(数量×加权平均单价,四舍五入到分)',
    en: 'at the periodic weighted average (quantity x the average, to cents)',
    example: '1640.00',
    type: 'money',
  }),
  variance: money({
    zh: '差异 = 实际 − 标准',
    en: 'variance = actual − standard',
    example: '140.00',
    type: 'money',
  }),
});

/** One item of cost-variance.json (`reconcile --costs --period`): its 材料成本差异 of the period. */
export const CostVarianceSchema = z.object({
  sku: text({ zh: '物料编码', en: 'item code', example: 'SKU-1', type: 'string' }),
  period: z
    .string()
    .regex(PERIOD)
    .meta({ zh: '会计期间', en: 'accounting period', example: '2026-10', type: 'YYYY-MM' }),
  uom: text({
    zh: '物料的比对单位(数量与单价均按此单位)',
    en: "the item's comparison unit (quantities and the average are per this unit)",
    example: 'EA',
    type: 'string',
  }),
  quantity: decimal({
    zh: '本期按标准成本计价的WMS净数量(有标准成本的业务)',
    en: "the period's net WMS quantity valued at standard (movements with a standard cost in effect)",
    example: '210',
    type: 'decimal',
  }),
  standardAmount: money({
    zh: '标准成本计价合计',
    en: 'total at standard',
    example: '2100.00',
    type: 'money',
  }),
  averageUnitCost: decimal({
    zh: '月末一次加权平均单价:本期财务金额合计 ÷ 数量合计(6位小数)',
    en: "the periodic weighted average: the item's finance amounts over its quantities posted in the period (6 places)",
    example: '10.933333',
    type: 'decimal',
  }),
  financeQuantity: decimal({
    zh: '加权平均的数量:本期财务数量合计',
    en: "the average's quantity: the item's finance quantity posted in the period",
    example: '210',
    type: 'decimal',
  }),
  financeAmount: money({
    zh: '加权平均的金额:本期财务金额合计',
    en: "the average's amount: the item's finance amount posted in the period",
    example: '2296.00',
    type: 'money',
  }),
  actualAmount: money({
    zh: '实际成本(加权平均)计价合计',
    en: 'total at the average',
    example: '2296.00',
    type: 'money',
  }),
  variance: money({
    zh: '材料成本差异 = 实际 − 标准:正数为超支,负数为节约',
    en: 'the cost variance = actual − standard: positive an overspend, negative a saving',
    example: '196.00',
    type: 'money',
  }),
  direction: z.enum(['over', 'under', 'none']).meta({
    zh: 'over 超支、under 节约、none 无差异',
    en: 'over (actual above standard), under, or none',
    example: 'over',
    type: 'enum',
  }),
  eventIds: idList({
    zh: '计入的WMS事件(按时间顺序)',
    en: 'the WMS movements valued, in time order',
    example: '["E1","E2","E3"]',
    type: 'string[]',
  }),
  slices: z.array(CostVarianceSliceSchema).meta({
    zh: '按仓库与业务类型分列的数量、两种计价与差异',
    en: 'per warehouse and type: quantity, both valuations and the variance',
    example: '[{"warehouseId":"WH-01","type":"RECEIPT",...}]',
    type: 'object[]',
  }),
  entry: z
    .object({
      voucherId: text({
        zh: '凭证号:CV-期间-16位摘要,由物料与期间决定',
        en: 'voucher number: CV-period-digest of the item and the period',
        example: 'CV-202610-8d5b2a3c1e0f4a77',
        type: 'string',
      }),
      date: z.string().regex(DATE).meta({
        zh: '凭证日期:期末最后一天',
        en: "the period's last day",
        example: '2026-10-31',
        type: 'date',
      }),
      lines: z.array(CostVarianceLineSchema).meta({
        zh: '建议分录:每个仓库与业务类型一借一贷;差异为零时无分录',
        en: 'the proposed lines: a debit and a credit per warehouse and type; none when the variance is zero',
        example: '[{"account":"1404",...}]',
        type: 'object[]',
      }),
    })
    .meta({
      zh: '建议的材料成本差异分录(计划成本法:库存科目保持标准成本)',
      en: 'the proposed cost variance entry (planned-cost method: the stock account stays at standard)',
      example: '{"voucherId":"CV-202610-...","date":"2026-10-31","lines":[...]}',
      type: 'object',
    }),
});
