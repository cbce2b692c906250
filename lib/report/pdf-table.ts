import type { Bilingual } from '../core/report/report-model.js';
import { CONTENT, INK, type ReportCanvas } from './pdf-canvas.js';

/**
 * A table that flows over as many pages as it needs, its header row (Chinese over English) drawn
 * again at the top of every page it continues on. A cell is one line, a few stacked lines, or one
 * wrapped paragraph; a row is as tall as its tallest cell, and never split across pages.
 */
export interface Column<R> {
  title: Bilingual;
  /** Relative width; the columns are scaled to the content width. */
  width: number;
  align?: 'left' | 'right' | 'center';
  /** Lines stacked in the cell, each on one line (shrunk or cut to fit). */
  lines?: (row: R) => readonly string[];
  /** Wrap a stacked line that would not fit even shrunk, rather than cut it (ids must stay whole). */
  wrapLines?: boolean;
  /** A paragraph wrapped to the cell width, at most `maxLines` tall. */
  paragraph?: (row: R) => string;
  /** This column's own limit (Infinity: never cut; ids and voucher numbers stay whole). */
  maxLines?: number;
  bold?: boolean;
  color?: (row: R) => string | undefined;
  /** The colour of a dot drawn before the text (severity). */
  dot?: (row: R) => string | undefined;
}

export interface TableStyle {
  size: number;
  /** Paragraph cells are cut (with an ellipsis) beyond this many lines. */
  maxLines?: number;
  zebra?: boolean;
  /** Left edge and width, when the table does not span the page. */
  left?: number;
  width?: number;
}

const PAD_X = 3;
const PAD_Y = 2.6;
const LINE_GAP = 1;

export class PdfTable<R> {
  private readonly widths: number[];
  private readonly left: number;
  private readonly right: number;
  private readonly lineHeight: number;
  private readonly maxLines: number;
  private count = 0;
  private wrapped: (string[] | undefined)[] = [];

  constructor(
    private readonly canvas: ReportCanvas,
    private readonly columns: readonly Column<R>[],
    private readonly style: TableStyle,
  ) {
    const sum = columns.reduce((acc, c) => acc + c.width, 0);
    const width = style.width ?? CONTENT.width;
    this.left = style.left ?? CONTENT.left;
    this.right = this.left + width;
    this.widths = columns.map((c) => (c.width / sum) * width);
    canvas.font(false, style.size);
    this.lineHeight = canvas.doc.currentLineHeight(false) + LINE_GAP;
    this.maxLines = style.maxLines ?? 8;
  }

  /** Draws the header (on a new page if the header and a row would not fit) and keeps it for new pages. */
  begin(): void {
    this.canvas.ensure(this.headerHeight() + this.lineHeight * 3);
    this.canvas.setContinuation(() => this.drawHeader());
    this.drawHeader();
  }

  row(r: R): void {
    const height = this.measure(r);
    this.canvas.ensure(height);
    this.draw(r, height);
  }

  /** A closing row in bold above a rule: the totals of what the table listed. */
  totals(cells: readonly (string | undefined)[]): void {
    const c = this.canvas;
    const height = this.lineHeight + PAD_Y * 2 + 2;
    c.ensure(height);
    const y = c.y;
    c.doc.rect(this.left, y, this.right - this.left, height).fill(INK.band);
    c.doc.moveTo(this.left, y).lineTo(this.right, y).lineWidth(0.8).strokeColor(INK.muted).stroke();
    let x = this.left;
    c.font(true, this.style.size);
    this.columns.forEach((col, i) => {
      const w = this.widths[i] ?? 0;
      const text = cells[i];
      if (text !== undefined && text !== '') c.line(text, x + PAD_X, y + PAD_Y + 1, w - PAD_X * 2, col.align);
      x += w;
    });
    c.y = y + height;
  }

  end(): void {
    this.canvas.setContinuation(undefined);
    this.canvas.y += 8;
  }

