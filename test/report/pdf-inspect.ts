import { inflateSync } from 'node:zlib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * What the report tests read out of a PDF, in JavaScript only (no poppler on a CI machine):
 * the text of each page through pdfjs-dist, and the embedded fonts the way `pdffonts` lists them,
 * down to the glyph outlines, so an invisible-glyph font (what WOFF2 gave) fails a test.
 */

export interface PageText {
  /** Every text item of the page, in content order, joined by single spaces. */
  text: string;
}

export async function pdfText(bytes: Uint8Array): Promise<PageText[]> {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const pages: PageText[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const parts: string[] = [];
      for (const item of content.items) if ('str' in item && item.str !== '') parts.push(item.str);
      pages.push({ text: parts.join(' ').replace(/\s+/g, ' ') });
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

/** The objects of a PDF without object streams (pdfkit writes none): id -> dictionary and stream. */
export function pdfObjects(bytes: Buffer): Map<number, PdfObject> {
  const text = bytes.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\n/g;
  let m: RegExpExecArray | null;
  while ((m = header.exec(text)) !== null) {
    const start = m.index + m[0].length;
    const end = text.indexOf('\nendobj', start);
    const body = text.slice(start, end);
    const streamAt = body.indexOf('\nstream\n');
    if (streamAt < 0) {
      objects.set(Number(m[1]), { dict: body });
    } else {
      const dict = body.slice(0, streamAt);
      const from = start + streamAt + '\nstream\n'.length;
      const to = text.lastIndexOf('\nendstream', end);
      let stream = bytes.subarray(from, to);
      if (/\/Filter\s*\/FlateDecode/.test(dict)) stream = inflateSync(stream);
      objects.set(Number(m[1]), { dict, stream });
    }
    header.lastIndex = end;
  }
  return objects;
}

export interface EmbeddedFont {
  baseFont: string;
  /** FontFile2 (TrueType) or FontFile3 (CFF); undefined when the font is not embedded. */
  fileKey: 'FontFile' | 'FontFile2' | 'FontFile3' | undefined;
  program: Buffer | undefined;
  /** glyph id -> the text it stands for, from the ToUnicode map. */
  unicode: Map<number, string>;
}

function ref(dict: string, key: string): number | undefined {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m === null ? undefined : Number(m[1]);
}

function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  // UTF-16BE code units, surrogate pairs included.
  const hexText = (hex: string) =>
    String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const line of (block[1] ?? '').matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]/gi)) {
      const from = parseInt(line[1] ?? '0', 16);
      const values = [...(line[3] ?? '').matchAll(/<([0-9a-f]+)>/gi)].map((v) => v[1] ?? '');
      values.forEach((hex, i) => map.set(from + i, hexText(hex)));
    }
  }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const line of (block[1] ?? '').matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) {
      map.set(parseInt(line[1] ?? '0', 16), hexText(line[2] ?? ''));
    }
  }
  return map;
}

