// Builds the dashboard (web/) with Vite into dist/web/, skipped when nothing it is made from changed
// since the last build: the global test setup runs the build before every test run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = [
  'web',
  'lib/core',
  'lib/run-declarations.ts',
  'lib/adapters/run-store.ts',
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
  await build({ configFile: 'web/vite.config.ts' });
  return true;
}
