import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * A streaming XLSX writer that does only what the report needs: sheets of typed cells (inline
 * text, numbers given as exact decimal text, dates, one formula), a frozen header row, column
 * widths, an auto filter, and a handful of cell styles. Rows are turned into XML as they come and
 * deflated in chunks into a zip written straight to the destination (local headers with data
 * descriptors, then the central directory), so memory stays flat whatever the row count.
 *
 * Why not exceljs's WorkbookWriter: it builds an object per cell and per style lookup, which made
 * a 100,000-row detail sheet cost about 17 CPU-seconds; this costs about a tenth of that (bench/report.ts).
 * Files are read back with exceljs in the tests.
 */

export type CellStyle =
  | 'text'
  | 'header'
  | 'bold'
  | 'money'
  | 'quantity'
  | 'unitCost'
  | 'when'
  | 'int'
  | 'percent'
  | 'hours'
  | 'plain';

/** A cell: text, a number as exact decimal text, a date, a formula with its cached result, or empty. */
export type Cell =
  | { t: 's'; v: string; s?: CellStyle }
  | { t: 'n'; v: string; s?: CellStyle }
  | { t: 'd'; v: Date; s?: CellStyle }
  | { t: 'f'; f: string; v: string; s?: CellStyle }
  | null;

// eslint-disable-next-line no-control-regex -- characters XML 1.0 cannot carry are dropped
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

// eslint-disable-next-line no-control-regex -- the same characters, and the ones escaped
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export function escapeXml(text: string): string {
  // Most cells need nothing: one test instead of five replaces.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const NUM_FMTS: readonly [number, string][] = [
  [164, '0.00'],
  [165, '0.######'],
  [166, '0.00####'],
  [167, 'yyyy-mm-dd hh:mm:ss'],
  [168, '0 "h"'],
];

/** Style -> [numFmtId, fontId, fillId]; the index in this list is the cellXfs index. */
const STYLES: readonly [CellStyle, number, number, number][] = [
  ['plain', 0, 0, 0],
  ['text', 49, 0, 0],
  ['header', 0, 1, 2],
  ['bold', 0, 1, 0],
  ['money', 164, 0, 0],
  ['quantity', 165, 0, 0],
  ['unitCost', 166, 0, 0],
  ['when', 167, 0, 0],
  ['int', 1, 0, 0],
  ['percent', 10, 0, 0],
  ['hours', 168, 0, 0],
];
const STYLE_INDEX = new Map(STYLES.map(([name], i) => [name, i]));

const STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  `<numFmts count="${NUM_FMTS.length}">${NUM_FMTS.map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`).join('')}</numFmts>` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFEEF1F4"/><bgColor indexed="64"/></patternFill></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  `<cellXfs count="${STYLES.length}">${STYLES.map(
    ([, fmt, font, fill]) =>
      `<xf numFmtId="${fmt}" fontId="${font}" fillId="${fill}" borderId="0" xfId="0"${fmt === 0 ? '' : ' applyNumberFormat="1"'}${font === 0 ? '' : ' applyFont="1"'}${fill === 0 ? '' : ' applyFill="1"'}/>`,
  ).join('')}</cellXfs>` +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

/** `A`, `B`, ... `Z`, `AA`: the letters of a 1-based column. */
export function columnLetter(n: number): string {
  let out = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) out = String.fromCharCode(65 + ((c - 1) % 26)) + out;
  return out;
}

/** Where a row template holds its row's number, and its number among the rows under the header. */
export const ROW_MARK = '\u0000';
export const RANK_MARK = '\u0001';

const LETTERS = Array.from({ length: 64 }, (_, i) => columnLetter(i + 1));

/**
 * A row's XML with its row number left as ROW_MARK (and a cell may hold RANK_MARK): made once per
 * discrepancy in the report's first pass, numbered when written in the report's order.
 */
export function rowTemplate(cells: readonly Cell[], rowStyle?: CellStyle): string {
  let xml = `<row r="${ROW_MARK}">`;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    const ref = `${LETTERS[i] ?? columnLetter(i + 1)}${ROW_MARK}`;
    const style = STYLE_INDEX.get(cell?.s ?? rowStyle ?? 'plain') ?? 0;
    const s = style === 0 ? '' : ` s="${style}"`;
    if (cell === null || cell === undefined) {
      if (style !== 0) xml += `<c r="${ref}"${s}/>`;
      continue;
    }
    switch (cell.t) {
      case 's':
        // xml:space only where the blanks at either end must survive.
        xml += `<c r="${ref}"${s} t="inlineStr"><is>${/^\s|\s$/.test(cell.v) ? '<t xml:space="preserve">' : '<t>'}${escapeXml(cell.v)}</t></is></c>`;
        break;
      case 'n':
        xml += `<c r="${ref}"${s}><v>${cell.v}</v></c>`;
        break;
      case 'd':
        xml += `<c r="${ref}"${s}><v>${serial(cell.v)}</v></c>`;
        break;
      case 'f':
        xml += `<c r="${ref}"${s}><f>${escapeXml(cell.f)}</f><v>${cell.v}</v></c>`;
        break;
    }
  }
  return xml + '</row>';
}

/** Excel's serial day of an instant (1900 date system, UTC). */
function serial(date: Date): string {
  return String(date.getTime() / 86_400_000 + 25569);
}

interface ZipEntry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** A zip written front to back: each entry's header, its deflated data, then its data descriptor. */
class ZipStream {
  private offset = 0;
  private readonly entries: ZipEntry[] = [];
  private readonly time: number;
  private readonly date: number;

  constructor(
    private readonly out: Writable,
    modified: Date,
  ) {
    this.time =
      (modified.getUTCHours() << 11) | (modified.getUTCMinutes() << 5) | (modified.getUTCSeconds() >> 1);
    this.date =
      ((Math.max(modified.getUTCFullYear(), 1980) - 1980) << 9) |
      ((modified.getUTCMonth() + 1) << 5) |
      modified.getUTCDate();
  }

  private async write(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }

  /** Starts an entry; write its text with `add`, then `finish` it. */
  async entry(name: string): Promise<ZipEntryWriter> {
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0808, 6); // data descriptor follows; names in UTF-8
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(this.time, 10);
    header.writeUInt16LE(this.date, 12);
    header.writeUInt16LE(nameBytes.length, 26);
    const entry: ZipEntry = { name: nameBytes, crc: 0, compressed: 0, size: 0, offset: this.offset };
    await this.write(Buffer.concat([header, nameBytes]));
    return new ZipEntryWriter(
      entry,
      (bytes) => this.write(bytes),
      (e) => this.close(e),
    );
  }

  private async close(entry: ZipEntry): Promise<void> {
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    await this.write(descriptor);
    this.entries.push(entry);
  }

  async end(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(0x0808, 8);
      header.writeUInt16LE(8, 10);
      header.writeUInt16LE(this.time, 12);
      header.writeUInt16LE(this.date, 14);
      header.writeUInt32LE(e.crc >>> 0, 16);
      header.writeUInt32LE(e.compressed, 20);
      header.writeUInt32LE(e.size, 24);
      header.writeUInt16LE(e.name.length, 28);
      header.writeUInt32LE(e.offset, 42);
      await this.write(Buffer.concat([header, e.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    this.out.end();
    await once(this.out, 'finish');
  }
}

/**
 * An entry's text, deflated as it comes by zlib's stream, whose work runs on libuv's thread pool:
 * the XML of the next rows is made while the last ones are compressed. Level 1: the sheets are
 * repetitive XML, where speed matters more than the last few percent of size.
 */
class ZipEntryWriter {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly deflate = createDeflateRaw({ level: 1 });
  private written: Promise<void> = Promise.resolve();
  private failed: unknown;

  constructor(
    private readonly entry: ZipEntry,
    write: (bytes: Buffer) => Promise<void>,
    private readonly close: (entry: ZipEntry) => Promise<void>,
  ) {
    this.deflate.on('error', (error: Error) => {
      this.failed ??= error;
    });
    this.deflate.on('data', (chunk: Buffer) => {
      this.entry.compressed += chunk.length;
      // In order, one after another; the deflate stream pauses while the destination is behind.
      this.deflate.pause();
      this.written = this.written
        .then(() => write(chunk))
        .then(
          () => void this.deflate.resume(),
          (error: unknown) => {
            this.failed = error;
            this.deflate.destroy(error instanceof Error ? error : new Error(String(error)));
          },
        );
    });
  }

  async add(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 256 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    if (this.pendingLength === 0) return;
    const raw = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.entry.crc = crc32(raw, this.entry.crc);
    this.entry.size += raw.length;
    if (!this.deflate.write(raw)) await once(this.deflate, 'drain');
  }

  async finish(): Promise<void> {
    await this.flush();
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    await ended;
    await this.written;
    if (this.failed !== undefined) throw this.failed;
    await this.close(this.entry);
  }
}

export interface SheetOptions {
  /** Column widths in characters. */
  widths: readonly number[];
  /** Freeze the first row. */
  frozenHeader?: boolean;
  /** Put an auto filter over the header and every row written. */
  autoFilter?: boolean;
}

export class SheetWriter {
  private rows = 0;
  private columns = 0;

  constructor(
    private readonly entry: ZipEntryWriter,
    private readonly options: SheetOptions,
  ) {}

  static async open(entry: ZipEntryWriter, options: SheetOptions): Promise<SheetWriter> {
    const sheet = new SheetWriter(entry, options);
    const pane =
      options.frozenHeader === true
        ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        : '';
    const cols = options.widths
      .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`)
      .join('');
    await entry.add(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        `<sheetViews><sheetView workbookViewId="0">${pane}</sheetView></sheetViews>` +
        '<sheetFormatPr defaultRowHeight="15"/>' +
        (cols === '' ? '' : `<cols>${cols}</cols>`) +
        '<sheetData>',
    );
    return sheet;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends a row; `rowStyle` applies to cells that name no style of their own. */
  async row(cells: readonly Cell[], rowStyle?: CellStyle): Promise<void> {
    await this.rawRow(rowTemplate(cells, rowStyle), cells.length);
  }

  /** Appends a row made by rowTemplate, its marks replaced by this row's number. */
  async rawRow(template: string, columns: number): Promise<void> {
    const r = ++this.rows;
    this.columns = Math.max(this.columns, columns);
    await this.entry.add(template.replaceAll(ROW_MARK, String(r)).replaceAll(RANK_MARK, String(r - 1)));
  }

  async finish(): Promise<void> {
    const filter =
      this.options.autoFilter === true && this.columns > 0
        ? `<autoFilter ref="A1:${columnLetter(this.columns)}${Math.max(this.rows, 1)}"/>`
        : '';
    await this.entry.add(`</sheetData>${filter}</worksheet>`);
    await this.entry.finish();
  }

  /** The auto filter's range, for the workbook's defined name. */
  filterRef(): string | undefined {
    return this.options.autoFilter === true && this.columns > 0
      ? `$A$1:$${columnLetter(this.columns)}$${Math.max(this.rows, 1)}`
      : undefined;
  }
}

