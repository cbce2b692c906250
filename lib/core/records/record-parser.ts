import { readDecimal, readDecimalLiteral, readDecimalNumber, type Decimal } from '../shared/decimal.js';
import { duplicateKeyOf, JsonNumber } from '../shared/json-text.js';
import { isMovementType, MOVEMENT_TYPES, type MovementType } from './movement-type.js';
import type { Entry, Movement, Origin, Rejection, Source } from './records.js';
import { groupKeyProblem, NEGATIVE_COST, textProblem, type LimitedField } from './record-limits.js';
import { readInstant } from '../shared/timestamp.js';
import type { ZoneClock } from '../shared/zone-clock.js';

/**
 * The hot-path validator: turns one raw row (a CSV row as an object of its non-empty cells, or a
 * parsed NDJSON/JSON object) into a Movement or Entry, or a Rejection naming every bad field.
 * It implements exactly the rules of the zod wire schemas in records.ts (a property test holds
 * the two together) at a fraction of their cost per row.
 */
export type RawRow = Record<string, unknown>;

/** What is wrong with the row being parsed; one instance reused row after row (no allocation). */
class Issues {
  field: string | undefined;
  readonly missing: string[] = [];
  readonly problems: string[] = [];

  reset(): Issues {
    this.field = undefined;
    this.missing.length = 0;
    this.problems.length = 0;
    return this;
  }

  miss(name: string): void {
    this.field ??= name;
    this.missing.push(name);
  }

  add(name: string, problem: string): void {
    this.field ??= name;
    this.problems.push(`${name} ${problem}`);
  }

  get any(): boolean {
    return this.field !== undefined;
  }

  reason(): string {
    const parts: string[] = [];
    if (this.missing.length > 0) parts.push(`missing ${this.missing.join(', ')}`);
    return parts.concat(this.problems).join('; ');
  }
}

const ISSUES = new Issues();

/** The JSON type of a value as a sender wrote it (a number read from JSON text is a JsonNumber). */
function typeName(v: unknown): string {
  return v instanceof JsonNumber ? 'number' : typeof v;
}

function requiredText(raw: RawRow, name: LimitedField, issues: Issues): string {
  const v = raw[name];
  if (v === undefined || v === null || v === '') {
    issues.miss(name);
    return '';
  }
  if (typeof v !== 'string') {
    issues.add(name, `must be text, got ${typeName(v)}`);
    return '';
  }
  const problem = textProblem(v, name, true);
  if (problem !== undefined) {
    issues.add(name, problem);
    return '';
  }
  return v;
}

function optionalText(raw: RawRow, name: LimitedField, issues: Issues): string | undefined {
  const v = raw[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    issues.add(name, `must be text, got ${typeName(v)}`);
    return undefined;
  }
  const problem = textProblem(v, name, false);
  if (problem !== undefined) {
    issues.add(name, problem);
    return undefined;
  }
  return v;
}

function decimalField(
  raw: RawRow,
  name: string,
  required: boolean,
  issues: Issues,
  nonNegative = false,
): Decimal | undefined {
  const v = raw[name];
  if (v === undefined || v === null || (required && v === '')) {
    if (required) issues.miss(name);
    return undefined;
  }
  const value =
    typeof v === 'string'
      ? readDecimal(v)
      : v instanceof JsonNumber
        ? readDecimalLiteral(v.text)
        : typeof v === 'number'
          ? readDecimalNumber(v)
          : `must be a decimal, got ${typeof v}`;
  if (typeof value === 'string') {
    issues.add(name, value);
    return undefined;
  }
  if (nonNegative && value < 0n) {
    issues.add(name, NEGATIVE_COST);
    return undefined;
  }
  return value;
}

/** The group's key must fit the stores' keys; checked once its three parts are good text. */
function groupFits(warehouseId: string, sku: string, documentRef: string, issues: Issues): void {
  if (warehouseId === '' || sku === '' || documentRef === '') return;
  const problem = groupKeyProblem({ warehouseId, sku, documentRef });
  if (problem !== undefined) issues.add('documentRef', problem);
}

function instantField(raw: RawRow, name: string, zone: ZoneClock, issues: Issues): number {
  const v = raw[name];
  if (v === undefined || v === null || v === '') {
    issues.miss(name);
    return 0;
  }
  if (typeof v !== 'string') {
    issues.add(name, `must be text, got ${typeName(v)}`);
    return 0;
  }
  const ms = readInstant(v, zone);
  if (typeof ms === 'string') {
    issues.add(name, ms);
    return 0;
  }
  return ms;
}

