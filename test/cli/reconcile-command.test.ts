import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { compareWithTruth, EXACT, hasSharedCheck, sampleDir, sharedCheck } from '../support/acceptance.js';

// The CLI end to end, as `npx stocktally reconcile` runs it: the bundled dist/stocktally.js.

const CLI = join(process.cwd(), 'dist', 'stocktally.js');
const AS_OF = '2026-11-02T00:00:00Z';

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

function tmp(): string {
  return tempDir('stocktally-test-');
}

function sampleArgs(out: string): string[] {
  const s = sampleDir('sample');
  return [
    'reconcile',
    '--wms',
    join(s, 'wms.csv'),
    '--finance',
    join(s, 'finance.csv'),
    '--uom',
    join(s, 'uom.csv'),
    '--as-of',
    AS_OF,
    '--out',
    out,
    '--quiet',
  ];
}

describe('the public acceptance samples (test/fixtures/acceptance)', () => {
  it('finds exactly the truth of the CSV/UTC sample', () => {
    const out = tmp();
    expect(cli(sampleArgs(out)).status).toBe(0);
    expect(compareWithTruth(sampleDir('sample'), out)).toEqual(EXACT);
    // The bundled CLI finds its worker script (dist/reconcile-worker.js, whichever chunk asks): without
    // it every share ran on the main thread, and the summary now says 0 workers.
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      run: { workers: number };
    };
    expect(summary.run.workers).toBeGreaterThanOrEqual(1);
    if (hasSharedCheck) {
      expect(sharedCheck(sampleDir('sample'), out)).toEqual({
        last: 'recall=1.0000 precision=1.0000 rejected=6/6 extra_rejected=0',
        status: 0,
      });
    }
  });

  it('finds exactly the truth of the NDJSON sample with a cost table in Asia/Shanghai', () => {
    const out = tmp();
    const s = sampleDir('sample-2');
    const truth = JSON.parse(readFileSync(join(s, 'truth.json'), 'utf8')) as { args: string[] };
    const result = cli([
      'reconcile',
      '--wms',
      join(s, 'wms.ndjson'),
      '--finance',
      join(s, 'finance.ndjson'),
      '--uom',
      join(s, 'uom.csv'),
      '--costs',
      join(s, 'costs.csv'),
      ...truth.args,
      '--out',
      out,
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(compareWithTruth(s, out)).toEqual(EXACT);
    if (hasSharedCheck) {
      expect(sharedCheck(s, out)).toEqual({
        last: 'recall=1.0000 precision=1.0000 rejected=9/9 extra_rejected=0',
        status: 0,
      });
    }
  });
});

describe('bad input rows', () => {
  it('rejects a malformed row with its line and reason, reconciles the rows around it, and names it in the discrepancy', () => {
    const dir = tmp();
    const wms = join(dir, 'wms.csv');
    const finance = join(dir, 'finance.csv');
    writeFileSync(
      wms,
      '\ufeffeventId,warehouseId,sku,type,quantity,uom,documentRef,occurredAt,unitCost\r\n' +
        'E1,WH-01,SKU-1,RECEIPT,10,EA,PO-1,2026-10-05T10:00:00Z,100\r\n' +
        'E2,WH-01,,RECEIPT,5,EA,PO-7,2026-10-05T10:00:00Z,100\r\n' +
        'E3,WH-01,SKU-2,RECEIPT,"1,5",EA,PO-8,2026-10-05T10:00:00Z,100\r\n' +
        'E4,WH-01,SKU-1,SHIPMENT,3,EA,"SO-9,""rush""",2026-10-06T10:00:00Z,100\r\n',
    );
    writeFileSync(
      finance,
      'entryId,warehouseId,sku,type,quantity,uom,amount,currency,documentRef,postedAt,account\n' +
        'F1,WH-01,SKU-1,RECEIPT,10,EA,1000.00,CNY,PO-1,2026-10-05,1405\n' +
        'F2,WH-01,SKU-7,RECEIPT,5,EA,500.00,CNY,PO-7,2026-10-05,1405\n' +
        'F3,WH-01,SKU-1,SHIPMENT,3,EA,300.00,CNY,"SO-9,""rush""",2026-10-06,1405\n',
    );
    const out = join(dir, 'out');
    const result = cli(['reconcile', '--wms', wms, '--finance', finance, '--as-of', AS_OF, '--out', out]);
    expect(result.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      rejected: unknown[];
      groupsMatched: number;
    };
    expect(summary.rejected).toEqual([
      { file: 'wms.csv', line: 3, field: 'sku', reason: 'missing sku', source: 'wms' },
      {
        file: 'wms.csv',
        line: 4,
        field: 'quantity',
        reason: 'quantity is not a decimal number: "1,5"',
        source: 'wms',
      },
    ]);
    expect(summary.groupsMatched).toBe(2);
    const found = JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as {
      kind: string;
      documentRef: string;
      explanation: string;
    }[];
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'MISSING_IN_WMS', documentRef: 'PO-7' });
    expect(found[0]?.explanation).toContain(
      'a WMS row for this document was rejected at wms.csv line 3 (missing sku)',
    );
  });
});

