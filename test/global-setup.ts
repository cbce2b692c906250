import { execFileSync } from 'node:child_process';

// End-to-end tests run the bundled CLI (dist/), exactly what `npx stocktally` runs.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
