import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (the folder holding cdk.json), found from this module's location so that it is
 * the same whether the stack runs from source under vitest or bundled by `cdk synth`.
 */
export function findProjectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'cdk.json')) && existsSync(join(dir, 'package-lock.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no cdk.json with a package-lock.json above ${from}`);
    dir = parent;
  }
}