/** The workbook: sheets one after the other (each finished before the next opens), then the parts. */
export class WorkbookStream {
  private readonly zip: ZipStream;
  private readonly sheets: { name: string; filter: string | undefined }[] = [];

  constructor(
    out: Writable,
    private readonly info: { title: string; creator: string; created: Date },
  ) {
    this.zip = new ZipStream(out, info.created);
  }

  async sheet(name: string, options: SheetOptions): Promise<SheetWriter> {
    const entry = await this.zip.entry(`xl/worksheets/sheet${this.sheets.length + 1}.xml`);
    const writer = await SheetWriter.open(entry, options);
    const finish = writer.finish.bind(writer);
    const record = { name, filter: undefined as string | undefined };
    this.sheets.push(record);
    writer.finish = async () => {
      await finish();
      record.filter = writer.filterRef();
    };
    return writer;
  }

  private async part(name: string, xml: string): Promise<void> {
    const entry = await this.zip.entry(name);
    await entry.add(xml);
    await entry.finish();
  }

  async end(): Promise<void> {
    const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    const n = this.sheets.length;
    await this.part(
      '[Content_Types].xml',
      head +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        this.sheets
          .map(
            (_s, i) =>
              `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        '</Types>',
    );
    await this.part(
      '_rels/.rels',
      head +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        '</Relationships>',
    );
    const created = this.info.created.toISOString().replace(/\.\d+Z$/, 'Z');
    await this.part(
      'docProps/core.xml',
      head +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<dc:title>${escapeXml(this.info.title)}</dc:title><dc:creator>${escapeXml(this.info.creator)}</dc:creator>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created>` +
        '</cp:coreProperties>',
    );
    const quoted = (name: string): string => `'${name.replace(/'/g, "''")}'`;
    const defined = this.sheets
      .map((s, i) =>
        s.filter === undefined
          ? ''
          : `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${escapeXml(`${quoted(s.name)}!${s.filter}`)}</definedName>`,
      )
      .join('');
    await this.part(
      'xl/workbook.xml',
      head +
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<bookViews><workbookView/></bookViews><sheets>' +
        this.sheets
          .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
          .join('') +
        '</sheets>' +
        (defined === '' ? '' : `<definedNames>${defined}</definedNames>`) +
        '<calcPr calcId="171027" fullCalcOnLoad="1"/></workbook>',
    );
    await this.part(
      'xl/_rels/workbook.xml.rels',
      head +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        this.sheets
          .map(
            (_s, i) =>
              `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rId${n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
        '</Relationships>',
    );
    await this.part('xl/styles.xml', STYLES_XML);
    await this.zip.end();
  }
}
