// Bundles the CLI, its worker and the bench into dist/ with esbuild: one file each, fast start,
// no TypeScript loader needed at run time. `npm install` runs this through `prepare`.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { synthAslIfStale } from './synth-asl.mjs';
import { buildWebIfStale } from './build-web.mjs';

const entries = {
  stocktally: 'bin/stocktally.ts',
  'reconcile-worker': 'lib/cli/reconcile-worker.ts',
};
if (existsSync('bench/run.ts')) entries.bench = 'bench/run.ts';
if (existsSync('bench/periods.ts')) entries['bench-periods'] = 'bench/periods.ts';

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
  target: 'node22',
  sourcemap: true,
  outExtension: { '.js': '.js' },
  banner: {
    // Bundled CommonJS dependencies may call require(); give ESM output one.
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  // dynalite loads a native LevelDB binding from its own folder and s3rver reads its own files:
  // both stay in node_modules (runtime dependencies), as does aws-local-stepfunctions (with the
  // Lambda SDK client it imports, which the local runner never calls). The CDK is build-time only:
  // the CLI runs the state machine from dist/run-state-machine.asl.json and must never load it.
  external: ['dynalite', 's3rver', 'aws-local-stepfunctions', 'aws-cdk-lib', 'constructs', 'cdk-nag'],
  logLevel: 'warning',
});

// The dashboard (web/), built by Vite into dist/web/ (skipped when nothing it is made from changed). First: the
// stack deploys it, so synthesizing the ASL below needs it.
await buildWebIfStale({ force: process.argv.includes('--web') });

// The run state machine's ASL, synthesized from the CDK stack (skipped when nothing it depends on changed).
await synthAslIfStale();
