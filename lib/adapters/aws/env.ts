import { BUCKET, ENV, RECORDS_TABLE } from '../../declarations/tables.js';
import { DEFAULT_PARTITIONS } from '../../core/records/partition.js';
import { DEFAULT_CURRENCY, isCurrencyCode } from '../../core/records/rates.js';
import { ZoneClock } from '../../core/shared/zone-clock.js';
import { ConfigurationError } from '../../errors/common.js';

/**
 * The functions' configuration, read from the variables declared in lib/declarations/tables.ts. A
 * required variable that is missing fails at first use with its name, never as an undefined
 * table name three calls later.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is not set`);
  }
  return value;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** A setting that is on or off: `true` or `false`, unset is off; anything else is a mistake named. */
function flag(name: string): boolean {
  const text = optionalEnv(name);
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw new ConfigurationError(`environment variable ${name} must be true or false, got ${text}`);
}

export const config = {
  recordsTable: (): string => requiredEnv(RECORDS_TABLE.env),
  bucket: (): string => requiredEnv(BUCKET.env),
  partitions(): number {
    const text = optionalEnv(ENV.partitions);
    if (text === undefined) return DEFAULT_PARTITIONS;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1 || n > 9999) {
      throw new ConfigurationError(
        `environment variable ${ENV.partitions} must be a whole number 1-9999, got ${text}`,
      );
    }
    return n;
  },
  zone(): ZoneClock {
    const timeZone = optionalEnv(ENV.timeZone) ?? 'UTC';
    if (!ZoneClock.isValid(timeZone)) {
      throw new ConfigurationError(
        `environment variable ${ENV.timeZone} is not an IANA time zone: ${timeZone}`,
      );
    }
    return new ZoneClock(timeZone);
  },
  /** The functional currency, and whether it was set (a set one is shown on discrepancies, as --currency). */
  currency(): { code: string; configured: boolean } {
    const code = optionalEnv(ENV.currency);
    if (code === undefined) return { code: DEFAULT_CURRENCY, configured: false };
    if (!isCurrencyCode(code)) {
      throw new ConfigurationError(
        `environment variable ${ENV.currency} is not an ISO 4217 code (three capital letters): ${code}`,
      );
    }
    return { code, configured: true };
  },
  checkAccounts: (): boolean => flag(ENV.checkAccounts),
  varianceCompensates: (): boolean => flag(ENV.varianceCompensates),
  dynamodbEndpoint: (): string | undefined => optionalEnv(ENV.dynamodbEndpoint),
  s3Endpoint: (): string | undefined => optionalEnv(ENV.s3Endpoint),
};
