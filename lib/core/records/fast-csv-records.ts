import { daysFromCivil, daysInMonth } from '../shared/civil-date.js';
import type { ZoneClock } from '../shared/zone-clock.js';
import { MOVEMENT_TYPES, type MovementType } from './movement-type.js';
import { textProblem, TEXT_LIMITS, GROUP_KEY_MAX_BYTES, type LimitedField } from './record-limits.js';
import type { Entry, Movement, Rejection, Source } from './records.js';
import { readCsvRecords, type ReadOptions, type ReadResult } from './readers.js';

/**
 * The fast path of reading a CSV record: straight from the file's bytes to a Movement or Entry,
 * with no text of the whole record, no array of cells and no row object. It takes only the plain
 * records it can read exactly as the general path does (readers.ts: tokenizeCsv, then
 * record-parser.ts): no quote, the header's number of cells, every required cell present, numbers
 * as plain decimals, instants as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`, a known movement type.
 * For anything else it answers undefined and the caller reads the record the general way, so a
 * rejection is always the general path's, word for word. A property test holds the two equal.
 */
const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const MS_PER_DAY = 86_400_000;
const MAX_CELLS = 64;
const utf8 = new TextDecoder();

const TYPE_BYTES = MOVEMENT_TYPES.map((t) => Array.from(t, (c) => c.charCodeAt(0)));

interface Latin1Buffer extends Uint8Array {
  latin1Slice(start: number, end: number): string;
}

/** The columns a source's records are read from; -1 when the header lacks one. */
interface Columns {
  id: number;
  warehouseId: number;
  sku: number;
  type: number;
  quantity: number;
  uom: number;
  documentRef: number;
  at: number;
  /** unitCost (WMS) or amount (finance). */
  money: number;
  currency: number;
  account: number;
}

function columnsOf(source: Source, header: readonly string[]): Columns {
  const at = (name: string) => header.indexOf(name);
  const wms = source === 'wms';
  return {
    id: at(wms ? 'eventId' : 'entryId'),
    warehouseId: at('warehouseId'),
    sku: at('sku'),
    type: at('type'),
    quantity: at('quantity'),
    uom: at('uom'),
    documentRef: at('documentRef'),
    at: at(wms ? 'occurredAt' : 'postedAt'),
    money: at(wms ? 'unitCost' : 'amount'),
    currency: wms ? -1 : at('currency'),
    account: wms ? -1 : at('account'),
  };
}

const NOT_READ = Symbol('not read');
type NotRead = typeof NOT_READ;

export class FastCsvReader {
  private readonly columns: Columns;
  private readonly cells: number;
  private readonly starts = new Int32Array(MAX_CELLS + 1);
  private readonly ends = new Int32Array(MAX_CELLS + 1);
  /** Whether cell k holds a byte past ASCII. */
  private readonly wide = new Uint8Array(MAX_CELLS + 1);
  private data: Latin1Buffer = Buffer.alloc(0) as unknown as Latin1Buffer;
  /** Warehouses, units, currencies and accounts: a few codes, each on many records. */
  private readonly codes = new TextCache(12);

  constructor(
    private readonly source: Source,
    header: readonly string[],
    private readonly file: string,
    private readonly zone: ZoneClock,
  ) {
    this.columns = columnsOf(source, header);
    this.cells = header.length;
  }

  /**
   * The record in data[start, end) (its line feed included, if it has one), or undefined when the
   * general path must read it. `data` must be a Buffer (for its native latin1 slices).
   */
  read(data: Uint8Array, start: number, end: number, line: number): Movement | Entry | undefined {
    if (this.cells > MAX_CELLS) return undefined;
    this.data = data as Latin1Buffer;
    let lineEnd = end;
    if (lineEnd > start && data[lineEnd - 1] === LF) lineEnd--;
    if (lineEnd > start && data[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd <= start || !this.cut(data, start, lineEnd)) return undefined;
    return this.source === 'wms' ? this.movement(line) : this.entry(line);
  }

  /** Finds the cells; false when the record has a quote or not the header's number of cells. */
  private cut(data: Uint8Array, start: number, end: number): boolean {
    const { starts, ends, wide } = this;
    let cell = 0;
    let cellStart = start;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = data[i] as number;
      if (b === COMMA) {
        if (cell >= this.cells) return false;
        starts[cell] = cellStart;
        ends[cell] = i;
        wide[cell] = high;
        cell++;
        cellStart = i + 1;
        high = 0;
      } else if (b >= 0x80) high = 1;
      else if (b === QUOTE) return false;
    }
    if (cell !== this.cells - 1) return false;
    starts[cell] = cellStart;
    ends[cell] = end;
    wide[cell] = high;
    return true;
  }

