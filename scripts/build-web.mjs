// Builds the dashboard (web/) with Vite into dist/web/, skipped when nothing it is made from changed
// since the last build: the global test setup runs the build before every test run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const SOURCES = [
  'web',
  'lib/core',
  'lib/declarations',
  'lib/api',
  'lib/adapters/runs/run-store.ts',
  'package-lock.json',
];
const STAMP = 'dist/web/index.html';

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

export async function buildWebIfStale({ force = false } = {}) {
  if (!force && existsSync(STAMP) && newest(STAMP) >= Math.max(...SOURCES.map(newest))) return false;
  const { build } = await import('vite');
  // Vite picks packages' development or production builds by NODE_ENV: under vitest (the global
  // setup builds before the tests) it is `test`, which shipped Lit's development build, warnings
  // and all. The app is always built for production.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'web/vite.config.ts', mode: 'production' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
  return true;
}
