import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { fontDirectory } from '../lib/report/fonts.js';

// The browser the dashboard's tests drive. By default the self-contained Chromium inside the
// @sparticuz/chromium npm package, so `npm install && npm test` needs no apt-get; set
// STOCKTALLY_CHROMIUM to a binary (Debian's /usr/bin/chromium, say) to use another.

/** Where the npm Chromium is unpacked: inside node_modules, so the temp dir stays clean and reruns reuse it. */
const CACHE = join(process.cwd(), 'node_modules', '.cache', 'stocktally-chromium');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The unpacked binary. The package unpacks into os.tmpdir() and sets HOME and FONTCONFIG_PATH when
 * imported, so it runs in a child process with TMPDIR pointing at the cache, leaving this process as it was.
 */
function npmChromium(): string {
  const binary = join(CACHE, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "await (await import('@sparticuz/chromium')).default.executablePath()"],
    { env: { ...process.env, TMPDIR: CACHE }, stdio: 'inherit' },
  );
  if (!existsSync(binary)) throw new Error(`@sparticuz/chromium did not unpack a browser into ${CACHE}`);
  return binary;
}

/**
 * Fontconfig for the npm Chromium: its own fonts plus Noto Sans SC from @embedpdf/fonts-sc (the
 * report's font), so screenshots show Chinese glyphs without a system font package.
 */
function fontConfig(): string {
  const file = join(CACHE, 'fonts.conf');
  const cjk = fontDirectory();
  writeFileSync(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${join(CACHE, 'fonts')}</dir>\n  <dir>${cjk}</dir>\n` +
      `  <cachedir>${join(CACHE, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  return file;
}

export async function launchBrowser(chosen = process.env.STOCKTALLY_CHROMIUM): Promise<Browser> {
  if (chosen !== undefined && chosen !== '') {
    if (!existsSync(chosen)) throw new Error(`STOCKTALLY_CHROMIUM names ${chosen}, which does not exist`);
    return chromium.launch({ executablePath: chosen, args: CHROMIUM_ARGS });
  }
  const executablePath = npmChromium();
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS, '--single-process'],
    env: { ...process.env, FONTCONFIG_FILE: fontConfig(), LD_LIBRARY_PATH: CACHE },
  });
}
