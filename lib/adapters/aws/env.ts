import { BUCKET, ENV, RECORDS_TABLE } from '../../declarations/tables.js';
import { DEFAULT_PARTITIONS } from '../../core/records/partition.js';
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
  dynamodbEndpoint: (): string | undefined => optionalEnv(ENV.dynamodbEndpoint),
  s3Endpoint: (): string | undefined => optionalEnv(ENV.s3Endpoint),
};