  private headerHeight(): number {
    return this.style.size * 2.5 + PAD_Y * 2;
  }

  private drawHeader(): void {
    const c = this.canvas;
    const y = c.y;
    const height = this.headerHeight();
    c.doc.rect(this.left, y, this.right - this.left, height).fill(INK.band);
    let x = this.left;
    this.columns.forEach((col, i) => {
      const w = this.widths[i] ?? 0;
      c.font(true, this.style.size).line(col.title.zh, x + PAD_X, y + PAD_Y, w - PAD_X * 2, col.align);
      c.font(false, this.style.size - 1, INK.muted).line(
        col.title.en,
        x + PAD_X,
        y + PAD_Y + this.style.size * 1.3,
        w - PAD_X * 2,
        col.align,
      );
      x += w;
    });
    c.doc
      .moveTo(this.left, y + height)
      .lineTo(this.right, y + height)
      .lineWidth(0.8)
      .strokeColor(INK.muted)
      .stroke();
    c.y = y + height;
    this.count = 0;
  }

  /** The row's height; the wrapped paragraphs are kept for draw(), which follows at once. */
  private measure(r: R): number {
    let lines = 1;
    this.wrapped = this.columns.map((col, i) => {
      const width = (this.widths[i] ?? 0) - PAD_X * 2;
      if (col.lines !== undefined) {
        const stacked = col.lines(r);
        if (col.wrapLines !== true) {
          lines = Math.max(lines, stacked.length);
          return undefined;
        }
        this.canvas.font(col.bold === true, this.style.size);
        const wrapped = stacked.flatMap((text) =>
          // Up to a fifth too wide is shrunk onto one line by line(); beyond that, wrap.
          text.length * this.style.size <= width || this.canvas.doc.widthOfString(text) <= width * 1.2
            ? [text]
            : this.canvas.wrap(text, width, col.maxLines ?? this.maxLines),
        );
        lines = Math.max(lines, wrapped.length);
        return wrapped.length === stacked.length ? undefined : wrapped;
      }
      if (col.paragraph === undefined) return undefined;
      this.canvas.font(col.bold === true, this.style.size);
      const wrapped = this.canvas.wrap(col.paragraph(r), width, col.maxLines ?? this.maxLines);
      lines = Math.max(lines, wrapped.length);
      return wrapped;
    });
    return lines * this.lineHeight + PAD_Y * 2;
  }

  private draw(r: R, height: number): void {
    const c = this.canvas;
    const y = c.y;
    if (this.style.zebra === true && this.count % 2 === 1) {
      c.doc.rect(this.left, y, this.right - this.left, height).fill(INK.zebra);
    }
    let x = this.left;
    this.columns.forEach((col, i) => {
      const w = this.widths[i] ?? 0;
      const color = col.color?.(r) ?? INK.text;
      let textX = x + PAD_X;
      let textW = w - PAD_X * 2;
      const dot = col.dot?.(r);
      if (dot !== undefined) {
        const radius = this.style.size * 0.36;
        c.doc.circle(textX + radius, y + PAD_Y + this.lineHeight / 2, radius).fill(dot);
        textX += radius * 2 + 2.5;
        textW -= radius * 2 + 2.5;
      }
      c.font(col.bold === true, this.style.size, color);
      const wrapped = this.wrapped[i];
      if (col.lines !== undefined) {
        (wrapped ?? col.lines(r)).forEach((text, n) =>
          c.line(text, textX, y + PAD_Y + n * this.lineHeight, textW, col.align),
        );
      } else if (wrapped !== undefined) {
        c.lines(wrapped, textX, y + PAD_Y, this.lineHeight);
      }
      x += w;
    });
    c.doc
      .moveTo(this.left, y + height)
      .lineTo(this.right, y + height)
      .lineWidth(0.3)
      .strokeColor(INK.rule)
      .stroke();
    c.y = y + height;
    this.count++;
  }
}
