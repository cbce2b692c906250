import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Chinese-capable font of the PDF report: Noto Sans CJK SC (OTF, CFF outlines) from the npm
 * package @embedpdf/fonts-sc, chosen by measuring against the other static Noto SC package,
 * @expo-google-fonts/noto-sans-sc (TTF): both cover all CJK Unified Ideographs and Latin, so
 * `WH-上海-02` renders in one font, and pdfkit subsets either (public sample: 167 KB here, 84 KB
 * with the TTF, both far under 1 MB); this one installs 42 MB with its five weights against 96 MB
 * with nine, and its tighter line metrics give a large report about a quarter fewer pages. WOFF2
 * would render invisible glyphs (FIELD-NOTES), so only OTF/TTF files are used.
 */
export interface ReportFonts {
  regular: Buffer;
  bold: Buffer;
  /** Where the fonts came from, for the report's metadata and the benchmark. */
  source: string;
}

export const FONT_PACKAGE = '@embedpdf/fonts-sc';
const REGULAR = 'NotoSansHans-Regular.otf';
const BOLD = 'NotoSansHans-Bold.otf';

let cached: ReportFonts | undefined;

/** The package's font folder, found through Node's resolution from this module (or the bundle). */
export function fontDirectory(): string {
  // From this module (or the bundle that holds it) first, then from the working directory.
  for (const base of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      // The package exports only its index: resolve that, then step up to the package root.
      const entry = createRequire(base).resolve(FONT_PACKAGE);
      return join(dirname(entry), '..', 'fonts');
    } catch {
      // try the next base
    }
  }
  throw new Error(`the report font package ${FONT_PACKAGE} is not installed (npm install ${FONT_PACKAGE})`);
}

/**
 * Reads the two weights once per process (a warm Lambda renders many reports). A directory in
 * STOCKTALLY_FONT_DIR, or the argument, overrides the package: a bundle that ships the two
 * files beside itself needs no node_modules.
 */
export function loadReportFonts(directory?: string): ReportFonts {
  const dir = directory ?? process.env.STOCKTALLY_FONT_DIR;
  if (dir === undefined && cached !== undefined) return cached;
  const from = dir ?? fontDirectory();
  const fonts = {
    regular: readFileSync(join(from, REGULAR)),
    bold: readFileSync(join(from, BOLD)),
    source: dir === undefined ? `${FONT_PACKAGE}/${REGULAR}` : join(from, REGULAR),
  };
  if (dir === undefined) cached = fonts;
  return fonts;
}
