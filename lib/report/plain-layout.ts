/**
 * Glyph layout without OpenType shaping for the report's fonts. pdfkit lays every distinct word
 * out with fontkit's shaper (GSUB/GPOS lookups), about 50 µs a word with Noto Sans CJK; a large
 * report's ids and amounts are nearly all distinct words, and shaping was most of the render time
 * (measured: bench/report.ts). Text in the report is Chinese, Latin and digits, which need no
 * shaping (no required ligatures or contextual forms; only optional kerning is lost), so a
 * character-to-glyph lookup with the glyphs' own advances, about 5-10 µs a word, is enough.
 *
 * The one pdfkit internal replaced: EmbeddedFont#layoutRun(text, features), which returns a run
 * of glyphs and positions in 1000-unit space (pdfkit 0.20). Glyphs come from fontkit's
 * glyphsForString, so the subset and the ToUnicode map (text extraction) work as before.
 */

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}

interface EmbeddedFont {
  scale: number;
  font: { glyphsForString(text: string): FontkitGlyph[] };
  layoutRun(text: string, features?: unknown): unknown;
}

function plainRun(
  this: EmbeddedFont,
  text: string,
): { glyphs: FontkitGlyph[]; positions: Position[]; advanceWidth: number } {
  const glyphs = this.font.glyphsForString(text);
  const positions: Position[] = new Array<Position>(glyphs.length);
  let advanceWidth = 0;
  for (let i = 0; i < glyphs.length; i++) {
    const advance = (glyphs[i]?.advanceWidth ?? 0) * this.scale;
    positions[i] = { xAdvance: advance, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: advance };
    advanceWidth += advance;
  }
  return { glyphs, positions, advanceWidth };
}

/** Switches the document's current font to plain layout (call right after selecting the font). */
export function usePlainLayout(doc: unknown): void {
  const font = (doc as { _font?: Partial<EmbeddedFont> })._font;
  if (
    font?.font !== undefined &&
    typeof font.font.glyphsForString === 'function' &&
    typeof font.scale === 'number'
  ) {
    font.layoutRun = plainRun;
  }
}
