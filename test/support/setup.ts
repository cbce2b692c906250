import { afterAll } from 'vitest';
import { fixSuiteClock } from './clock.js';
import { removeTempDirs, tempDir } from './temp.js';

// Every test file starts with the functions' clock fixed (test/support/clock.ts): no result may
// depend on the real date, and the handlers a test imports share this module graph.
fixSuiteClock();

// CDK apps the file makes synthesize there instead of a cdk.out* of their own in the temp dir.
process.env.CDK_OUTDIR = tempDir('cdk.out-');

// What the file made with tempDir() goes when it is done.
afterAll(removeTempDirs);
