import PDFDocument from 'pdfkit';
import type { Bilingual } from '../core/report/report-model.js';
import type { ReportFonts } from './fonts.js';
import { PageTotal } from './page-total.js';
import { usePlainLayout } from './plain-layout.js';

/**
 * The pages of the PDF report: A4 landscape, a running header and a "page N of M" footer on every
 * page, the two font weights, and the layout cursor. Sections and tables draw through it; it adds
 * pages, and whatever should repeat at the top of a new page (a table's header row) registers
 * itself as the page's continuation.
 */

export const PAGE = { width: 841.89, height: 595.28 } as const;
export const MARGIN = { left: 32, right: 32, top: 50, bottom: 40 } as const;
export const CONTENT = {
  left: MARGIN.left,
  right: PAGE.width - MARGIN.right,
  width: PAGE.width - MARGIN.left - MARGIN.right,
  top: MARGIN.top,
  bottom: PAGE.height - MARGIN.bottom,
} as const;

export const INK = {
  text: '#1f2328',
  muted: '#5f6670',
  faint: '#9aa1a9',
  rule: '#c9ced4',
  band: '#eef1f4',
  zebra: '#f7f8fa',
  accent: '#1f4e79',
  RED: '#c62828',
  YELLOW: '#d99a00',
  GREEN: '#2e7d32',
} as const;

export interface CanvasHeader {
  title: Bilingual;
  /** Right-hand side of the running header: company, period, run. */
  context: string;
  /** Left of the footer. */
  generated: string;
}

/** Bytes pdfkit may hold for a slow destination before the renderer waits for it. */
const BACKLOG = 4 * 1024 * 1024;

/**
 * pdfkit caches the glyph layout of every distinct word it has drawn, for the document's life: a
 * large report's ids and amounts would fill memory with words never seen again. Starting the
 * cache afresh every few pages keeps the common words cached and memory flat.
 */
const LAYOUT_CACHE_PAGES = 20;

function forgetLayouts(doc: PDFKit.PDFDocument): void {
  const families = (doc as unknown as { _fontFamilies: Record<string, { layoutCache?: object }> })
    ._fontFamilies;
  for (const font of Object.values(families)) {
    if (font.layoutCache !== undefined) font.layoutCache = Object.create(null) as object;
  }
}

function currentFontName(doc: PDFKit.PDFDocument): string {
  return (doc as unknown as { _font: { name: string } })._font.name;
}

export class ReportCanvas {
  readonly doc: PDFKit.PDFDocument;
  /** Top of the free space on the current page. */
  y: number = CONTENT.top;
  private pages = 0;
  private size = 10;
  private readonly total: PageTotal;
  private continuation: (() => void) | undefined;
  private readonly regular: string;
  private readonly bold: string;