/** Every Type0 font of the PDF with its descendant's embedded program, like `pdffonts`. */
export function embeddedFonts(bytes: Buffer): EmbeddedFont[] {
  const objects = pdfObjects(bytes);
  const fonts: EmbeddedFont[] = [];
  for (const obj of objects.values()) {
    if (!/\/Type\s*\/Font\b/.test(obj.dict) || !/\/Subtype\s*\/Type0/.test(obj.dict)) continue;
    const baseFont = /\/BaseFont\s*\/([^\s/>]+)/.exec(obj.dict)?.[1] ?? '';
    const descendantId = /\/DescendantFonts\s*\[\s*(\d+) 0 R/.exec(obj.dict)?.[1];
    const descendant = descendantId === undefined ? undefined : objects.get(Number(descendantId));
    const descriptorId = descendant === undefined ? undefined : ref(descendant.dict, 'FontDescriptor');
    const descriptor = descriptorId === undefined ? undefined : objects.get(descriptorId);
    let fileKey: EmbeddedFont['fileKey'];
    let program: Buffer | undefined;
    for (const key of ['FontFile', 'FontFile2', 'FontFile3'] as const) {
      const id = descriptor === undefined ? undefined : ref(descriptor.dict, key);
      if (id !== undefined) {
        fileKey = key;
        program = objects.get(id)?.stream;
      }
    }
    const toUnicodeId = ref(obj.dict, 'ToUnicode');
    const cmap = toUnicodeId === undefined ? undefined : objects.get(toUnicodeId)?.stream;
    fonts.push({
      baseFont,
      fileKey,
      program,
      unicode: cmap === undefined ? new Map() : parseToUnicode(cmap.toString('latin1')),
    });
  }
  return fonts;
}

/** Reads a CFF INDEX at `at`: its entries' [start, end) offsets and where the INDEX ends. */
function cffIndex(data: Buffer, at: number): { entries: [number, number][]; end: number } {
  const count = data.readUInt16BE(at);
  if (count === 0) return { entries: [], end: at + 2 };
  const offSize = data[at + 2] ?? 1;
  const offsets: number[] = [];
  for (let i = 0; i <= count; i++) offsets.push(data.readUIntBE(at + 3 + i * offSize, offSize));
  const base = at + 3 + (count + 1) * offSize - 1;
  const entries: [number, number][] = [];
  for (let i = 0; i < count; i++) entries.push([base + (offsets[i] ?? 0), base + (offsets[i + 1] ?? 0)]);
  return { entries, end: base + (offsets[count] ?? 0) };
}

/** The operand of `operator` in a CFF DICT (integers only, which is all CharStrings needs). */
function cffDictOperand(dict: Buffer, operator: number): number | undefined {
  const operands: number[] = [];
  let i = 0;
  while (i < dict.length) {
    const b = dict[i] ?? 0;
    if (b <= 21) {
      const op = b === 12 ? 1200 + (dict[i + 1] ?? 0) : b;
      if (op === operator) return operands[operands.length - 1];
      operands.length = 0;
      i += b === 12 ? 2 : 1;
    } else if (b === 28) {
      operands.push(dict.readInt16BE(i + 1));
      i += 3;
    } else if (b === 29) {
      operands.push(dict.readInt32BE(i + 1));
      i += 5;
    } else if (b === 30) {
      // A real number: skip its nibbles up to the 0xf terminator.
      i++;
      while (i < dict.length && ((dict[i] ?? 0) & 0x0f) !== 0x0f && ((dict[i] ?? 0) & 0xf0) !== 0xf0) i++;
      i++;
      operands.push(0);
    } else if (b >= 32 && b <= 246) {
      operands.push(b - 139);
      i++;
    } else if (b >= 247 && b <= 250) {
      operands.push((b - 247) * 256 + (dict[i + 1] ?? 0) + 108);
      i += 2;
    } else if (b >= 251 && b <= 254) {
      operands.push(-(b - 251) * 256 - (dict[i + 1] ?? 0) - 108);
      i += 2;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Byte length of each glyph's outline program, by glyph id (CFF CharStrings or TrueType glyf). */
export function glyphOutlineSizes(program: Buffer): number[] {
  if (program[0] === 1 && program[1] === 0) {
    const headerSize = program[2] ?? 4;
    const names = cffIndex(program, headerSize);
    const topDicts = cffIndex(program, names.end);
    const [from, to] = topDicts.entries[0] ?? [0, 0];
    const charStringsAt = cffDictOperand(program.subarray(from, to), 17);
    if (charStringsAt === undefined) return [];
    return cffIndex(program, charStringsAt).entries.map(([a, b]) => b - a);
  }
  // TrueType: the table directory, then loca offsets into glyf.
  const tables = new Map<string, { offset: number; length: number }>();
  const numTables = program.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + i * 16;
    tables.set(program.toString('latin1', at, at + 4), {
      offset: program.readUInt32BE(at + 8),
      length: program.readUInt32BE(at + 12),
    });
  }
  const head = tables.get('head');
  const loca = tables.get('loca');
  if (head === undefined || loca === undefined) return [];
  const long = program.readInt16BE(head.offset + 50) === 1;
  const offsets: number[] = [];
  for (let at = loca.offset; at < loca.offset + loca.length; at += long ? 4 : 2) {
    offsets.push(long ? program.readUInt32BE(at) : program.readUInt16BE(at) * 2);
  }
  return offsets.slice(1).map((end, i) => end - (offsets[i] ?? 0));
}
