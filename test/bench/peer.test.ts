// The side-by-side table of `npm run bench` (issue 21): medians of each side, and the ratio as the
// median of the pairs' own ratios, so one pair run while the shared machine was busier moves nothing.
import { describe, expect, it } from 'vitest';
import { sideBySideTable, type Measured } from '../../bench/peer.js';

const m = (wallSeconds: number, cpuSeconds: number | undefined, peakMiB: number | undefined): Measured => ({
  wallSeconds,
  cpuSeconds,
  peakMiB,
});

describe('sideBySideTable', () => {
  it('shows each side by its medians and the median of the pairs ratios', () => {
    const table = sideBySideTable(
      [m(54.62, 12.34, 551), m(48.11, 11.74, 551), m(25, 11.28, 560)],
      [m(45.05, 10.53, 1443), m(23.17, 9.53, 1443), m(21.66, 9.28, 1450)],
    );
    expect(table.split('\n')).toEqual([
      '|                               | wall s (median) | CPU s | peak RSS MiB |',
      '| ----------------------------- | --------------: | ----: | -----------: |',
      '| stocktally reconcile (3 runs) |           48.11 | 11.74 |          551 |',
      '| DuckDB peer (3 runs)          |           23.17 |  9.53 |        1,443 |',
      '| ratio (median of pairs)       |            1.21 |  1.22 |         0.38 |',
    ]);
  });

  it('leaves a figure out when GNU time could not measure it', () => {
    const table = sideBySideTable([m(2, undefined, undefined)], [m(4, undefined, undefined)]);
    expect(table).toContain('| ratio (median of pairs)       |            0.50 |     — |            — |');
  });
});
