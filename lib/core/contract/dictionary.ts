import { z } from 'zod';
import { formatDecimal } from '../shared/decimal.js';
import {
  KIND_ZH,
  KINDS,
  SEVERITIES,
  SEVERITY_ZH,
  type Kind,
  type Severity,
} from '../reconcile/discrepancy.js';
import { MOVEMENT_TYPE_ZH, MOVEMENT_TYPES, type MovementType } from '../records/movement-type.js';
import {
  CostVarianceSchema,
  DiscrepancySchema,
  SummarySchema,
  UnpricedSchema,
  VoucherSchema,
} from './output-schemas.js';
import { CodeRowSchema, CostRowSchema, RateRowSchema, UomRowSchema } from './table-schemas.js';
import { FEEDS, type Feed, type FeedInfo } from '../cases/workflow-config.js';
import { GROUP_KEY_MAX_BYTES, TEXT_LIMITS } from '../records/record-limits.js';
import { EntryWire, MovementWire, type FieldDoc } from '../records/records.js';
import { DEFAULT_SETTINGS } from '../reconcile/settings.js';

/**
 * The data dictionary (数据字典) finance and IT agree on, generated from the zod schemas and their
 * FieldDoc metadata: the two input records (records.ts) and the two outputs (output-schemas.ts).
 * Pure: the CLI prints it and docs/data-dictionary.md is this module's markdown, checked by a test.
 */

export interface DictionaryField {
  /** Dotted path for nested fields; `[]` marks the elements of a list (`rejected[].line`). */
  name: string;
  type: string;
  /** The field must be present (it may still be null when `nullable`). */
  required: boolean;
  nullable: boolean;
  default: string | null;
  /** `是 yes`, `否 no`, `否 no (默认 default: EA)`, `是 yes (可为 null)`. */
  requiredLabel: string;
  zh: string;
  en: string;
  example: string;
}

export interface DictionaryRecord {
  id:
    | 'movement'
    | 'entry'
    | 'uom'
    | 'costs'
    | 'rates'
    | 'codes'
    | 'discrepancy'
    | 'summary'
    | 'voucher'
    | 'unpriced'
    | 'costVariance';
  en: string;
  zh: string;
  /** Where the record is read or written. */
  whereEn: string;
  whereZh: string;
  fields: DictionaryField[];
}

export interface DictionaryCode {
  code: string;
  zh: string;
  en: string;
}

/** A feed (数据源) and who keeps it coming how often, from the configuration (workflow `feeds`). */
export interface DictionaryFeed {
  feed: Feed;
  zh: string;
  en: string;
  /** Where it arrives. */
  where: string;
  /** How often it arrives and who owns it; null when the configuration does not say. */
  frequency: string | null;
  owner: string | null;
}

/** The configured feeds, as config/workflow.yaml's `feeds` holds them. */
export type FeedSettings = Partial<Record<Feed, FeedInfo>>;

export interface Dictionary {
  title: string;
  records: DictionaryRecord[];
  feeds: DictionaryFeed[];
  types: DictionaryCode[];
  movementTypes: DictionaryCode[];
  kinds: (DictionaryCode & { whenZh: string })[];
  severities: (DictionaryCode & { whenZh: string })[];
  terms: DictionaryCode[];
}

const TITLE = '数据字典 / Data dictionary';

