// Extracts the run state machine's ASL from the CDK stack into dist/run-state-machine.asl.json, the
// definition `stocktally start` executes locally (lib/local/state-machine.ts). The stack is bundled
// with its packages left external (aws-cdk-lib is a build-time dependency only, never in dist/),
// synthesized without Lambda bundling, and the definition resolved to the stand-ins' names.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

export const RUN_ASL_OUT = 'dist/run-state-machine.asl.json';

export async function synthAsl(projectRoot = process.cwd()) {
  const root = resolve(projectRoot);
  // Inside the project, so the bundle's bare imports resolve against its node_modules.
  const work = mkdtempSync(join(root, 'node_modules', '.synth-asl-'));
  try {
    const outfile = join(work, 'run-asl.mjs');
    await build({
      entryPoints: [join(root, 'lib/stacks/run-asl.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    const { synthesizeRunDefinition } = await import(pathToFileURL(outfile).href);
    const file = synthesizeRunDefinition(root);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, RUN_ASL_OUT), `${JSON.stringify(file, null, 2)}\n`);
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What the definition is made from: the stacks, the declarations, cdk.json and the CDK version. */
const INPUTS = [
  'lib/stacks',
  'lib/declarations.ts',
  'lib/run-declarations.ts',
  'lib/local/state-machine.ts',
  'cdk.json',
  // The stack reads the alert configuration document at synth time.
  'config/alerts.yaml',
  'node_modules/aws-cdk-lib/package.json',
  'scripts/synth-asl.mjs',
];

function newestInput(root) {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of INPUTS) visit(join(root, input));
  return newest;
}

/** Synthesizes unless dist/ holds a definition newer than everything it is made from. */
export async function synthAslIfStale(projectRoot = process.cwd()) {
  const root = resolve(projectRoot);
  const out = join(root, RUN_ASL_OUT);
  if (existsSync(out) && statSync(out).mtimeMs > newestInput(root)) return undefined;
  return synthAsl(root);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await synthAsl();
  process.stdout.write(`${RUN_ASL_OUT} written in ${Date.now() - started} ms\n`);
}