function typeField(raw: RawRow, issues: Issues): MovementType {
  const v = raw.type;
  if (v === undefined || v === null || v === '') {
    issues.miss('type');
    return 'RECEIPT';
  }
  if (typeof v !== 'string') {
    issues.add('type', `must be text, got ${typeName(v)}`);
    return 'RECEIPT';
  }
  if (!isMovementType(v)) {
    issues.add('type', `${JSON.stringify(v)} is not a movement type (${MOVEMENT_TYPES.join(', ')})`);
    return 'RECEIPT';
  }
  return v;
}

function reject(source: Source, origin: Origin, issues: Issues, documentRef: string): Rejection {
  return {
    source,
    file: origin.file,
    line: origin.line,
    field: issues.field,
    reason: issues.reason(),
    documentRef: documentRef === '' ? undefined : documentRef,
  };
}

function notAnObject(source: Source, origin: Origin): Rejection {
  return { source, ...origin, field: undefined, reason: 'is not a JSON object' };
}

/** Not a record at all: no object, or one naming a key twice (JSON.parse would keep the last). */
function notARecord(source: Source, raw: unknown, origin: Origin): Rejection | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof JsonNumber) {
    return notAnObject(source, origin);
  }
  const twice = duplicateKeyOf(raw);
  if (twice === undefined) return undefined;
  return {
    source,
    ...origin,
    field: twice,
    reason: `names ${twice} twice; which one is meant cannot be known, so the row is refused`,
  };
}

export function parseMovement(raw: unknown, origin: Origin, zone: ZoneClock): Movement | Rejection {
  const refused = notARecord('wms', raw, origin);
  if (refused !== undefined) return refused;
  const row = raw as RawRow;
  const issues = ISSUES.reset();
  const id = requiredText(row, 'eventId', issues);
  const warehouseId = requiredText(row, 'warehouseId', issues);
  const sku = requiredText(row, 'sku', issues);
  const type = typeField(row, issues);
  const quantity = decimalField(row, 'quantity', true, issues);
  const uom = optionalText(row, 'uom', issues);
  const documentRef = requiredText(row, 'documentRef', issues);
  groupFits(warehouseId, sku, documentRef, issues);
  const at = instantField(row, 'occurredAt', zone, issues);
  const unitCost = decimalField(row, 'unitCost', false, issues, true);
  if (issues.any || quantity === undefined) return reject('wms', origin, issues, documentRef);
  return {
    source: 'wms',
    file: origin.file,
    line: origin.line,
    id,
    warehouseId,
    sku,
    type,
    quantity,
    uom: uom || 'EA',
    documentRef,
    at,
    unitCost,
  };
}

export function parseEntry(raw: unknown, origin: Origin, zone: ZoneClock): Entry | Rejection {
  const refused = notARecord('finance', raw, origin);
  if (refused !== undefined) return refused;
  const row = raw as RawRow;
  const issues = ISSUES.reset();
  const id = requiredText(row, 'entryId', issues);
  const warehouseId = requiredText(row, 'warehouseId', issues);
  const sku = requiredText(row, 'sku', issues);
  const type = typeField(row, issues);
  const quantity = decimalField(row, 'quantity', true, issues);
  const uom = optionalText(row, 'uom', issues);
  const amount = decimalField(row, 'amount', true, issues);
  const currency = optionalText(row, 'currency', issues);
  const documentRef = requiredText(row, 'documentRef', issues);
  groupFits(warehouseId, sku, documentRef, issues);
  const at = instantField(row, 'postedAt', zone, issues);
  const account = optionalText(row, 'account', issues);
  if (issues.any || quantity === undefined || amount === undefined) {
    return reject('finance', origin, issues, documentRef);
  }
  return {
    source: 'finance',
    file: origin.file,
    line: origin.line,
    id,
    warehouseId,
    sku,
    type,
    quantity,
    uom: uom || 'EA',
    amount,
    currency: currency || undefined,
    documentRef,
    at,
    account: account || undefined,
  };
}

export function isRejection<T extends object>(value: T | Rejection): value is Rejection {
  return 'reason' in value;
}