const RECORDS: readonly (Omit<DictionaryRecord, 'fields'> & { schema: z.core.$ZodObject })[] = [
  {
    id: 'movement',
    en: 'WMS movement',
    zh: 'WMS出入库事件',
    whereEn: 'source `wms`: the `--wms` file (CSV, NDJSON), `POST /v1/movements`, S3 `incoming/wms/`',
    whereZh: '来源 `wms`:`--wms` 文件(CSV、NDJSON)、`POST /v1/movements`、S3 `incoming/wms/`',
    schema: MovementWire,
  },
  {
    id: 'entry',
    en: 'Finance entry',
    zh: '财务分录行',
    whereEn:
      'source `finance` (inventory sub-ledger / GL line): the `--finance` file, `POST /v1/entries`, S3 `incoming/finance/`',
    whereZh:
      '来源 `finance`(存货子账 / 总账分录行):`--finance` 文件、`POST /v1/entries`、S3 `incoming/finance/`',
    schema: EntryWire,
  },
  {
    id: 'uom',
    en: 'Unit conversion row',
    zh: '计量单位换算表',
    whereEn: 'CSV `sku,fromUom,toUom,factor`: `--uom`, S3 `incoming/uom/` (each drop the whole table)',
    whereZh: 'CSV `sku,fromUom,toUom,factor`:`--uom`、S3 `incoming/uom/`(每次投放即整表)',
    schema: UomRowSchema,
  },
  {
    id: 'costs',
    en: 'Standard cost row',
    zh: '标准成本表',
    whereEn:
      'CSV `warehouseId,sku,standardCost,effectiveFrom`: `--costs`, S3 `incoming/costs/` (each drop the whole table)',
    whereZh:
      'CSV `warehouseId,sku,standardCost,effectiveFrom`:`--costs`、S3 `incoming/costs/`(每次投放即整表)',
    schema: CostRowSchema,
  },
  {
    id: 'rates',
    en: 'Exchange rate row',
    zh: '汇率表',
    whereEn:
      'CSV `currency,date,rate` (CONTRACT §10): `--rates`, S3 `incoming/rates/` (each drop the whole table); a second rate for one currency and date is a rejected row',
    whereZh:
      'CSV `currency,date,rate`(CONTRACT §10):`--rates`、S3 `incoming/rates/`(每次投放即整表);同一币种同一日期的第二个汇率按拒收行处理',
    schema: RateRowSchema,
  },
  {
    id: 'codes',
    en: 'Code mapping row',
    zh: '编码对照表(统一编码)',
    whereEn:
      "CSV `kind,source,from,to`: `--codes` of reconcile and vouchers, S3 `incoming/codes/` (each drop the whole table); each side's codes are rewritten before grouping (in the pipeline when a record is ingested; records stored before keep theirs), once, not transitively; a code without a row passes unchanged; a table that maps one code two ways is refused whole, both rows named",
    whereZh:
      'CSV `kind,source,from,to`:reconcile 与 vouchers 的 `--codes`、S3 `incoming/codes/`(每次投放即整表);分组前改写各方编码(流水线在入库时改写,已入库的记录保持原编码),只改写一次、不传递;无对照行的编码保持不变;同一编码映射到两个编码的表整表拒收,并指出两行',
    schema: CodeRowSchema,
  },
  {
    id: 'discrepancy',
    en: 'Discrepancy',
    zh: '差异明细',
    whereEn:
      'one per group that does not agree: `discrepancies.json`, `discrepancies.csv`, `GET /v1/runs/{runId}/discrepancies`',
    whereZh:
      '每个不一致的分组一条:`discrepancies.json`、`discrepancies.csv`、`GET /v1/runs/{runId}/discrepancies`',
    schema: DiscrepancySchema,
  },
  {
    id: 'summary',
    en: 'Summary',
    zh: '对账汇总',
    whereEn: 'one per run: `summary.json`, the `summary` of `GET /v1/runs/{runId}`',
    whereZh: '每次对账一份:`summary.json`、`GET /v1/runs/{runId}` 的 `summary`',
    schema: SummarySchema,
  },
  {
    id: 'voucher',
    en: 'Voucher',
    zh: '业务凭证',
    whereEn:
      'one per (warehouseId, documentRef, type, period) of the WMS movements: `vouchers` of `vouchers.json` (`stocktally vouchers`), a row per line in `vouchers.csv`, `GET /v1/vouchers`',
    whereZh:
      '每个(仓库、单据、业务类型、会计期间)一张:`vouchers.json` 的 `vouchers`(`stocktally vouchers`)、`vouchers.csv` 每行一条分录、`GET /v1/vouchers`',
    schema: VoucherSchema,
  },
  {
    id: 'unpriced',
    en: 'Unpriced movement',
    zh: '无法计价的业务',
    whereEn:
      'a movement with no unit cost, never booked at zero: `unpriced` of `vouchers.json` and `GET /v1/vouchers`',
    whereZh: '无单位成本、不按零金额记账的业务:`vouchers.json` 与 `GET /v1/vouchers` 的 `unpriced`',
    schema: UnpricedSchema,
  },
  {
    id: 'costVariance',
    en: 'Cost variance',
    zh: '材料成本差异',
    whereEn:
      'one per item with movements at standard in the period: `items` of `cost-variance.json`, a row per entry line in `cost-variance.csv` (the columns of vouchers.csv); written by `reconcile` when `--costs` and `--period` are given; an item without finance quantity in the period is listed under `unvalued` instead',
    whereZh:
      '每个本期有按标准成本计价业务的物料一条:`cost-variance.json` 的 `items`,`cost-variance.csv` 每行一条分录(列同 vouchers.csv);`reconcile` 同时给出 `--costs` 与 `--period` 时输出;本期无财务数量的物料列入 `unvalued`',
    schema: CostVarianceSchema,
  },
];

