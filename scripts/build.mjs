// Bundles the CLI, its worker and the bench into dist/ with esbuild: one file each, fast start,
// no TypeScript loader needed at run time. `npm install` runs this through `prepare`.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  stocktally: 'bin/stocktally.ts',
  'reconcile-worker': 'lib/cli/reconcile-worker.ts',
};
if (existsSync('bench/run.ts')) entries.bench = 'bench/run.ts';

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Shared code and lazily imported commands (start) in chunks of their own: `reconcile` never
  // parses the AWS SDK.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node20',
  sourcemap: true,
  outExtension: { '.js': '.js' },
  banner: {
    // Bundled CommonJS dependencies may call require(); give ESM output one.
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  // dynalite loads a native LevelDB binding from its own folder and s3rver reads its own files:
  // both stay in node_modules (runtime dependencies); everything else is bundled.
  external: ['dynalite', 's3rver'],
  logLevel: 'warning',
});
