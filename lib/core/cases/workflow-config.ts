import { z } from 'zod';
import { parseDecimal, type Decimal } from '../shared/decimal.js';
import { MOVEMENT_TYPES, type MovementType } from '../records/movement-type.js';
import { ROLES, type Role } from './roles.js';
import type { Result } from '../shared/result.js';

/**
 * The exception workflow's configuration document (config/workflow.yaml; see the README, "Cases and
 * approvals"): who owns a new case by warehouse, which accounts an adjusting journal entry books per
 * warehouse and movement type, and which roles must approve a proposal of a given amount. Parsed
 * here from the plain object a YAML or JSON reader gives; every refusal names its path.
 */

/** `1403 原材料`: the account code, a space, its name (the name may be left out). */
const AccountSchema = z
  .string()
  .trim()
  .regex(/^[^\s,]+(\s+\S.*)?$/, 'must be an account code, optionally followed by a space and its name');

/** How many days the books have to agree after an approval, unless the configuration says otherwise. */
export const DEFAULT_AWAITING_BOOKS_DAYS = 5;

/** 管理费用: where a normal inventory loss or gain ends once approved. */
export const DEFAULT_WRITE_OFF = '6602 管理费用';

const PairSchema = z.strictObject({ debit: AccountSchema, credit: AccountSchema });
export type AccountPair = z.infer<typeof PairSchema>;

const MappingSchema = z.strictObject(
  Object.fromEntries(MOVEMENT_TYPES.map((t) => [t, PairSchema])) as Record<MovementType, typeof PairSchema>,
);
const PartialMappingSchema = MappingSchema.partial();

const AmountSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((text) => {
    const parsed = parseDecimal(text);
    return parsed.ok && parsed.value >= 0n;
  }, 'must be a non-negative decimal amount');

/** One approval: a person holding any of these roles. */
const RequirementSchema = z.array(z.enum(ROLES)).min(1);

/** The inputs the product is fed: the two ledgers and the four reference tables. */
export const FEEDS = ['wms', 'finance', 'uom', 'costs', 'rates', 'codes'] as const;
export type Feed = (typeof FEEDS)[number];

const FeedSchema = z.strictObject({
  /** Who answers for the feed's content (a person, a team, a system). */
  owner: z.string().trim().min(1),
  /** How often it arrives, in words finance and IT agree on. */
  frequency: z.string().trim().min(1),
});
export type FeedInfo = z.infer<typeof FeedSchema>;

/** One person who signs the report: the role they sign as, and their name (empty: written in by hand). */
const SignatorySchema = z.strictObject({
  role: z.string().trim().min(1).max(80),
  name: z.string().trim().max(80).default(''),
});

/** Days from the day an item is first seen to the day it is due, by severity. */
const DueDaysSchema = z.strictObject({
  RED: z.int().min(0).max(366).default(0),
  YELLOW: z.int().min(0).max(366).default(3),
  GREEN: z.int().min(0).max(366).default(10),
});

/**
 * The report a controller signs (issue 19): whose report it is, who signs it, how many items its
 * PDF lists (the XLSX lists every one) and when an open item is due. Left out: the defaults below.
 */
export const ReportConfigSchema = z.strictObject({
  company: z.string().trim().min(1).max(120),
  signatories: z.array(SignatorySchema).min(1).max(8),
  /** Discrepancies the PDF's detail lists, by severity then money; the rest are in the XLSX. */
  pdfDetailRows: z.int().min(0).max(5_000).default(500),
  /** RED is due the same day (0) unless said otherwise. */
  dueDays: DueDaysSchema.default({ RED: 0, YELLOW: 3, GREEN: 10 }),
});
export type ReportConfig = z.infer<typeof ReportConfigSchema>;

export const DEFAULT_REPORT_CONFIG: ReportConfig = {
  company: 'Stocktally',
  signatories: [
    { role: '仓库负责人 Warehouse lead', name: '' },
    { role: '财务复核 Finance reviewer', name: '' },
  ],
  pdfDetailRows: 500,
  dueDays: { RED: 0, YELLOW: 3, GREEN: 10 },
};

const TierSchema = z.strictObject({
  /** The tier applies from this amount (inclusive) up to the next tier's. */
  from: AmountSchema,
  /** Each element is one approval by a different person, holding any of its roles. */
  approvers: z.array(RequirementSchema).min(1),
});

