import { z } from 'zod';
import { decimalFromNumber, formatDecimal, ONE, parseDecimal, type Decimal } from '../shared/decimal.js';
import type { Result } from '../shared/result.js';
import { DEFAULT_SETTINGS, type Settings, type Thresholds } from './settings.js';

/**
 * The pipeline's reconciliation settings document (config/settings.yaml; README, "Settings of the
 * runs"): the lag window, the amount tolerances and the severity thresholds, with a warehouse's own
 * thresholds that raise or lower its discrepancies' severity. Parsed here from the plain object a
 * YAML or JSON reader gives; every refusal names its path. Decimals are read from their text (the
 * adapter reads YAML with every scalar a string), never through a binary float.
 */

/** A decimal as written: its text (as the adapter reads YAML), or a JSON number's shortest text. */
const DecimalText = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? decimalFromNumber(value) : parseDecimal(value);
  if (!parsed.ok || parsed.value < 0n) {
    ctx.addIssue({ code: 'custom', message: `must be a non-negative decimal, got '${String(value)}'` });
    return z.NEVER;
  }
  return parsed.value;
});

const RateText = DecimalText.refine((rate) => rate <= ONE, 'must be a rate from 0 to 1');

const Hours = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value).trim();
  if (!/^\d{1,4}$/.test(text) || Number(text) > 8784) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a whole number of hours from 0 to 8784, got '${String(value)}'`,
    });
    return z.NEVER;
  }
  return Number(text);
});

const ThresholdsSchema = z.strictObject({
  /** RED at or above this money at stake. */
  red: DecimalText,
  /** YELLOW at or above this money at stake... */
  yellow: DecimalText,
  /** ...or a relative difference at or above this rate. */
  yellowRate: RateText,
});

export const SettingsConfigSchema = z
  .strictObject({
    version: z.union([z.literal(1), z.literal('1')]),
    lagHours: Hours,
    amountTolerance: DecimalText,
    amountToleranceRate: RateText,
    severity: ThresholdsSchema,
    /** A warehouse's own thresholds, each replacing the run's for that warehouse's discrepancies. */
    warehouses: z.record(z.string().min(1), ThresholdsSchema.partial()).default({}),
  })
  .superRefine((config, ctx) => {
    if (config.severity.yellow > config.severity.red) {
      ctx.addIssue({ code: 'custom', path: ['severity', 'yellow'], message: 'must not exceed severity.red' });
    }
    for (const [warehouseId, own] of Object.entries(config.warehouses)) {
      const red = own.red ?? config.severity.red;
      const yellow = own.yellow ?? config.severity.yellow;
      if (yellow > red) {
        ctx.addIssue({
          code: 'custom',
          path: ['warehouses', warehouseId, own.yellow === undefined ? 'red' : 'yellow'],
          message: `YELLOW at ${formatDecimal(yellow)} must not exceed RED at ${formatDecimal(red)}`,
        });
      }
    }
  });
export type SettingsConfig = z.infer<typeof SettingsConfigSchema>;

/** Validates a document read from YAML or JSON; the reason names the source and each offending path. */
export function parseSettingsConfig(raw: unknown, source: string): Result<{ config: SettingsConfig }> {
  const parsed = SettingsConfigSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const reason = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `${source}: ${reason}` };
}

/**
 * The settings a run used, as its record keeps them (GET /v1/runs/{runId}): where they came from
 * and which version, and every value as exact decimal text. The tasks of a run read these, never
 * the document again, so a run uses one version even when the document changes mid-run.
 */
export interface RunSettings {
  /** `s3://<bucket>/config/settings.yaml` or `bundled config/settings.yaml`. */
  source: string;
  /** The uploaded object's etag, or `sha256:<first 16 hex>` of the bundled file. */
  version: string;
  /** The stack's time zone (CDK context `timeZone`): the schedules and periods are built on it. */
  timezone: string;
  lagHours: number;
  amountTolerance: string;
  amountToleranceRate: string;
  red: string;
  yellow: string;
  yellowRate: string;
  /** Only the warehouses the document gives their own thresholds, only the thresholds it gives. */
  warehouses?: Record<string, Partial<Record<keyof Thresholds, string>>>;
}

function thresholdsText(own: Partial<Thresholds>): Partial<Record<keyof Thresholds, string>> {
  const out: Partial<Record<keyof Thresholds, string>> = {};
  if (own.red !== undefined) out.red = formatDecimal(own.red);
  if (own.yellow !== undefined) out.yellow = formatDecimal(own.yellow);
  if (own.yellowRate !== undefined) out.yellowRate = formatDecimal(own.yellowRate);
  return out;
}

/** The record of a document's settings, in the stack's time zone. */
export function runSettingsOf(
  config: SettingsConfig,
  origin: { source: string; version: string },
  timezone: string,
): RunSettings {
  const warehouses = Object.entries(config.warehouses);
  return {
    ...origin,
    timezone,
    lagHours: config.lagHours,
    amountTolerance: formatDecimal(config.amountTolerance),
    amountToleranceRate: formatDecimal(config.amountToleranceRate),
    red: formatDecimal(config.severity.red),
    yellow: formatDecimal(config.severity.yellow),
    yellowRate: formatDecimal(config.severity.yellowRate),
    ...(warehouses.length === 0
      ? {}
      : { warehouses: Object.fromEntries(warehouses.map(([id, own]) => [id, thresholdsText(own)])) }),
  };
}

function decimal(text: string, field: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`the run's recorded settings have a bad ${field}: ${text}`);
  return parsed.value;
}

/**
 * The settings a run's task reconciles with: those its record keeps, as of `asOf`; a run recorded
 * before runs kept their settings gets the contract's defaults in the stack's zone, as it did then.
 */
export function settingsOfRun(recorded: RunSettings | undefined, asOf: string, timeZone: string): Settings {
  const at = Date.parse(asOf);
  if (recorded === undefined) return { ...DEFAULT_SETTINGS, asOf: at, timeZone };
  const settings: Settings = {
    asOf: at,
    timeZone,
    lagHours: recorded.lagHours,
    amountTolerance: decimal(recorded.amountTolerance, 'amountTolerance'),
    amountToleranceRate: decimal(recorded.amountToleranceRate, 'amountToleranceRate'),
    red: decimal(recorded.red, 'red'),
    yellow: decimal(recorded.yellow, 'yellow'),
    yellowRate: decimal(recorded.yellowRate, 'yellowRate'),
  };
  if (recorded.warehouses === undefined) return settings;
  const warehouses: Record<string, Partial<Thresholds>> = {};
  for (const [id, own] of Object.entries(recorded.warehouses)) {
    const t: Partial<Thresholds> = {};
    if (own.red !== undefined) t.red = decimal(own.red, `warehouses.${id}.red`);
    if (own.yellow !== undefined) t.yellow = decimal(own.yellow, `warehouses.${id}.yellow`);
    if (own.yellowRate !== undefined) t.yellowRate = decimal(own.yellowRate, `warehouses.${id}.yellowRate`);
    warehouses[id] = t;
  }
  return { ...settings, warehouses };
}