const FEED_NAMES: Readonly<Record<Feed, { zh: string; en: string; where: string }>> = {
  wms: {
    zh: 'WMS出入库事件',
    en: 'WMS movements',
    where: '`POST /v1/movements`, S3 `incoming/wms/`, `--wms`',
  },
  finance: {
    zh: '财务分录行',
    en: 'finance entries',
    where: '`POST /v1/entries`, S3 `incoming/finance/`, `--finance`',
  },
  uom: { zh: '计量单位换算表', en: 'unit conversions', where: 'S3 `incoming/uom/`, `--uom`' },
  costs: { zh: '标准成本表', en: 'standard costs', where: 'S3 `incoming/costs/`, `--costs`' },
  rates: { zh: '汇率表', en: 'exchange rates', where: 'S3 `incoming/rates/`, `--rates`' },
  codes: { zh: '编码对照表', en: 'code mapping', where: 'S3 `incoming/codes/`, `--codes`' },
};

/** Every `type` a FieldDoc may name; a new one must be explained here before the dictionary builds. */
const TYPES: Readonly<Record<string, { zh: string; en: string }>> = {
  string: { zh: '文本(UTF-8)', en: 'text (UTF-8)' },
  decimal: {
    zh: '精确十进制数,输出为字符串(如 "-12.5");输入也可为 JSON 数字',
    en: 'exact decimal, written as a string ("-12.5"); input may also be a JSON number',
  },
  money: {
    zh: '本位币金额,精确十进制字符串,保留2位小数',
    en: 'amount in the functional currency: exact decimal string with 2 places',
  },
  integer: { zh: '整数(JSON 数字)', en: 'whole number (JSON number)' },
  number: { zh: '数字(JSON 数字)', en: 'number (JSON number)' },
  boolean: { zh: '布尔值(JSON true/false)', en: 'boolean (JSON true or false)' },
  'date-time': {
    zh: 'ISO 8601 日期时间,带时区偏移或Z;输出一律为 UTC(Z)',
    en: 'ISO 8601 date-time with offset or Z; outputs are always UTC (Z)',
  },
  'date | date-time': {
    zh: 'ISO 8601 日期或日期时间;纯日期为 --timezone 当天零点',
    en: 'ISO 8601 date or date-time; a plain date is midnight at its start in --timezone',
  },
  date: { zh: '日期 YYYY-MM-DD(--timezone 下)', en: 'date YYYY-MM-DD in --timezone' },
  'YYYY-MM': { zh: '会计期间:--timezone 下的自然月', en: 'accounting period: calendar month in --timezone' },
  enum: { zh: '取值见说明中列出的代码', en: 'one of the codes listed in the meaning' },
  'enum[]': { zh: '代码列表(JSON 数组)', en: 'list of codes (JSON array)' },
  'string[]': { zh: '文本列表(JSON 数组)', en: 'list of texts (JSON array)' },
  object: { zh: '对象;其字段在下方以 名称.字段 列出', en: 'object; its fields follow as name.field' },
  'object[]': {
    zh: '对象列表;元素字段以 名称[].字段 列出',
    en: 'list of objects; their fields follow as name[].field',
  },
};

const MOVEMENT_TYPE_EN: Readonly<Record<MovementType, string>> = {
  RECEIPT: 'purchase receipt: adds stock',
  SHIPMENT: 'sales shipment: removes stock',
  TRANSFER_IN: 'transfer in from another warehouse: adds stock',
  TRANSFER_OUT: 'transfer out to another warehouse: removes stock',
  ADJUSTMENT: 'stock count adjustment: its sign is its effect on stock',
  CUSTOMER_RETURN: 'return from a customer: adds stock',
  VENDOR_RETURN: 'return to a vendor: removes stock',
};

