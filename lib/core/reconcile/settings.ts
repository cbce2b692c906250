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
}

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

export function lagMs(settings: Settings): number {
  return settings.lagHours * 3_600_000;
}