describe('NDJSON input', () => {
  it('reads a file that starts with a BOM and has CRLF line ends', () => {
    const dir = tmp();
    const wms = join(dir, 'wms.ndjson');
    const finance = join(dir, 'finance.jsonl');
    writeFileSync(
      wms,
      '\ufeff{"eventId":"E1","warehouseId":"WH-上海-02","sku":"SKU-1","type":"RECEIPT","quantity":10,"documentRef":"PO-1","occurredAt":"2026-10-05T10:00:00+08:00","unitCost":"100"}\r\n',
    );
    writeFileSync(
      finance,
      '{"entryId":"F1","warehouseId":"WH-上海-02","sku":"SKU-1","type":"RECEIPT","quantity":"10.00","amount":1000,"documentRef":"PO-1","postedAt":"2026-10-05"}\r\n',
    );
    const out = join(dir, 'out');
    expect(
      cli(['reconcile', '--wms', wms, '--finance', finance, '--as-of', AS_OF, '--out', out, '--no-report'])
        .status,
    ).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      rejected: unknown[];
      groupsMatched: number;
    };
    expect(summary.rejected).toEqual([]);
    expect(summary.groupsMatched).toBe(1);
  });
});

describe('NDJSON read strictly', () => {
  it('reads numbers from their text, and refuses a line naming a key twice, keeping the lines around it', () => {
    const dir = tmp();
    const wms = join(dir, 'wms.ndjson');
    const finance = join(dir, 'finance.ndjson');
    const line = (id: string, quantity: string) =>
      `{"eventId":"${id}","warehouseId":"WH-01","sku":"SKU-${id}","type":"RECEIPT","quantity":${quantity},"documentRef":"PO-${id}","occurredAt":"2026-10-05T10:00:00Z","unitCost":"1"}`;
    writeFileSync(
      wms,
      [
        line('E1', '9007199254740993'),
        line('E2', '1.0000000000000001'),
        line('E3', '7').replace('{', '{"eventId":"E0",'),
        line('E4', '5'),
      ].join('\n') + '\n',
    );
    writeFileSync(finance, '');
    const out = join(dir, 'out');

    const result = cli([
      'reconcile',
      '--wms',
      wms,
      '--finance',
      finance,
      '--as-of',
      AS_OF,
      '--out',
      out,
      '--no-report',
    ]);

    expect(result.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      rejected: { line: number; reason: string }[];
    };
    expect(summary.rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, expect.stringContaining('more than 6 decimal places')],
      [3, expect.stringContaining('names eventId twice')],
    ]);
    const found = JSON.parse(readFileSync(join(out, 'discrepancies.json'), 'utf8')) as {
      wmsEventIds: string[];
      wmsQuantity: string;
    }[];
    expect(found.find((d) => d.wmsEventIds[0] === 'E1')?.wmsQuantity).toBe('9007199254740993');
    expect(found.map((d) => d.wmsEventIds[0]).sort()).toEqual(['E1', 'E4']);
  });
});

describe('unusable arguments exit 2 with one line naming the problem', () => {
  const dir = tmp();
  const file = join(dir, 'w.csv');
  writeFileSync(file, 'eventId,warehouseId,sku,type,quantity,documentRef,occurredAt\n');
  const twice = join(dir, 'twice.csv');
  writeFileSync(twice, 'eventId,warehouseId,sku,type,quantity,documentRef,occurredAt,sku\n');
  const base = ['reconcile', '--wms', file, '--finance', file, '--out', join(dir, 'o')];
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', [...base, '--colour'], /--colour/],
    [
      'a missing file',
      ['reconcile', '--wms', join(dir, 'nope.csv'), '--finance', file, '--out', dir],
      /nope\.csv.*ENOENT/,
    ],
    ['a bad --as-of', [...base, '--as-of', '2026-13-01'], /--as-of .*impossible date/],
    ['an unknown time zone', [...base, '--timezone', 'Mars/Olympus'], /--timezone Mars\/Olympus/],
    ['a negative lag', [...base, '--lag-hours', '-1'], /--lag-hours must not be negative/],
    [
      'a period that is not a month',
      [...base, '--period', '2026-13'],
      /--period must be a month YYYY-MM: 2026-13/,
    ],
    ['a missing --out', ['reconcile', '--wms', file, '--finance', file], /--out is required/],
    [
      'an unknown file type',
      ['reconcile', '--wms', join(dir, 'x.xlsx'), '--finance', file, '--out', dir],
      /x\.xlsx/,
    ],
    [
      'a header without required columns',
      ['reconcile', '--wms', file, '--finance', file, '--out', join(dir, 'o2')],
      /finance.* header lacks entryId, amount, postedAt/,
    ],
    [
      'a header naming a column twice',
      ['reconcile', '--wms', twice, '--finance', file, '--out', join(dir, 'o3')],
      /--wms .*twice\.csv: the CSV header names sku twice/,
    ],
  ];
  writeFileSync(join(dir, 'x.xlsx'), '');
  it.each(cases)('refuses %s', (_name, args, message) => {
    const result = cli(args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('explains every contract flag in --help', () => {
    const help = execFileSync(process.execPath, [CLI, 'reconcile', '--help'], { encoding: 'utf8' });
    for (const flag of [
      '--wms',
      '--finance',
      '--uom',
      '--costs',
      '--as-of',
      '--period',
      '--lag-hours',
      '--timezone',
      '--amount-tolerance',
      '--amount-tolerance-rate',
      '--red',
      '--yellow',
      '--yellow-rate',
      '--out',
      '--no-report',
      '--quiet',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
