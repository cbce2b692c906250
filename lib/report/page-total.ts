/**
 * "page N of M" on every page of a PDF that streams out page by page. M is unknown until the last
 * page, and a streamed page is gone when the next one starts, so each page draws "page N" itself
 * and places a shared form XObject for "of M"; the form's content is written once, after the last
 * page, before the document ends. No page is held in memory for it (pdfkit's bufferPages would
 * hold all of them), and nothing is laid out twice.
 *
 * pdfkit has no public API for form XObjects that hold text, so this file is the one place that
 * uses its internals: `ref`, `addContent`, `page.xobjects` and the current font's `encode`.
 */

/** The parts of a pdfkit document this file uses (pdfkit 0.20). */
interface PdfKitInternals {
  page: { xobjects: Record<string, unknown> };
  ref(data: Record<string, unknown>): PdfStream;
  addContent(data: string): unknown;
  font(name: string): unknown;
  fontSize(size: number): unknown;
  widthOfString(text: string): number;
  _font: EmbeddedFont;
}

interface PdfStream {
  write(chunk: string): void;
  end(): void;
}

interface EmbeddedFont {
  id: string;
  ref(): unknown;
  encode(text: string): [string[], unknown];
}

/** One deferred text: drawn on many pages, written once when its text is known. */
interface Deferred {
  name: string;
  form: PdfStream;
  text: (total: number) => string;
}

export interface PageTotalStyle {
  /** Registered pdfkit font name for the deferred text. */
  font: string;
  size: number;
  /** DeviceGray level of the text, 0 black .. 1 white. */
  gray: number;
}

export class PageTotal {
  private readonly parts: Deferred[];
  private readonly doc: PdfKitInternals;
  private finished = false;

  /**
   * `texts` are the deferred pieces ("/ 共 {M} 页", "of {M}"), each its own form so it can sit
   * right after the per-page text it completes.
   */
  constructor(
    doc: unknown,
    private readonly style: PageTotalStyle,
    texts: readonly ((total: number) => string)[],
  ) {
    this.doc = doc as PdfKitInternals;
    // Wide enough for "of 9,999,999" at the size; the form clips to its box.
    const width = style.size * 12;
    this.parts = texts.map((text, i) => ({
      name: `PageTotal${i}`,
      form: this.doc.ref({
        Type: 'XObject',
        Subtype: 'Form',
        BBox: [0, -style.size, width, style.size * 1.5],
        Resources: {},
      }),
      text,
    }));
  }

  /** Places deferred piece `index` on the current page with its baseline at (x, y), top-down. */
  place(index: number, x: number, y: number): void {
    const part = this.parts[index];
    if (part === undefined) throw new Error(`no deferred page text ${index}`);
    this.doc.page.xobjects[part.name] = part.form;
    // pdfkit draws in a top-down space; flip back so the form's text stands upright.
    this.doc.addContent(`q 1 0 0 -1 ${x.toFixed(2)} ${y.toFixed(2)} cm /${part.name} Do Q`);
  }

  /** Writes every form now that the page count is known; call after the last page, before end(). */
  finish(total: number): void {
    if (this.finished) return;
    this.finished = true;
    this.doc.font(this.style.font);
    this.doc.fontSize(this.style.size);
    const font = this.doc._font;
    for (const part of this.parts) {
      // encode() also adds the glyphs to the font subset, which is embedded when the document ends.
      const [hex] = font.encode(part.text(total));
      const form = part.form as PdfStream & { data: Record<string, unknown> };
      form.data.Resources = { Font: { [font.id]: font.ref() } };
      form.write(`BT /${font.id} ${this.style.size} Tf ${this.style.gray} g 0 0 Td <${hex.join('')}> Tj ET`);
      form.end();
    }
  }
}
