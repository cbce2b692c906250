import { cruise } from 'dependency-cruiser';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: unknown[];
};

/** A tree of one-line modules: path -> the relative paths it imports. */
function tree(files: Record<string, string[]>): string {
  const dir = tempDir('layout-rules-');
  for (const [file, imports] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((target, i) => `import * as m${i} from '${target}';\nvoid m${i};`);
    writeFileSync(path, `${lines.join('\n')}\nexport const here = 1;\n`);
  }
  return dir;
}

async function violations(dir: string, entries: string[]): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const result = await cruise(entries, {
      ruleSet: { forbidden: rules.forbidden } as never,
      tsPreCompilationDeps: true,
      validate: true,
    });
    const output = result.output as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('the layout rules (.dependency-cruiser.cjs, run by npm run lint:deps)', () => {
  it('refuse each forbidden direction', async () => {
    const dir = tree({
      'lib/core/shared/pure.ts': ['../../adapters/aws/env.ts'],
      'lib/adapters/aws/env.ts': [],
      'lib/app/cases/work.ts': ['../../adapters/aws/env.ts', '../../core/shared/pure.ts'],
      'functions/a/one.ts': ['../b/two.ts'],
      'functions/b/two.ts': [],
      'web/src/main.ts': ['../../lib/app/cases/work.ts'],
      'lib/stacks/stack.ts': ['../local/standins/s3.ts'],
      'lib/local/standins/s3.ts': ['../../stacks/stack.ts'],
      'lib/core/unused/orphan.ts': [],
    });
    const found = await violations(dir, ['lib', 'functions', 'web/src']);
    expect(found).toEqual(
      expect.arrayContaining([
        'core-is-pure: lib/core/shared/pure.ts -> lib/adapters/aws/env.ts',
        'app-takes-ports: lib/app/cases/work.ts -> lib/adapters/aws/env.ts',
        'handlers-are-leaves: functions/a/one.ts -> functions/b/two.ts',
        'web-sees-core-and-api: web/src/main.ts -> lib/app/cases/work.ts',
        'stacks-never-local: lib/stacks/stack.ts -> lib/local/standins/s3.ts',
        'no-orphans: lib/core/unused/orphan.ts -> lib/core/unused/orphan.ts',
      ]),
    );
    expect(found.some((v) => v.startsWith('no-circular-features: lib/'))).toBe(true);
  });

  it('let the allowed directions through', async () => {
    const dir = tree({
      'lib/core/shared/pure.ts': [],
      'lib/app/cases/work.ts': ['../../core/shared/pure.ts'],
      'lib/adapters/cases/store.ts': ['../../core/shared/pure.ts'],
      'functions/cases/api.ts': ['../../lib/app/cases/work.ts', '../../lib/adapters/cases/store.ts'],
      'web/src/main.ts': ['../../lib/core/shared/pure.ts'],
    });
    expect(await violations(dir, ['lib', 'functions', 'web/src'])).toEqual([]);
  });
});
