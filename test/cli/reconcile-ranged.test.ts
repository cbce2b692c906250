// Two ways the CLI reads CSV inputs (issue 21): held whole and split once by ranges (inputs within
// --memory-budget), or streamed through each worker's partition store (past it). Same inputs, same
// flags: the same files, byte for byte, whichever way they were read.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleDir } from '../support/acceptance.js';
import { tempDir } from '../support/temp.js';
import { generate } from '../../bench/generate.js';

const CLI = join(process.cwd(), 'dist', 'stocktally.js');

/** A generated set past 1 MB (so `--memory-budget 1` streams it), quoted refs and malformed rows in it. */
async function generated(): Promise<{ wms: string; finance: string; uom: string }> {
  const dir = tempDir('stocktally-ranged-data-');
  const result = await generate({
    documents: 6000,
    seed: 21,
    outDir: dir,
    format: 'csv',
    malformedEvery: 400,
  });
  expect(result.bytes).toBeGreaterThan(1024 * 1024);
  return result.files;
}

function reconcile(out: string, args: string[]): void {
  const result = spawnSync(process.execPath, [CLI, 'reconcile', ...args, '--out', out, '--quiet'], {
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

/** The run's files, summary.json without its timings. */
function written(out: string, files: string[]): Record<string, string> {
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
  delete summary.run;
  return Object.fromEntries([
    ['summary.json', JSON.stringify(summary)],
    ...files.map((f) => [f, readFileSync(join(out, f), 'utf8')]),
  ]);
}

function bothWays(args: string[], files = ['discrepancies.json', 'discrepancies.csv']): void {
  const dir = tempDir('stocktally-ranged-');
  const ranged = join(dir, 'ranged');
  const streamed = join(dir, 'streamed');
  reconcile(ranged, [...args, '--workers', '2', '--partitions', '16']);
  reconcile(streamed, [...args, '--workers', '2', '--partitions', '16', '--memory-budget', '1']);
  const spilled = (out: string) =>
    (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { run: { spilledBytes: number } }).run
      .spilledBytes;
  // Held whole, nothing spills; streamed past a 1 MB budget, the stores spill.
  expect(spilled(ranged)).toBe(0);
  expect(spilled(streamed)).toBeGreaterThan(0);
  expect(written(ranged, files)).toEqual(written(streamed, files));
}

describe('CSV inputs held whole and split by ranges, or streamed', () => {
  it('write the same files for a generated set (quoted refs, malformed rows, unit conversions)', async () => {
    const f = await generated();
    bothWays(['--wms', f.wms, '--finance', f.finance, '--uom', f.uom, '--as-of', '2026-11-02T00:00:00Z']);
  });

  it('write the same files for a period with a code mapping, the cost table and --variance-compensates', async () => {
    const f = await generated();
    const skus = readFileSync(f.wms, 'utf8')
      .split('\n')
      .slice(1, 40)
      .map((line) => line.split(',')[2] ?? '')
      .filter((sku) => /^[A-Z]+-\d+$/.test(sku));
    const [a = 'SKU-1', b = 'SKU-2', c = 'SKU-3'] = [...new Set(skus)];
    const codes = join(tempDir('stocktally-ranged-codes-'), 'codes.csv');
    writeFileSync(codes, `kind,source,from,to\nsku,finance,${a},${b}\nsku,wms,${c},${b}\n`);
    bothWays(
      [
        '--wms',
        f.wms,
        '--finance',
        f.finance,
        '--uom',
        f.uom,
        '--period',
        '2026-10',
        '--codes',
        codes,
        '--costs',
        join(sampleDir('sample-2'), 'costs.csv'),
        '--variance-compensates',
      ],
      ['discrepancies.json', 'discrepancies.csv', 'cost-variance.json', 'cost-variance.csv'],
    );
  });
});
