// Extracts from the CDK stack what `stocktally start` runs locally: the run state machine's ASL into
// dist/run-state-machine.asl.json (lib/local/standins/state-machine.ts) and each function's IAM policy into
// dist/function-policies.json (lib/local/standins/iam/policies.ts), the policies the local pipeline enforces.
// The stack is bundled with its packages left external (aws-cdk-lib is a build-time dependency only,
// never in dist/), synthesized without Lambda bundling, and resolved to the stand-ins' names.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

export const RUN_ASL_OUT = 'dist/run-state-machine.asl.json';
export const FUNCTION_POLICIES_OUT = 'dist/function-policies.json';

export async function synthAsl(projectRoot = process.cwd()) {
  const root = resolve(projectRoot);
  // Inside the project, so the bundle's bare imports resolve against its node_modules.
  const work = mkdtempSync(join(root, 'node_modules', '.synth-asl-'));
  try {
    const outfile = join(work, 'run-asl.mjs');
    await build({
      entryPoints: [join(root, 'lib/local/standins/run-asl.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      logLevel: 'warning',
    });
    const { synthesizeLocalDefinitions } = await import(pathToFileURL(outfile).href);
    const { runDefinition, functionPolicies } = synthesizeLocalDefinitions(root);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, FUNCTION_POLICIES_OUT), `${JSON.stringify(functionPolicies, null, 2)}\n`);
    writeFileSync(join(root, RUN_ASL_OUT), `${JSON.stringify(runDefinition, null, 2)}\n`);
    return runDefinition;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** What the definition is made from: the stacks, the declarations, cdk.json and the CDK version. */
const INPUTS = [
  'lib/stacks',
  'lib/declarations',
  'lib/local/standins/state-machine.ts',
  'lib/local/standins/iam',
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

/** Synthesizes unless dist/ holds both files, newer than everything they are made from. */
export async function synthAslIfStale(projectRoot = process.cwd()) {
  const root = resolve(projectRoot);
  const outs = [RUN_ASL_OUT, FUNCTION_POLICIES_OUT].map((out) => join(root, out));
  const newest = newestInput(root);
  if (outs.every((out) => existsSync(out) && statSync(out).mtimeMs > newest)) return undefined;
  return synthAsl(root);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  await synthAsl();
  process.stdout.write(`${RUN_ASL_OUT} and ${FUNCTION_POLICIES_OUT} written in ${Date.now() - started} ms\n`);
}
