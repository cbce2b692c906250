// parseMovement / parseEntry are the hand-written hot-path validators; the zod wire schemas in
// records.ts are the declared truth (the HTTP edge and the data dictionary use them). The property
// tests hold the two to the same accept/reject decision on random raw rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalFromNumber, parseDecimal, type Decimal } from '../../../lib/core/shared/decimal.js';
import { MOVEMENT_TYPES } from '../../../lib/core/records/movement-type.js';
import { isRejection, parseEntry, parseMovement } from '../../../lib/core/records/record-parser.js';
import {
  EntryWire,
  MovementWire,
  type Entry,
  type Movement,
  type Rejection,
} from '../../../lib/core/records/records.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';

const ORIGIN = { file: 'in.ndjson', line: 7 };
const UTC = new ZoneClock('UTC');
const SHANGHAI = new ZoneClock('Asia/Shanghai');

const MOVEMENT = {
  eventId: 'E00000209',
  warehouseId: 'WH-上海-02',
  sku: 'SKU-00069',
  type: 'RECEIPT',
  quantity: '120',
  uom: 'BOX',
  documentRef: 'PO-0000102,"rush"',
  occurredAt: '2026-10-22T05:00:00Z',
  unitCost: '28.75',
};

const ENTRY = {
  entryId: 'F00000166',
  warehouseId: 'WH-上海-02',
  sku: 'SKU-00069',
  type: 'SHIPMENT',
  quantity: '-486',
  uom: 'EA',
  amount: '-784870.56',
  currency: 'CNY',
  documentRef: 'SO-1',
  postedAt: '2026-10-05',
  account: '1405',
};

const MOVEMENT_REQUIRED = ['eventId', 'warehouseId', 'sku', 'type', 'quantity', 'documentRef', 'occurredAt'];
const ENTRY_REQUIRED = [
  'entryId',
  'warehouseId',
  'sku',
  'type',
  'quantity',
  'amount',
  'documentRef',
  'postedAt',
];

function without(row: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...row };
  delete copy[name];
  return copy;
}

