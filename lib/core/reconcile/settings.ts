import { parseDecimal, type Decimal } from '../shared/decimal.js';

/** Everything a reconciliation depends on besides the records and tables (CONTRACT §2). */
export interface Settings {
  /** Epoch ms of the run's "now". */
  asOf: number;
  lagHours: number;
  timeZone: string;
  amountTolerance: Decimal;
  amountToleranceRate: Decimal;
  red: Decimal;
  yellow: Decimal;
  yellowRate: Decimal;
  /**
   * A warehouse's own severity thresholds (config/settings.yaml, `warehouses`): each one given
   * replaces the run's for that warehouse's discrepancies, raising or lowering their severity.
   * Absent (the CLI), every warehouse uses the run's.
   */
  warehouses?: Readonly<Record<string, Partial<Thresholds>>>;
}

/** What decides a discrepancy's severity (CONTRACT §2, lib/core/reconcile/severity.ts). */
export type Thresholds = Pick<Settings, 'red' | 'yellow' | 'yellowRate'>;

function dec(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (!parsed.ok) throw new Error(`bad default decimal ${text}`);
  return parsed.value;
}

export const DEFAULT_SETTINGS: Omit<Settings, 'asOf'> = {
  lagHours: 48,
  timeZone: 'UTC',
  amountTolerance: dec('0.01'),
  amountToleranceRate: dec('0.001'),
  red: dec('50000'),
  yellow: dec('5000'),
  yellowRate: dec('0.05'),
};

/**
 * The thresholds of a warehouse: its own where the settings give them, the run's otherwise. The
 * warehouse id is data (`constructor` and `__proto__` are ids like any other): only own keys count.
 */
export function thresholdsFor(settings: Settings, warehouseId: string): Thresholds {
  const own =
    settings.warehouses !== undefined && Object.hasOwn(settings.warehouses, warehouseId)
      ? settings.warehouses[warehouseId]
      : undefined;
  return {
    red: own?.red ?? settings.red,
    yellow: own?.yellow ?? settings.yellow,
    yellowRate: own?.yellowRate ?? settings.yellowRate,
  };
}

export function lagMs(settings: Settings): number {
  return settings.lagHours * 3_600_000;
}
