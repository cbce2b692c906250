import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The demo data set shipped in demo/ (made once by make-demo-set.ts): where it is, whether this
 * file runs from lib/local/ (tests) or from the bundle in dist/, and what its ingest should count.
 */
export const DEMO_FILES = { wms: 'wms.ndjson', finance: 'finance.csv', uom: 'uom.csv' } as const;

export interface DemoCounts {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
}

export interface DemoManifest {
  about: string;
  generator: { documents: number; seed: number; malformedEvery: number; asOf: string };
  files: typeof DEMO_FILES;
  /** What a first ingest into an empty store must count, per source. */
  expected: { wms: DemoCounts; finance: DemoCounts };
}

export interface DemoSet {
  dir: string;
  manifest: DemoManifest;
  path(file: keyof typeof DEMO_FILES): string;
}

/** demo/ beside the package: two levels above lib/local/, one above dist/. */
export function findDemoSet(from = dirname(fileURLToPath(import.meta.url))): DemoSet {
  let dir = from;
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, 'demo');
    if (existsSync(join(candidate, 'manifest.json'))) {
      const manifest = JSON.parse(readFileSync(join(candidate, 'manifest.json'), 'utf8')) as DemoManifest;
      return { dir: candidate, manifest, path: (file) => join(candidate, manifest.files[file]) };
    }
    dir = dirname(dir);
  }
  throw new Error(`the demo data set (demo/manifest.json) is not found above ${from}`);
}