function movement(raw: unknown, zone = UTC): Movement {
  const result = parseMovement(raw, ORIGIN, zone);
  if (isRejection(result)) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function entry(raw: unknown, zone = UTC): Entry {
  const result = parseEntry(raw, ORIGIN, zone);
  if (isRejection(result)) throw new Error(`rejected: ${result.reason}`);
  return result;
}

function movementRejection(raw: unknown): Rejection {
  const result = parseMovement(raw, ORIGIN, UTC);
  if (!isRejection(result)) throw new Error('accepted');
  return result;
}

function entryRejection(raw: unknown, zone = UTC): Rejection {
  const result = parseEntry(raw, ORIGIN, zone);
  if (!isRejection(result)) throw new Error('accepted');
  return result;
}

describe('parseMovement / parseEntry: focused cases', () => {
  it('accepts a complete movement and a complete entry, keeping the origin', () => {
    const m = movement(MOVEMENT);
    const e = entry(ENTRY);

    expect(m).toMatchObject({
      source: 'wms',
      file: 'in.ndjson',
      line: 7,
      id: 'E00000209',
      documentRef: 'PO-0000102,"rush"',
      quantity: 120_000_000n,
      unitCost: 28_750_000n,
      uom: 'BOX',
      at: Date.parse('2026-10-22T05:00:00Z'),
    });
    expect(e).toMatchObject({
      source: 'finance',
      id: 'F00000166',
      quantity: -486_000_000n,
      amount: -784_870_560_000n,
      currency: 'CNY',
      account: '1405',
    });
  });

  it.each(MOVEMENT_REQUIRED)('rejects a movement without %s, naming it', (name) => {
    const rejection = movementRejection(without(MOVEMENT, name));

    expect(rejection.field).toBe(name);
    expect(rejection.reason).toBe(`missing ${name}`);
    expect(rejection).toMatchObject({ source: 'wms', file: 'in.ndjson', line: 7 });
  });

  it.each(ENTRY_REQUIRED)('rejects an entry without %s, naming it', (name) => {
    const rejection = entryRejection(without(ENTRY, name));

    expect(rejection.field).toBe(name);
    expect(rejection.reason).toBe(`missing ${name}`);
  });

  it('names every required field of an empty object', () => {
    expect(movementRejection({}).reason).toBe(`missing ${MOVEMENT_REQUIRED.join(', ')}`);
    expect(entryRejection({}).reason).toBe(`missing ${ENTRY_REQUIRED.join(', ')}`);
    expect(movementRejection({}).field).toBe('eventId');
  });

  it('treats null and empty text in a required field as missing', () => {
    expect(movementRejection({ ...MOVEMENT, sku: null }).reason).toBe('missing sku');
    expect(movementRejection({ ...MOVEMENT, sku: '' }).reason).toBe('missing sku');
    expect(entryRejection({ ...ENTRY, amount: '' }).reason).toBe('missing amount');
  });

  it('keeps the document ref on a rejection so it can be tied to a discrepancy', () => {
    expect(movementRejection({ ...MOVEMENT, quantity: 'abc' }).documentRef).toBe('PO-0000102,"rush"');
    expect(movementRejection({ ...MOVEMENT, documentRef: '', quantity: 'abc' }).documentRef).toBeUndefined();
  });

  it('rejects quantity "abc", naming the field', () => {
    const rejection = movementRejection({ ...MOVEMENT, quantity: 'abc' });

    expect(rejection.field).toBe('quantity');
    expect(rejection.reason).toMatch(/^quantity is not a decimal number/);
  });

  it.each(['12,5', '1,234.5x'])('rejects amount %j, naming the field', (amount) => {
    const rejection = entryRejection({ ...ENTRY, amount });

    expect(rejection.field).toBe('amount');
    expect(rejection.reason).toContain('amount');
    expect(rejection.reason).toContain(JSON.stringify(amount));
  });

  it('names every bad field, the first one as `field`', () => {
    const rejection = movementRejection({
      ...MOVEMENT,
      sku: undefined,
      quantity: '1e3',
      occurredAt: 'tomorrow',
    });

    expect(rejection.field).toBe('sku');
    expect(rejection.reason).toMatch(/^missing sku; quantity .*; occurredAt .*/);
  });

  it.each(['2026-13-45T99:00:00Z', '2026-02-30', '2025-02-29T00:00:00Z', '2026-04-31'])(
    'rejects %s as an impossible date',
    (postedAt) => {
      const rejection = entryRejection({ ...ENTRY, postedAt });

      expect(rejection.field).toBe('postedAt');
      expect(rejection.reason).toContain('impossible date');
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(entry({ ...ENTRY, postedAt: '2024-02-29' }).at).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });

  it.each(['2026-10-05T24:00:00Z', '2026-10-05T10:60:00Z', '2026-10-05T10:00:60Z'])(
    'rejects %s as an impossible time of day',
    (occurredAt) => {
      expect(movementRejection({ ...MOVEMENT, occurredAt }).reason).toContain('impossible time of day');
    },
  );

  it('rejects movement type TELEPORT, listing the types', () => {
    const rejection = movementRejection({ ...MOVEMENT, type: 'TELEPORT' });

    expect(rejection.field).toBe('type');
    expect(rejection.reason).toContain('"TELEPORT" is not a movement type');
  });

  it.each(MOVEMENT_TYPES)('accepts movement type %s', (type) => {
    expect(movement({ ...MOVEMENT, type }).type).toBe(type);
  });

  it('reads decimals given as JSON numbers and as strings alike ("446.00" equals 446)', () => {
    expect(entry({ ...ENTRY, quantity: '446.00', amount: 446 })).toMatchObject({
      quantity: 446_000_000n,
      amount: 446_000_000n,
    });
    expect(movement({ ...MOVEMENT, quantity: -12.5, unitCost: 0.125 })).toMatchObject({
      quantity: -12_500_000n,
      unitCost: 125_000n,
    });
  });

  it('rejects a decimal it cannot hold exactly', () => {
    expect(movementRejection({ ...MOVEMENT, quantity: 0.1 + 0.2 }).field).toBe('quantity');
    expect(movementRejection({ ...MOVEMENT, quantity: '1.0000001' }).field).toBe('quantity');
    expect(movementRejection({ ...MOVEMENT, unitCost: Number.NaN }).field).toBe('unitCost');
  });

  it('reads a plain-date postedAt as midnight in the zone (Asia/Shanghai: 2026-10-05 -> 2026-10-04T16:00:00Z)', () => {
    expect(entry({ ...ENTRY, postedAt: '2026-10-05' }, SHANGHAI).at).toBe(Date.parse('2026-10-04T16:00:00Z'));
    expect(entry({ ...ENTRY, postedAt: '2026-10-05' }, UTC).at).toBe(Date.parse('2026-10-05T00:00:00Z'));
  });

  it('reads a date-time without an offset in the zone', () => {
    expect(movement({ ...MOVEMENT, occurredAt: '2026-10-05T10:00' }, SHANGHAI).at).toBe(
      Date.parse('2026-10-05T02:00:00Z'),
    );
  });

  it.each([
    ['2026-10-05T10:00:00+08:00', '2026-10-05T02:00:00Z'],
    ['2026-10-05T10:00:00-05:00', '2026-10-05T15:00:00Z'],
    ['2026-10-05T10:00:00Z', '2026-10-05T10:00:00Z'],
    ['2026-10-05T10:00:00.000Z', '2026-10-05T10:00:00Z'],
    ['2026-10-05T10:00:00.123+0530', '2026-10-05T04:30:00.123Z'],
  ])('reads %s as %s whatever the zone', (occurredAt, utc) => {
    expect(movement({ ...MOVEMENT, occurredAt }, SHANGHAI).at).toBe(Date.parse(utc));
    expect(movement({ ...MOVEMENT, occurredAt }, UTC).at).toBe(Date.parse(utc));
  });

  it('accepts null optional fields', () => {
    const m = movement({ ...MOVEMENT, uom: null, unitCost: null });
    const e = entry({ ...ENTRY, uom: null, currency: null, account: null });

    expect(m.unitCost).toBeUndefined();
    expect(e).toMatchObject({ currency: undefined, account: undefined });
  });

  it.each([undefined, null, ''])('defaults uom %j to EA', (uom) => {
    expect(movement({ ...MOVEMENT, uom }).uom).toBe('EA');
    expect(entry({ ...ENTRY, uom }).uom).toBe('EA');
  });

  it.each([{ raw: null }, { raw: [] }, { raw: 'text' }, { raw: 42 }])(
    'rejects $raw as not a JSON object, like the wire schema',
    ({ raw }) => {
      expect(movementRejection(raw)).toMatchObject({ field: undefined, reason: 'is not a JSON object' });
      expect(entryRejection(raw).reason).toBe('is not a JSON object');
      expect(MovementWire.safeParse(raw).success).toBe(false);
    },
  );

  it('rejects a value of the wrong JSON type, naming the field', () => {
    expect(movementRejection({ ...MOVEMENT, sku: 69 })).toMatchObject({
      field: 'sku',
      reason: 'sku must be text, got number',
    });
    expect(movementRejection({ ...MOVEMENT, quantity: true }).field).toBe('quantity');
    expect(entryRejection({ ...ENTRY, account: 1405 }).field).toBe('account');
  });
});

// ---------------------------------------------------------------------------------------------
// The fast validator against the zod wire schemas.

/** Marks a field left out of the raw object. */
const ABSENT = Symbol('absent');

const wrongType = fc.constantFrom<unknown>(5, 0, true, false, {}, [], ['x'], { value: '1' });
const missingish = fc.constantFrom<unknown>(ABSENT, null, '');

/** Mostly valid values, so that random rows are accepted often enough to compare the parsed values. */
function field(valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 1, arbitrary: missingish },
    { weight: 1, arbitrary: invalid },
    { weight: 1, arbitrary: wrongType },
  );
}