  constructor(
    fonts: ReportFonts,
    private readonly header: CanvasHeader,
    info: { title: string; author: string; subject: string },
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 0,
      autoFirstPage: false,
      bufferPages: false,
      pdfVersion: '1.7',
      // Our font from the start: pdfkit's default Helvetica is loaded through a require() that a
      // bundle (dist/stocktally.js) cannot resolve.
      font: fonts.regular as unknown as string,
      lang: 'zh-CN',
      displayTitle: true,
      info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: 'Stocktally' },
    });
    // pdfkit caches an opened font under its PostScript name; selecting by that name is a cache
    // hit, where a name given to registerFont would open (parse) the font file again on every use.
    this.regular = currentFontName(this.doc);
    usePlainLayout(this.doc);
    this.doc.font(fonts.bold);
    this.bold = currentFontName(this.doc);
    usePlainLayout(this.doc);
    this.doc.font(this.regular);
    this.total = new PageTotal(this.doc, { font: this.regular, size: 7.5, gray: 0.37 }, [
      (m) => ` / 共 ${m} 页`,
      (m) => ` of ${m}`,
    ]);
  }

  get pageCount(): number {
    return this.pages;
  }

  /** Starts a page with its header and footer; a registered continuation (table header) follows. */
  newPage(): void {
    this.doc.addPage({ size: 'A4', layout: 'landscape', margin: 0 });
    this.pages++;
    if (this.pages % LAYOUT_CACHE_PAGES === 0) forgetLayouts(this.doc);
    this.drawRunningHeader();
    this.drawFooter();
    this.y = CONTENT.top;
    this.continuation?.();
  }

  /** Ensures `height` points of space, on a new page if needed; true when a page was added. */
  ensure(height: number): boolean {
    if (this.pages > 0 && this.y + height <= CONTENT.bottom) return false;
    this.newPage();
    return true;
  }

  /** What to draw at the top of every page that starts while it is set (a table's header). */
  setContinuation(draw: (() => void) | undefined): void {
    this.continuation = draw;
  }

  font(bold: boolean, size: number, color: string = INK.text): this {
    this.size = size;
    this.doc
      .font(bold ? this.bold : this.regular)
      .fontSize(size)
      .fillColor(color);
    return this;
  }

  /** One line at (x, y top), never wrapped; shrunk a little, then cut with an ellipsis, to fit `width`. */
  line(
    text: string,
    x: number,
    y: number,
    width?: number,
    align: 'left' | 'right' | 'center' = 'left',
  ): void {
    const doc = this.doc;
    const w = doc.widthOfString(text);
    if (width === undefined || w <= width) {
      this.place(text, x, y, width, w, align);
      return;
    }
    const size = this.size;
    const fit = (size * width) / w;
    if (fit >= size * 0.8) {
      doc.fontSize(fit);
      this.place(text, x, y, width, width, align);
      doc.fontSize(size);
      return;
    }
    let shown = text;
    let cut = w;
    while (shown.length > 1 && cut > width) {
      shown = shown.slice(0, -1);
      cut = doc.widthOfString(shown + '…');
    }
    this.place(shown + '…', x, y, width, cut, align);
  }

  private place(
    text: string,
    x: number,
    y: number,
    width: number | undefined,
    w: number,
    align: string,
  ): void {
    const left =
      width === undefined || align === 'left' ? x : align === 'right' ? x + width - w : x + (width - w) / 2;
    this.doc.text(text, left, y, { lineBreak: false });
  }

  /**
   * Breaks `text` into lines no wider than `width` at the current font and size: greedy, at
   * spaces, and inside a word only when the word alone is too wide (Chinese has no spaces). One
   * layout per word, where pdfkit's own wrapper lays a paragraph out twice (measure, then draw).
   */
  wrap(text: string, width: number, maxLines = Infinity): string[] {
    const doc = this.doc;
    const lines: string[] = [];
    const space = doc.widthOfString(' ');
    let line = '';
    let lineWidth = 0;
    const push = (): boolean => {
      lines.push(line);
      line = '';
      lineWidth = 0;
      return lines.length >= maxLines;
    };
    for (const word of text.split(' ')) {
      let w = doc.widthOfString(word);
      if (line !== '' && lineWidth + space + w <= width) {
        line += ' ' + word;
        lineWidth += space + w;
        continue;
      }
      if (line !== '' && push()) break;
      let rest = word;
      while (w > width && rest.length > 1) {
        // Cut the word where it stops fitting; measure from the estimated point, then adjust.
        let cut = Math.max(1, Math.floor((rest.length * width) / w));
        while (cut > 1 && doc.widthOfString(rest.slice(0, cut)) > width) cut--;
        while (cut < rest.length && doc.widthOfString(rest.slice(0, cut + 1)) <= width) cut++;
        line = rest.slice(0, cut);
        if (push()) break;
        rest = rest.slice(cut);
        w = doc.widthOfString(rest);
      }
      if (lines.length >= maxLines) break;
      line = rest;
      lineWidth = w;
    }
    if (line !== '' && lines.length < maxLines) lines.push(line);
    if (lines.length === maxLines && lines.join(' ').length < text.trim().length) {
      const last = lines[maxLines - 1] ?? '';
      lines[maxLines - 1] = last.length > 2 ? last.slice(0, -2) + '…' : last + '…';
    }
    return lines;
  }

  /** Lines one under the other from (x, y), each on one line. */
  lines(lines: readonly string[], x: number, y: number, lineHeight: number): void {
    lines.forEach((text, n) => this.doc.text(text, x, y + n * lineHeight, { lineBreak: false }));
  }

  /** A section title: Chinese in bold, English after it, an accent bar on the left. */
  heading(title: Bilingual, note?: string): void {
    this.ensure(60);
    const y = this.y + 4;
    this.doc.rect(CONTENT.left, y, 3.5, 17).fill(INK.accent);
    this.font(true, 13).line(title.zh, CONTENT.left + 9, y);
    const zhWidth = this.doc.widthOfString(title.zh);
    this.font(false, 10, INK.muted).line(title.en, CONTENT.left + 9 + zhWidth + 8, y + 3.5);
    if (note !== undefined) {
      const enWidth = this.doc.widthOfString(title.en);
      this.font(false, 7.5, INK.faint).line(note, CONTENT.left + 9 + zhWidth + 8 + enWidth + 10, y + 6);
    }
    this.y = y + 26;
  }

  /** Lets a slow destination drain: pdfkit pushes without waiting, so the renderer waits here. */
  async drain(): Promise<void> {
    if (this.doc.destroyed) throw new Error('the PDF stream was closed before the report was complete');
    while (this.doc.readableLength > BACKLOG && this.doc.readableFlowing !== false) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Writes the page total into every footer and ends the document. */
  end(): void {
    this.total.finish(this.pages);
    this.doc.end();
  }

  private drawRunningHeader(): void {
    const { doc } = this;
    const y = 20;
    this.font(true, 8.5, INK.accent).line(`《${this.header.title.zh}》`, CONTENT.left, y);
    const zh = doc.widthOfString(`《${this.header.title.zh}》`);
    this.font(false, 7.5, INK.muted).line(this.header.title.en, CONTENT.left + zh + 6, y + 1.2);
    this.font(false, 7, INK.muted).line(
      this.header.context,
      CONTENT.left + 330,
      y + 1.5,
      CONTENT.width - 330,
      'right',
    );
    doc.moveTo(CONTENT.left, 35).lineTo(CONTENT.right, 35).lineWidth(0.6).strokeColor(INK.rule).stroke();
  }

  private drawFooter(): void {
    const { doc } = this;
    const baseline = PAGE.height - 20;
    doc
      .moveTo(CONTENT.left, baseline - 12)
      .lineTo(CONTENT.right, baseline - 12)
      .lineWidth(0.4)
      .strokeColor(INK.rule)
      .stroke();
    this.font(false, 6.5, INK.faint);
    doc.text(this.header.generated, CONTENT.left, baseline, { lineBreak: false, baseline: 'alphabetic' });
    this.font(false, 7.5, '#5e5e5e');
    const n = String(this.pages);
    const zh = `第 ${n} 页`;
    const centre = PAGE.width / 2;
    doc.text(zh, centre - doc.widthOfString(zh), baseline, { lineBreak: false, baseline: 'alphabetic' });
    this.total.place(0, centre, baseline);
    const en = `page ${n}`;
    const split = CONTENT.right - 46;
    doc.text(en, split - doc.widthOfString(en), baseline, { lineBreak: false, baseline: 'alphabetic' });
    this.total.place(1, split, baseline);
  }
}