const KIND_WHEN: Readonly<Record<Kind, { en: string; zh: string }>> = {
  MISSING_IN_WMS: {
    en: 'finance lines, no WMS events, and the latest posting is older than the lag window',
    zh: '财务有分录、WMS无事件,且最近过账早于滞后窗口',
  },
  MISSING_IN_FINANCE: {
    en: 'WMS events, no finance lines, and the latest event is older than the lag window',
    zh: 'WMS有事件、财务无分录,且最近事件早于滞后窗口',
  },
  TIMING_LAG: {
    en: 'one side only but still inside the lag window, or both sides agree but fall in different accounting periods (cut-off)',
    zh: '仅一方有记录但仍在滞后窗口内;或双方一致但落在不同会计期间(跨期)',
  },
  TYPE_MISMATCH: {
    en: 'both sides present with different movement types',
    zh: '双方都有记录,但业务类型不同',
  },
  ACCOUNT_MISMATCH: {
    en: 'with --accounts only: a finance line booked to an account that is neither side of the mapping for its warehouse and type (checked right after TYPE_MISMATCH)',
    zh: '仅在给出 --accounts 时检查:财务分录所记科目既非该仓库该业务类型映射的借方科目,也非贷方科目(紧接业务类型检查之后)',
  },
  DUPLICATE_POSTING: {
    en: 'finance repeats a line (other entryId, same type, quantity and amount) and dropping the repeats makes the group agree',
    zh: '财务有编号不同而类型、数量、金额相同的分录,剔除重复行后即一致',
  },
  QUANTITY_MISMATCH: { en: 'net quantities differ', zh: '双方净数量不一致' },
  AMOUNT_MISMATCH: {
    en: 'quantities agree, but the finance amount differs from quantity x expected unit cost beyond the tolerance (with --variance-compensates, not when the cost variance explains the difference whole: see the term cost variance compensation)',
    zh: '数量一致,但财务金额与 数量×预期单位成本 之差超出容差(开启 --variance-compensates 时,差异完全由材料成本差异解释者除外,见术语“材料成本差异补偿”)',
  },
};

function severityRules(): Record<Severity, { en: string; zh: string }> {
  const red = formatDecimal(DEFAULT_SETTINGS.red);
  const yellow = formatDecimal(DEFAULT_SETTINGS.yellow);
  const rate = formatDecimal(DEFAULT_SETTINGS.yellowRate);
  // The pipeline's runs take theirs from config/settings.yaml, a warehouse's own where it gives them.
  const pipeline = {
    en: '; in the pipeline, severity in config/settings.yaml, or the warehouse’s own under warehouses',
    zh: ';流水线中取 config/settings.yaml 的 severity,仓库另有设定(warehouses)者取其自身阈值',
  };
  return {
    RED: {
      en: `money at stake at or above --red (default ${red})${pipeline.en}`,
      zh: `涉及金额 ≥ 红灯阈值(默认 ${red})${pipeline.zh}`,
    },
    YELLOW: {
      en: `money at stake at or above --yellow (default ${yellow}), or a relative difference at or above --yellow-rate (default ${rate})${pipeline.en}`,
      zh: `涉及金额 ≥ 黄灯阈值(默认 ${yellow}),或相对差异 ≥ 黄灯比例(默认 ${rate})${pipeline.zh}`,
    },
    GREEN: { en: 'everything else', zh: '其余情况' },
  };
}