const requiredText = field(
  fc.oneof(
    fc.constantFrom('E1', 'WH-上海-02', ' ', 'PO-1,"rush"'),
    fc.string({ minLength: 1, maxLength: 4 }),
  ),
  fc.string({ maxLength: 2 }),
);
const optionalText = field(
  fc.oneof(missingish, fc.constantFrom('BOX', 'CNY', ' ')),
  fc.string({ maxLength: 2 }),
);
const movementType = field(
  fc.constantFrom(...MOVEMENT_TYPES),
  fc.constantFrom('TELEPORT', 'receipt', ' RECEIPT', 'RECEIPT '),
);
const decimal = field(
  fc.oneof(
    fc.stringMatching(/^[+-]?\d{1,4}(\.\d{1,6})?$/),
    fc.constantFrom('446.00', '0.125', '-12.5', '+3', '1.0000000', ' 7 '),
    fc.integer(),
    fc.integer({ min: -1e8, max: 1e8 }).map((n) => n / 100),
    fc.constantFrom(446, 12.5, -0.5, 1e-6, 2 ** 53 + 2, -0, 1e20),
  ),
  fc.oneof(
    // Invalid or borderline decimal text: more than six places, signs, blanks, separators, exponents.
    fc.stringMatching(/^[ ]?[+-]?\d{0,4}(\.\d{0,8})?[ ]?$/),
    fc.constantFrom('abc', '12,5', '1,234.5x', '1e3', '.5', '5.', '--1', ' ', '+', 'NaN', '١٢', '0x10'),
    fc.double(),
    fc.constantFrom(1e-7, 0.1 + 0.2, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
  ),
);
const p2 = (n: number) => String(n).padStart(2, '0');
function instantText(r: {
  y: fc.Arbitrary<number>;
  mo: fc.Arbitrary<number>;
  d: fc.Arbitrary<number>;
  h: fc.Arbitrary<number>;
  mi: fc.Arbitrary<number>;
  sep: fc.Arbitrary<string>;
  frac: fc.Arbitrary<string>;
  offset: fc.Arbitrary<string>;
}): fc.Arbitrary<string> {
  return fc
    .record({
      y: r.y,
      mo: r.mo,
      d: r.d,
      time: fc.option(
        fc.record({ sep: r.sep, h: r.h, mi: r.mi, s: fc.option(r.mi), frac: r.frac, offset: r.offset }),
      ),
    })
    .map(({ y, mo, d, time }) => {
      const date = `${y}-${p2(mo)}-${p2(d)}`;
      if (time === null) return date;
      const seconds = time.s === null ? '' : `:${p2(time.s)}${time.frac}`;
      return `${date}${time.sep}${p2(time.h)}:${p2(time.mi)}${seconds}${time.offset}`;
    });
}
const instant = field(
  instantText({
    y: fc.integer({ min: 1999, max: 2031 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    sep: fc.constantFrom('T', ' '),
    frac: fc.constantFrom('', '.000', '.5', ',25', '.123456'),
    offset: fc.constantFrom('', 'Z', 'z', '+08:00', '-05:00', '+0530', '+08'),
  }),
  fc.oneof(
    instantText({
      y: fc.integer({ min: 1999, max: 2031 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 61 }),
      sep: fc.constantFrom('T', ' ', 't'),
      frac: fc.constantFrom('', '.000', '.'),
      offset: fc.constantFrom('', 'Z', '+24:00', '-00:60', '+8', 'UTC', '+08:00:00'),
    }),
    fc.constantFrom(
      '2026-13-45T99:00:00Z',
      '2026-02-30',
      'yesterday',
      '2026/10/05',
      '2026-10-05T',
      '20261005',
    ),
    fc.constantFrom<unknown>(1759658400000),
  ),
);

function rawRow(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({ ...fields, extra: fc.constantFrom<unknown>(ABSENT, 'ignored', { nested: true }) })
    .map((values) => {
      const row: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(values)) if (value !== ABSENT) row[name] = value;
      return row;
    });
}

const rawMovement = rawRow({
  eventId: requiredText,
  warehouseId: requiredText,
  sku: requiredText,
  type: movementType,
  quantity: decimal,
  uom: optionalText,
  documentRef: requiredText,
  occurredAt: instant,
  unitCost: decimal,
});

const rawEntry = rawRow({
  entryId: requiredText,
  warehouseId: requiredText,
  sku: requiredText,
  type: movementType,
  quantity: decimal,
  uom: optionalText,
  amount: decimal,
  currency: optionalText,
  documentRef: requiredText,
  postedAt: instant,
  account: optionalText,
});

const zone = fc.constantFrom(UTC, SHANGHAI, new ZoneClock('America/New_York'));

/** The exact decimal of a wire value, computed the way CONTRACT §1 reads it. */
function decimalOf(value: unknown): Decimal | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = typeof value === 'number' ? decimalFromNumber(value) : parseDecimal(String(value));
  if (!parsed.ok) throw new Error(`accepted an invalid decimal ${String(value)}`);
  return parsed.value;
}

interface ZodIssues {
  success: boolean;
  error?: { issues: { path: PropertyKey[] }[] };
}

/** The same decision, and a rejection that names a field zod names too, and every field zod names. */
function expectAgreement(fast: Movement | Entry | Rejection, wire: ZodIssues): void {
  expect(isRejection(fast) ? 'rejects' : 'accepts').toBe(wire.success ? 'accepts' : 'rejects');
  if (isRejection(fast) && wire.error !== undefined) {
    const named = new Set(wire.error.issues.map((issue) => String(issue.path[0])));
    expect(named).toContain(fast.field);
    for (const field of named) expect(fast.reason).toContain(field);
  }
}

describe('parseMovement / parseEntry agree with the zod wire schemas', () => {
  it('parseMovement accepts exactly what MovementWire accepts, reading decimals as decimal.ts does', () => {
    fc.assert(
      fc.property(rawMovement, zone, (raw, z) => {
        const fast = parseMovement(raw, ORIGIN, z);
        const wire = MovementWire.safeParse(raw);

        expectAgreement(fast, wire);
        if (!isRejection(fast)) {
          expect(fast.quantity).toBe(decimalOf(raw.quantity));
          expect(fast.unitCost).toBe(decimalOf(raw.unitCost));
          expect(fast.uom).toBe(raw.uom || 'EA');
          expect([fast.id, fast.sku, fast.documentRef]).toEqual([raw.eventId, raw.sku, raw.documentRef]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('parseEntry accepts exactly what EntryWire accepts, reading decimals as decimal.ts does', () => {
    fc.assert(
      fc.property(rawEntry, zone, (raw, z) => {
        const fast = parseEntry(raw, ORIGIN, z);
        const wire = EntryWire.safeParse(raw);

        expectAgreement(fast, wire);
        if (!isRejection(fast)) {
          expect(fast.quantity).toBe(decimalOf(raw.quantity));
          expect(fast.amount).toBe(decimalOf(raw.amount));
          expect(fast.currency).toBe(raw.currency || undefined);
          expect(fast.account).toBe(raw.account || undefined);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees on rows that differ from a valid one in a single field', () => {
    // Random rows are mostly rejected for several reasons at once; this keeps the valid rows and the
    // one-fault rows, where a disagreement on one field cannot hide behind another.
    const oneFault = <T extends Record<string, unknown>>(
      base: T,
      fields: Record<string, fc.Arbitrary<unknown>>,
    ) =>
      fc.oneof(
        ...Object.entries(fields).map(([name, value]) =>
          value.map((v) => {
            const row: Record<string, unknown> = { ...base };
            if (v === ABSENT) delete row[name];
            else row[name] = v;
            return row;
          }),
        ),
      );
    const movementFields = { quantity: decimal, unitCost: decimal, occurredAt: instant, type: movementType };
    const entryFields = { amount: decimal, postedAt: instant, currency: optionalText, sku: requiredText };
    fc.assert(
      fc.property(oneFault(MOVEMENT, movementFields), oneFault(ENTRY, entryFields), zone, (m, e, z) => {
        expectAgreement(parseMovement(m, ORIGIN, z), MovementWire.safeParse(m));
        expectAgreement(parseEntry(e, ORIGIN, z), EntryWire.safeParse(e));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('decimals on the wire', () => {
  /**
   * The value a decimal literal denotes, in micro-units, computed independently of decimal.ts; undefined
   * when it is not a decimal or needs more than six places. A JSON number stands for its shortest
   * round-trip literal (String(n)), exponent included.
   */
  function exactMicros(value: unknown): bigint | undefined {
    const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
    const m = /^([+-]?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
    if (m === null || (typeof value === 'string' && m[4] !== undefined)) return undefined;
    const digits = BigInt((m[2] ?? '') + (m[3] ?? ''));
    const shift = Number(m[4] ?? 0) - (m[3] ?? '').length + 6;
    let micros: bigint;
    if (shift >= 0) micros = digits * 10n ** BigInt(shift);
    else {
      const unit = 10n ** BigInt(-shift);
      if (digits % unit !== 0n) return undefined;
      micros = digits / unit;
    }
    return m[1] === '-' ? -micros : micros;
  }

  it('reads every accepted quantity, unit cost and amount as exactly the value written', () => {
    const value = fc.oneof(decimal, fc.constantFrom(1e-8, 4e-8, -1e-9, 5e-7, 1e-6, 123456.000001));
    fc.assert(
      fc.property(value, value, value, (quantity, unitCost, amount) => {
        const m = parseMovement({ ...MOVEMENT, quantity, unitCost }, ORIGIN, UTC);
        const e = parseEntry({ ...ENTRY, amount }, ORIGIN, UTC);

        if (!isRejection(m)) {
          expect({ quantity, read: m.quantity }).toEqual({ quantity, read: exactMicros(quantity) });
          if (unitCost !== null && unitCost !== ABSENT) {
            expect({ unitCost, read: m.unitCost }).toEqual({ unitCost, read: exactMicros(unitCost) });
          }
        }
        if (!isRejection(e))
          expect({ amount, read: e.amount }).toEqual({ amount, read: exactMicros(amount) });
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Plain dates: "midnight at its start in --timezone" (CONTRACT §1), checked against Intl.

const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  // Zones whose daylight saving time starts at midnight: the day starts at 01:00.
  'America/Santiago',
  'America/Havana',
  'America/Asuncion',
  'Asia/Beirut',
  'Africa/Cairo',
];

const localDate = new Map<string, Intl.DateTimeFormat>();
function localDateOf(ms: number, timeZone: string): string {
  let format = localDate.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    localDate.set(timeZone, format);
  }
  return format.format(new Date(ms));
}

/** Days (YYYY-MM-DD) on which the zone's UTC offset changes, and the days after them, 2020-2030. */
function transitionDays(timeZone: string): string[] {
  const clock = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
  });
  const days: string[] = [];
  const DAY = 86_400_000;
  let before = clock.format(new Date(Date.UTC(2020, 0, 1, 12)));
  for (let ms = Date.UTC(2020, 0, 1, 12); ms < Date.UTC(2031, 0, 1); ms += DAY) {
    // The wall clock 24 hours later shows another time of day: the offset changed in between.
    const after = clock.format(new Date(ms + DAY));
    if (after !== before) {
      for (const d of [0, 1, 2]) days.push(new Date(ms + d * DAY).toISOString().slice(0, 10));
    }
    before = after;
  }
  return days;
}

describe('a plain-date postedAt', () => {
  const candidates = ZONES.flatMap((timeZone) => transitionDays(timeZone).map((day) => ({ timeZone, day })));
  const randomDay = fc
    .record({
      timeZone: fc.constantFrom(...ZONES),
      ms: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) }),
    })
    .map(({ timeZone, ms }) => ({ timeZone, day: new Date(ms).toISOString().slice(0, 10) }));
  const clocks = new Map(ZONES.map((z) => [z, new ZoneClock(z)]));

  it('is the first instant of that date in the zone, also on days the clocks change', () => {
    fc.assert(
      fc.property(fc.oneof(randomDay, fc.constantFrom(...candidates)), ({ timeZone, day }) => {
        const at = entry({ ...ENTRY, postedAt: day }, clocks.get(timeZone)!).at;

        const seen = `${day} in ${timeZone} read as ${new Date(at).toISOString()}, local date ${localDateOf(at, timeZone)}`;

        expect(seen).toBe(`${day} in ${timeZone} read as ${new Date(at).toISOString()}, local date ${day}`);
        expect(localDateOf(at - 1, timeZone) < day).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