  private movement(line: number): Movement | undefined {
    const c = this.columns;
    const id = this.text(c.id, 'eventId');
    const warehouseId = this.text(c.warehouseId, 'warehouseId', this.codes);
    const sku = this.text(c.sku, 'sku');
    const documentRef = this.text(c.documentRef, 'documentRef');
    if (id === undefined || warehouseId === undefined || sku === undefined || documentRef === undefined)
      return undefined;
    if (!groupFits(warehouseId, sku, documentRef)) return undefined;
    const type = this.type(c.type);
    const quantity = this.decimal(c.quantity);
    const uom = this.optionalText(c.uom, 'uom');
    const at = this.instant(c.at);
    const unitCost = this.optionalDecimal(c.money);
    if (
      type === undefined ||
      quantity === undefined ||
      uom === NOT_READ ||
      at === undefined ||
      unitCost === NOT_READ ||
      (unitCost !== undefined && unitCost < 0n)
    )
      return undefined;
    return {
      source: 'wms',
      file: this.file,
      line,
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

  private entry(line: number): Entry | undefined {
    const c = this.columns;
    const id = this.text(c.id, 'entryId');
    const warehouseId = this.text(c.warehouseId, 'warehouseId', this.codes);
    const sku = this.text(c.sku, 'sku');
    const documentRef = this.text(c.documentRef, 'documentRef');
    if (id === undefined || warehouseId === undefined || sku === undefined || documentRef === undefined)
      return undefined;
    if (!groupFits(warehouseId, sku, documentRef)) return undefined;
    const type = this.type(c.type);
    const quantity = this.decimal(c.quantity);
    const uom = this.optionalText(c.uom, 'uom');
    const amount = this.decimal(c.money);
    const currency = this.optionalText(c.currency, 'currency');
    const at = this.instant(c.at);
    const account = this.optionalText(c.account, 'account');
    if (
      type === undefined ||
      quantity === undefined ||
      uom === NOT_READ ||
      amount === undefined ||
      currency === NOT_READ ||
      at === undefined ||
      account === NOT_READ
    )
      return undefined;
    return {
      source: 'finance',
      file: this.file,
      line,
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

  /** A cell's text as the general path reads it: bytes one per character, UTF-8 when wider. */
  private cellText(k: number): string {
    const start = this.starts[k] as number;
    const end = this.ends[k] as number;
    if (this.wide[k] === 0) return this.data.latin1Slice(start, end);
    return utf8.decode(this.data.subarray(start, end));
  }

  /**
   * A required id or code; undefined when it is missing or not plain. Codes that repeat (warehouse,
   * sku) come from `cache`: one string per code, not one per record.
   */
  private text(k: number, name: LimitedField, cache?: TextCache): string | undefined {
    if (k < 0) return undefined;
    const start = this.starts[k] as number;
    const end = this.ends[k] as number;
    if (end === start) return undefined;
    if (this.wide[k] === 0) {
      // A first character past the space is no white space: the text is not blank.
      if ((this.data[start] as number) <= 32 || end - start > TEXT_LIMITS[name]) return undefined;
      return cache === undefined ? this.data.latin1Slice(start, end) : cache.text(this.data, start, end);
    }
    // A UTF-8 byte order mark opens a cell: only the general path knows whether it is kept.
    if (this.data[start] === 0xef) return undefined;
    const value = this.cellText(k);
    return textProblem(value, name, true) === undefined ? value : undefined;
  }

  /** An optional code: undefined when the cell is empty, NOT_READ when it is not plain. */
  private optionalText(k: number, name: LimitedField): string | undefined | NotRead {
    if (k < 0) return undefined;
    const start = this.starts[k] as number;
    const end = this.ends[k] as number;
    if (end === start) return undefined;
    if (this.wide[k] === 0) {
      return end - start > TEXT_LIMITS[name] ? NOT_READ : this.codes.text(this.data, start, end);
    }
    if (this.data[start] === 0xef) return NOT_READ;
    const value = this.cellText(k);
    return textProblem(value, name, false) === undefined ? value : NOT_READ;
  }

  private type(k: number): MovementType | undefined {
    if (k < 0) return undefined;
    const start = this.starts[k] as number;
    const length = (this.ends[k] as number) - start;
    const data = this.data;
    next: for (let t = 0; t < TYPE_BYTES.length; t++) {
      const bytes = TYPE_BYTES[t] as number[];
      if (bytes.length !== length) continue;
      for (let i = 0; i < length; i++) if (data[start + i] !== bytes[i]) continue next;
      return MOVEMENT_TYPES[t];
    }
    return undefined;
  }

  /** A plain decimal (`-12.5`, `+3`): at most 15 digits and 6 places, as readDecimal's fast path. */
  private decimal(k: number): bigint | undefined {
    if (k < 0) return undefined;
    const data = this.data;
    let i = this.starts[k] as number;
    const end = this.ends[k] as number;
    if (i === end) return undefined;
    let negative = false;
    const first = data[i];
    if (first === 45 || first === 43) {
      negative = first === 45;
      i++;
    }
    let value = 0;
    let digits = 0;
    let fraction = -1;
    for (; i < end; i++) {
      const b = data[i] as number;
      if (b >= 48 && b <= 57) {
        value = value * 10 + (b - 48);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (b === 46 && fraction < 0 && digits > 0) fraction = 0;
      else return undefined;
    }
    if (digits === 0 || digits > 15 || fraction === 0 || fraction > 6) return undefined;
    const scaled = value * (SCALES[fraction < 0 ? 0 : fraction] ?? 0);
    if (!Number.isSafeInteger(scaled)) return undefined;
    const result = BigInt(scaled);
    return negative ? -result : result;
  }

  private optionalDecimal(k: number): bigint | undefined | NotRead {
    if (k < 0 || this.starts[k] === this.ends[k]) return undefined;
    return this.decimal(k) ?? NOT_READ;
  }

  /** `YYYY-MM-DD` (midnight in the run's zone) or `YYYY-MM-DDTHH:MM:SSZ`; epoch ms. */
  private instant(k: number): number | undefined {
    if (k < 0) return undefined;
    const data = this.data;
    const s = this.starts[k] as number;
    const length = (this.ends[k] as number) - s;
    if (length !== 10 && length !== 20) return undefined;
    if (data[s + 4] !== 45 || data[s + 7] !== 45) return undefined;
    const y = digitsAt(data, s, 4);
    const mo = digitsAt(data, s + 5, 2);
    const d = digitsAt(data, s + 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
    const day = daysFromCivil(y, mo, d);
    if (length === 10) return this.zone.localToUtc(day * MS_PER_DAY);
    if (data[s + 10] !== 84 || data[s + 13] !== 58 || data[s + 16] !== 58 || data[s + 19] !== 90)
      return undefined;
    const h = digitsAt(data, s + 11, 2);
    const mi = digitsAt(data, s + 14, 2);
    const sec = digitsAt(data, s + 17, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
    return day * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + sec * 1000;
  }
}

/**
 * Strings of short ASCII cells by their bytes, one slot per hash: a code met again is the string
 * made the first time (equal text, so nothing read changes), a new one replaces the slot's.
 */
class TextCache {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;

  constructor(bits: number) {
    this.slots = new Array<string | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
  }

  text(data: Latin1Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > 32) return data.latin1Slice(start, end);
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.mask;
    const known = this.slots[slot];
    if (known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === data[start + i]) i++;
      if (i === length) return known;
    }
    const made = data.latin1Slice(start, end);
    this.slots[slot] = made;
    return made;
  }
}

/** Multipliers from a decimal's places to six (SCALE). */
const SCALES = [1_000_000, 100_000, 10_000, 1000, 100, 10, 1];

function digitsAt(data: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = (data[i] as number) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The group key's cheap bound (record-limits.ts groupKeyProblem): longer keys take the general path. */
function groupFits(warehouseId: string, sku: string, documentRef: string): boolean {
  return (warehouseId.length + sku.length + documentRef.length) * 4 + 2 <= GROUP_KEY_MAX_BYTES;
}

/** One range's records of a partition: start, end and relative line per record (record-index.ts). */
export interface IndexedRun {
  records: Uint32Array;
  /** The physical line the range starts at. */
  firstLine: number;
}

/**
 * A partition's CSV records, read where they lie in the file's bytes, in file order: each by the
 * fast path when it can, else by the general path alone (tokenizeCsv and the record parser), as it
 * would have been read among the others. `data` must be a Buffer over the whole file.
 */
export function readIndexedCsv<R extends Movement | Entry>(
  data: Uint8Array,
  runs: readonly IndexedRun[],
  header: readonly string[],
  reader: FastCsvReader,
  options: ReadOptions,
): ReadResult<R> & { rows: number } {
  const records: R[] = [];
  const rejected: Rejection[] = [];
  const bytes = data as Latin1Buffer;
  let rows = 0;
  for (const { records: index, firstLine } of runs) {
    for (let k = 0; k < index.length; k += 3) {
      const start = index[k] as number;
      const end = index[k + 1] as number;
      const line = (index[k + 2] as number) + firstLine;
      rows++;
      const fast = reader.read(data, start, end, line);
      if (fast !== undefined) {
        records.push(fast as R);
        continue;
      }
      // The readers expect a line feed after every record, the file's last one included.
      let text = bytes.latin1Slice(start, end);
      if (data[end - 1] !== LF) text += '\n';
      const general = readCsvRecords<R>(text, header, { ...options, lines: [line], latin1: true });
      for (const r of general.records) records.push(r);
      for (const r of general.rejected) rejected.push(r);
    }
  }
  return { records, rejected, rows };
}