export const WorkflowConfigSchema = z
  .strictObject({
    version: z.literal(1),
    owners: z.strictObject({
      default: z.string().trim().min(1),
      byWarehouse: z.record(z.string().min(1), z.string().trim().min(1)).default({}),
    }),
    accounts: z.strictObject({
      /** Where a frozen account's difference waits for its investigation (待处理财产损溢). */
      suspense: AccountSchema,
      /** Where an accepted difference is written off (accept-difference). */
      writeOff: AccountSchema.default(DEFAULT_WRITE_OFF),
      default: MappingSchema,
      byWarehouse: z.record(z.string().min(1), PartialMappingSchema).default({}),
      /** Where the cost variance goes (材料成本差异); 1404 when not named (cost-variance.ts). */
      costVariance: AccountSchema.optional(),
    }),
    approval: z.strictObject({
      tiers: z.array(TierSchema).min(1),
    }),
    /** Who owns each feed and how often it arrives: the data dictionary states them (issue 18). */
    feeds: z.partialRecord(z.enum(FEEDS), FeedSchema).optional(),
    /** Days an approved case may wait for the books before it is overdue (CONTRACT section 8). */
    awaitingBooksDays: z.int().min(1).max(366).default(DEFAULT_AWAITING_BOOKS_DAYS),
    /** The report: company, signatories, PDF detail rows, due days (issue 19). */
    report: ReportConfigSchema.default(DEFAULT_REPORT_CONFIG),
  })
  .superRefine((config, ctx) => {
    const froms = config.approval.tiers.map((t) => parseAmount(t.from));
    if (froms[0] !== 0n) {
      ctx.addIssue({
        code: 'custom',
        path: ['approval', 'tiers', 0, 'from'],
        message: 'the first tier must start at 0',
      });
    }
    for (let i = 1; i < froms.length; i++) {
      if ((froms[i] ?? 0n) <= (froms[i - 1] ?? 0n)) {
        ctx.addIssue({
          code: 'custom',
          path: ['approval', 'tiers', i, 'from'],
          message: 'tiers must be in increasing order of from',
        });
      }
    }
  });
export type WorkflowConfig = z.infer<typeof WorkflowConfigSchema>;

function parseAmount(text: string): Decimal {
  const parsed = parseDecimal(text);
  return parsed.ok ? parsed.value : 0n;
}

export type ConfigParse = Result<{ config: WorkflowConfig }>;

/** Validates a document read from YAML or JSON; the reason names each offending path. */
export function parseWorkflowConfig(raw: unknown, source: string): ConfigParse {
  const parsed = WorkflowConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const reason = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `${source}: ${reason}` };
}

/**
 * A warehouse's own entry of a configuration map. The warehouse id is data (`constructor`,
 * `__proto__` and `toString` are ids like any other), so only the map's own keys count.
 */
function own<T>(byWarehouse: Readonly<Record<string, T>>, warehouseId: string): T | undefined {
  return Object.hasOwn(byWarehouse, warehouseId) ? byWarehouse[warehouseId] : undefined;
}

/** The owner of a new case in a warehouse. */
export function ownerFor(config: WorkflowConfig, warehouseId: string): string {
  return own(config.owners.byWarehouse, warehouseId) ?? config.owners.default;
}

/** The accounts of a movement type in a warehouse: its own mapping, else the default one. */
export function accountsFor(config: WorkflowConfig, warehouseId: string, type: MovementType): AccountPair {
  return own(config.accounts.byWarehouse, warehouseId)?.[type] ?? config.accounts.default[type];
}

export interface Account {
  code: string;
  name: string;
}

export function splitAccount(text: string): Account {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0
    ? { code: trimmed, name: '' }
    : { code: trimmed.slice(0, space), name: trimmed.slice(space).trim() };
}

/** The approvals an amount needs: the tier it falls in (amounts compared exactly). */
export function approversFor(config: WorkflowConfig, amount: Decimal): Role[][] {
  let chosen = config.approval.tiers[0];
  for (const tier of config.approval.tiers) {
    if (amount >= parseAmount(tier.from)) chosen = tier;
  }
  return (chosen?.approvers ?? []).map((roles) => [...roles]);
}