/** `eventId 256, entryId 256, ...`: the limits of TEXT_LIMITS as the dictionary states them. */
function limitList(): string {
  return Object.entries(TEXT_LIMITS)
    .map(([field, limit]) => `${field} ${limit}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Walking the schemas

function readDoc(meta: Readonly<Record<string, unknown>> | undefined): Partial<FieldDoc> {
  const doc: Partial<FieldDoc> = {};
  if (meta === undefined) return doc;
  for (const key of ['zh', 'en', 'example', 'type', 'default'] as const) {
    const value = meta[key];
    if (typeof value === 'string') doc[key] = value;
  }
  return doc;
}

interface Unwrapped {
  core: z.core.$ZodType;
  optional: boolean;
  nullable: boolean;
  defaultValue: string | undefined;
  doc: Partial<FieldDoc>;
}

/** Peels optional / nullable / default wrappers; metadata on an outer wrapper wins over the inner. */
function unwrap(schema: z.core.$ZodType): Unwrapped {
  let core = schema;
  let optional = false;
  let nullable = false;
  let defaultValue: string | undefined;
  let doc: Partial<FieldDoc> = {};
  for (;;) {
    doc = { ...readDoc(z.globalRegistry.get(core)), ...doc };
    if (core instanceof z.core.$ZodOptional) {
      optional = true;
      core = core._zod.def.innerType;
    } else if (core instanceof z.core.$ZodNullable) {
      nullable = true;
      core = core._zod.def.innerType;
    } else if (core instanceof z.core.$ZodDefault) {
      optional = true;
      const value: unknown = core._zod.def.defaultValue;
      defaultValue ??= typeof value === 'string' ? value : JSON.stringify(value);
      core = core._zod.def.innerType;
    } else {
      return { core, optional, nullable, defaultValue, doc };
    }
  }
}

function requiredLabel(required: boolean, nullable: boolean, fallback: string | null): string {
  if (!required) return fallback === null ? '否 no' : `否 no (默认 default: ${fallback})`;
  return nullable ? '是 yes (可为 null)' : '是 yes';
}

/** The fields of an object schema, nested objects and lists of objects flattened after their parent. */
export function describeSchema(schema: z.core.$ZodObject, prefix = ''): DictionaryField[] {
  const fields: DictionaryField[] = [];
  for (const [key, fieldSchema] of Object.entries(schema._zod.def.shape)) {
    const name = `${prefix}${key}`;
    const { core, optional, nullable, defaultValue, doc } = unwrap(fieldSchema);
    const { zh, en, example, type } = doc;
    if (zh === undefined || en === undefined || example === undefined || type === undefined) {
      throw new Error(`data dictionary: field ${name} lacks FieldDoc metadata (zh, en, example, type)`);
    }
    const fallback = doc.default ?? defaultValue ?? null;
    fields.push({
      name,
      type,
      required: !optional,
      nullable,
      default: fallback,
      requiredLabel: requiredLabel(!optional, nullable, fallback),
      zh,
      en,
      example,
    });
    if (core instanceof z.core.$ZodObject) {
      fields.push(...describeSchema(core, `${name}.`));
    } else if (core instanceof z.core.$ZodArray) {
      const element = unwrap(core._zod.def.element).core;
      if (element instanceof z.core.$ZodObject) fields.push(...describeSchema(element, `${name}[].`));
    }
  }
  return fields;
}

/** The whole dictionary as data: what `stocktally dictionary --json` prints. */
/** The cost variance compensation rule, in the words the README uses too. */
const COMPENSATION = {
  en: 'with --variance-compensates (and the pipeline setting varianceCompensates), off by default: a group whose expected unit cost is the standard cost, whose net quantities agree and whose finance amount differs from the expected amount beyond the tolerance is not AMOUNT_MISMATCH when |finance amount − actual amount| is within the tolerance taken on the actual amount, where actual amount = net quantity x the periodic weighted average finance unit cost of the item (its finance amounts over its quantities among its entries posted in the period of the group’s latest record), rounded half-up to cents; the group then agrees (or is a cut-off TIMING_LAG), counted in summary.json varianceCompensated, and its difference is part of the item’s cost variance',
  zh: '仅在 --variance-compensates(流水线设置 varianceCompensates)开启时,默认关闭:预期单位成本为标准成本、净数量一致、财务金额与预期金额之差超出容差的分组,若 |财务金额 − 实际金额| 不超过按实际金额计算的容差,则不报金额差异;实际金额 = 净数量 × 该物料的月末一次加权平均单价(该组最近记录所属期间内该物料财务金额合计 ÷ 数量合计),四舍五入到分。该组视为一致(或跨期时间滞后),计入 summary.json 的 varianceCompensated,其差异属于该物料的材料成本差异',
};

/** The dictionary's feeds: each feed's place, and its frequency and owner from the configuration. */
function feedsOf(settings: FeedSettings): DictionaryFeed[] {
  return FEEDS.map((feed) => ({
    feed,
    zh: FEED_NAMES[feed].zh,
    en: FEED_NAMES[feed].en,
    where: FEED_NAMES[feed].where,
    frequency: settings[feed]?.frequency ?? null,
    owner: settings[feed]?.owner ?? null,
  }));
}

export function dataDictionary(feeds: FeedSettings = {}): Dictionary {
  const records = RECORDS.map(({ schema, ...rest }) => ({ ...rest, fields: describeSchema(schema) }));
  const used = new Set(records.flatMap((r) => r.fields.map((f) => f.type)));
  for (const type of used) {
    if (TYPES[type] === undefined) throw new Error(`data dictionary: type ${type} is not explained in TYPES`);
  }
  const types = Object.entries(TYPES)
    .filter(([code]) => used.has(code))
    .map(([code, doc]) => ({ code, ...doc }));
  const rules = severityRules();
  return {
    title: TITLE,
    records,
    feeds: feedsOf(feeds),
    types,
    movementTypes: MOVEMENT_TYPES.map((code) => ({
      code,
      zh: MOVEMENT_TYPE_ZH[code],
      en: MOVEMENT_TYPE_EN[code],
    })),
    kinds: KINDS.map((code) => ({
      code,
      zh: KIND_ZH[code],
      en: KIND_WHEN[code].en,
      whenZh: KIND_WHEN[code].zh,
    })),
    severities: SEVERITIES.map((code) => ({
      code,
      zh: SEVERITY_ZH[code],
      en: rules[code].en,
      whenZh: rules[code].zh,
    })),
    terms: [
      {
        code: 'rejected row',
        zh: '拒收行',
        en: 'an input row that cannot be used, reported with its file, line and reason; the rest is reconciled',
      },
      {
        code: 'group',
        zh: '对账分组',
        en: 'the records of one (warehouseId, sku, documentRef); each group that does not agree is one discrepancy',
      },
      {
        code: 'lag window',
        zh: '滞后窗口',
        en: `--lag-hours (default ${DEFAULT_SETTINGS.lagHours}) before asOf, inside which a one-sided group is still expected to complete`,
      },
      {
        code: 'id and code limits',
        zh: `编码长度上限(字符数):${limitList()};必填编码不可全为空白;文本须为合法 Unicode(不得含孤立代理项);仓库+物料+单据组成的分组键不超过 ${GROUP_KEY_MAX_BYTES} 字节(UTF-8)。超限行按拒收行处理`,
        en: `the longest each id or code may be, in characters (UTF-16 code units): ${limitList()}; a required one may not be blank (whitespace only); text must be well-formed Unicode (no lone surrogate); warehouseId, sku and documentRef together make a group key of at most ${GROUP_KEY_MAX_BYTES} bytes of UTF-8. A row past a limit is a rejected row naming the field`,
      },
      {
        code: 'strict input',
        zh: 'JSON 数字按原文精确读取(不经浮点,超过6位小数同字符串一样拒收);同一对象重复出现的键、CSV 表头重复的列名均拒收;单位成本不可为负',
        en: 'JSON numbers are read exactly from their text (never through a binary float; more than 6 places is refused as in a string); an object naming one key twice, and a CSV header naming one column twice, are refused; a unit cost is never negative',
      },
      {
        code: 'money at stake',
        zh: '涉及金额',
        en: '|amount delta|, or |quantity delta| x unit cost; sets the severity',
      },
      {
        code: 'cost variance',
        zh: '材料成本差异:同一物料同一期间,按月末一次加权平均(实际)计价与按标准成本计价之差,正为超支、负为节约;建议分录以 1404 材料成本差异 替代入库类业务的借方或出库类业务的贷方(计划成本法)',
        en: 'per item and period, the valuation at the periodic weighted average (actual) minus the valuation at standard cost of the WMS movements with a standard cost in effect; positive an overspend (超支), negative a saving (节约); its proposed entry books the variance account (workflow accounts.costVariance, default 1404 材料成本差异) in place of the debit of a type that adds stock or the credit of a type that removes stock (planned-cost method)',
      },
      {
        code: 'cost variance compensation',
        zh: `材料成本差异补偿:${COMPENSATION.zh}`,
        en: COMPENSATION.en,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown

const NOT_CONFIGURED = '未配置 not configured';

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replaceAll('|', '\\|');
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return cell(`${fence}${pad}${text}${pad}${fence}`);
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

export function dictionaryMarkdown(feeds: FeedSettings = {}): string {
  const d = dataDictionary(feeds);
  const out: string[] = [
    `# ${d.title}`,
    '',
    '财务与IT共同确认的字段定义:Stocktally 接收的两类记录(WMS出入库事件、财务分录行)与四张参考表,它输出的差异明细、对账汇总、凭证与材料成本差异,以及各数据源的更新频率与负责人。',
    'The fields finance and IT agree on: the two records Stocktally accepts (WMS movements and finance entries) and its four reference tables, the discrepancies, summary, vouchers and cost variance it writes, and each feed’s update frequency and owner.',
    '',
    '本文件由 zod 模式(`lib/core/records/records.ts`、`lib/core/contract/table-schemas.ts`、`lib/core/contract/output-schemas.ts`)与配置(`config/workflow.yaml` 的 `feeds`)自动生成,请勿手工修改;修改后运行 `npm run dictionary` 重新生成。',
    'Generated from the zod schemas in `lib/core/records/records.ts`, `lib/core/contract/table-schemas.ts` and `lib/core/contract/output-schemas.ts` and from the configuration (`feeds` of `config/workflow.yaml`): do not edit by hand; after a change, regenerate with `npm run dictionary`.',
    '',
    '字段名在 JSON、NDJSON 与 CSV 表头中相同。嵌套字段写作 `名称.字段`,`[]` 表示列表中的每个元素。',
    'Field names are the same in JSON bodies, NDJSON lines and CSV headers. Nested fields are written `name.field`; `[]` stands for every element of a list.',
    '',
  ];
  const header = ['字段 field', '类型 type', '必填 required', '中文含义', 'English meaning', '示例 example'];
  let section = 0;
  for (const record of d.records) {
    out.push(
      `## ${++section}. ${record.en} / ${record.zh}`,
      '',
      `${record.whereZh}。`,
      '',
      `${cap(record.whereEn)}.`,
      '',
    );
    out.push(
      ...markdownTable(
        header,
        record.fields.map((f) => [
          code(f.name),
          cell(f.type),
          cell(f.requiredLabel),
          cell(f.zh),
          cell(f.en),
          code(f.example),
        ]),
      ),
      '',
    );
  }
  out.push(
    `## ${++section}. Feeds / 数据源`,
    '',
    '各数据源的更新频率与负责人,取自配置(`config/workflow.yaml` 的 `feeds`;云端为数据桶中的 config/workflow.yaml)。',
    '',
    'How often each feed arrives and who owns it, from the configuration (`feeds` of `config/workflow.yaml`; in the cloud the one in the data bucket).',
    '',
  );
  out.push(
    ...markdownTable(
      ['数据源 feed', '中文', 'where', '更新频率 update frequency', '负责人 owner'],
      d.feeds.map((f) => [
        code(f.feed),
        cell(f.zh),
        cell(f.where),
        cell(f.frequency ?? NOT_CONFIGURED),
        cell(f.owner ?? NOT_CONFIGURED),
      ]),
    ),
    '',
  );
  out.push(`## ${++section}. Types / 类型`, '');
  out.push(
    ...markdownTable(
      ['类型 type', '中文含义', 'English meaning'],
      d.types.map((t) => [cell(t.code), cell(t.zh), cell(t.en)]),
    ),
    '',
  );
  out.push(`## ${++section}. Movement types / 业务类型`, '');
  out.push(
    ...markdownTable(
      ['代码 code', '中文', 'English'],
      d.movementTypes.map((t) => [code(t.code), cell(t.zh), cell(t.en)]),
    ),
    '',
  );
  out.push(
    `## ${++section}. Discrepancy kinds / 差异类型`,
    '',
    '每个不一致的分组按下列顺序取第一个适用的类型。',
    '',
    'Each group that does not agree takes the first kind that applies, in this order.',
    '',
  );
  out.push(
    ...markdownTable(
      ['代码 code', '中文', '何时', 'when'],
      d.kinds.map((k) => [code(k.code), cell(k.zh), cell(k.whenZh), cell(k.en)]),
    ),
    '',
  );
  out.push(`## ${++section}. Severities / 严重程度`, '');
  out.push(
    ...markdownTable(
      ['代码 code', '中文', '何时', 'when'],
      d.severities.map((s) => [code(s.code), cell(s.zh), cell(s.whenZh), cell(s.en)]),
    ),
    '',
  );
  out.push(`## ${++section}. Terms / 术语`, '');
  out.push(
    ...markdownTable(
      ['term', '中文', 'meaning'],
      d.terms.map((t) => [cell(t.code), cell(t.zh), cell(t.en)]),
    ),
  );
  return out.join('\n') + '\n';
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Plain text for a terminal

/** Terminal columns of a string: East Asian wide and fullwidth characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0x303e) ||
      (cp >= 0x3041 && cp <= 0x33ff) ||
      (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xa000 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Columns padded to their widest cell; the last column is left ragged. */
function alignRows(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(c));
    });
  }
  return rows.map(
    (row) => indent + row.map((c, i) => (i === row.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  '),
  );
}

function heading(text: string): string[] {
  return [text, '-'.repeat(displayWidth(text))];
}

export function dictionaryText(feeds: FeedSettings = {}): string {
  const d = dataDictionary(feeds);
  const out: string[] = [
    d.title,
    '='.repeat(displayWidth(d.title)),
    'The fields finance and IT agree on, generated from the zod schemas (npm run dictionary writes docs/data-dictionary.md).',
    '财务与IT共同确认的字段定义,由 zod 模式自动生成。',
    '',
  ];
  for (const record of d.records) {
    out.push(...heading(`${record.en} / ${record.zh}`));
    out.push(`  ${cap(record.whereEn.replaceAll('`', ''))}`, '');
    const nameWidth = Math.max(...record.fields.map((f) => displayWidth(f.name)), displayWidth('field'));
    const typeWidth = Math.max(...record.fields.map((f) => displayWidth(f.type)), displayWidth('type'));
    const reqWidth = Math.max(
      ...record.fields.map((f) => displayWidth(f.requiredLabel)),
      displayWidth('required'),
    );
    const lead = 2 + nameWidth + 2 + typeWidth + 2 + reqWidth + 2;
    const continuation = ' '.repeat(lead);
    out.push(
      `  ${pad('field', nameWidth)}  ${pad('type', typeWidth)}  ${pad('required', reqWidth)}  meaning / 含义`,
    );
    for (const f of record.fields) {
      out.push(
        `  ${pad(f.name, nameWidth)}  ${pad(f.type, typeWidth)}  ${pad(f.requiredLabel, reqWidth)}  ${f.zh}`,
      );
      out.push(`${continuation}${f.en}`);
      out.push(`${continuation}e.g. ${f.example}`);
    }
    out.push('');
  }
  out.push(...heading('Feeds / 数据源 (update frequency and owner, from the configuration)'));
  out.push(
    ...alignRows(
      d.feeds.map((f) => [f.feed, f.zh, f.frequency ?? NOT_CONFIGURED, f.owner ?? NOT_CONFIGURED]),
      '  ',
    ),
    '',
  );
  out.push(...heading('Types / 类型'));
  out.push(
    ...alignRows(
      d.types.map((t) => [t.code, t.zh, t.en]),
      '  ',
    ),
    '',
  );
  out.push(...heading('Movement types / 业务类型'));
  out.push(
    ...alignRows(
      d.movementTypes.map((t) => [t.code, t.zh, t.en]),
      '  ',
    ),
    '',
  );
  out.push(...heading('Discrepancy kinds / 差异类型 (the first that applies, in this order)'));
  out.push(
    ...alignRows(
      d.kinds.map((k) => [k.code, k.zh, k.en]),
      '  ',
    ),
    '',
  );
  out.push(...heading('Severities / 严重程度'));
  out.push(
    ...alignRows(
      d.severities.map((s) => [s.code, s.zh, s.en]),
      '  ',
    ),
    '',
  );
  out.push(...heading('Terms / 术语'));
  out.push(
    ...alignRows(
      d.terms.map((t) => [t.code, t.zh, t.en]),
      '  ',
    ),
  );
  return out.join('\n') + '\n';
}
