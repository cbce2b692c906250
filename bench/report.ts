// The report's figures (issues 6 and 19): time and peak RSS to render report.pdf, report.xlsx and
// report.csv for 100k synthesized discrepancies (read back from a discrepancies.json, as `stocktally
// reconcile` does), each alone and the three together as SummarizeRun renders them, and the PDF size
// for the public acceptance sample. Not part of `npm run bench`; run it with
//
//   npx esbuild bench/report.ts --bundle --platform=node --format=esm --outfile=/tmp/bench-report.mjs \
//     --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
//   node /tmp/bench-report.mjs [count]        (from the checkout, so the font package resolves)
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { runReconcile } from '../lib/cli/reconcile-command.js';
import { formatMoney, parseDecimal } from '../lib/core/shared/decimal.js';
import { KINDS, type Discrepancy, type Kind, type Severity } from '../lib/core/reconcile/discrepancy.js';
import type { MovementType } from '../lib/core/records/movement-type.js';
import type { ReportSummary } from '../lib/core/report/report-model.js';
import { DEFAULT_SETTINGS } from '../lib/core/reconcile/settings.js';
import { countDiscrepancy, emptyTally, summaryFigures } from '../lib/core/reconcile/summary.js';
import { readDiscrepancyArray } from '../lib/report/discrepancy-file.js';
import { loadReportFonts, type ReportFonts } from '../lib/report/fonts.js';
import { prepareReport, writeReports } from '../lib/report/write-reports.js';

export interface ReportFigure {
  what: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  bytes: number;
  pages?: number;
}

const WAREHOUSES = [
  'WH-01',
  'WH-02',
  'WH-03',
  'WH-上海-02',
  'WH-北京-01',
  'WH-广州-03',
  'WH-成都-01',
  'WH-08',
];
const TYPES: readonly MovementType[] = ['RECEIPT', 'SHIPMENT', 'TRANSFER_IN', 'TRANSFER_OUT', 'ADJUSTMENT'];

/** A deterministic discrepancy that looks like the engine's: ids, decimals and a one-line explanation. */
export function syntheticDiscrepancy(i: number): Discrepancy {
  const kind: Kind = KINDS[i % KINDS.length] ?? 'QUANTITY_MISMATCH';
  const warehouseId = WAREHOUSES[(i * 7) % WAREHOUSES.length] ?? 'WH-01';
  const sku = `SKU-${String((i * 13) % 5000).padStart(5, '0')}`;
  const documentRef = `DOC-${String(i).padStart(7, '0')}`;
  const type = TYPES[i % TYPES.length] ?? 'RECEIPT';
  const qty = 1 + ((i * 37) % 900);
  const cents = 100 + ((i * 7919) % 200_000);
  const unitCost = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const expected = BigInt(qty) * BigInt(cents);
  const expectedText = formatMoney(expected * 10_000n);
  const stake = i % 9 === 0 ? expected * 3n : i % 4 === 0 ? expected / 20n : expected;
  const moneyAtStake = formatMoney(stake * 10_000n);
  const severity: Severity = stake >= 5_000_000n ? 'RED' : stake >= 500_000n ? 'YELLOW' : 'GREEN';
  return {
    groupKey: `${warehouseId}|${sku}|${documentRef}`,
    kind,
    severity,
    warehouseId,
    sku,
    documentRef,
    uom: 'EA',
    wmsQuantity: String(qty),
    financeQuantity: kind === 'MISSING_IN_FINANCE' ? '0' : String(qty - (i % 3)),
    quantityDelta: kind === 'MISSING_IN_FINANCE' ? `-${qty}` : String(-(i % 3)),
    unitCost,
    unitCostSource: 'wms',
    financeUnitCost: null,
    expectedAmount: expectedText,
    financeAmount: kind === 'MISSING_IN_FINANCE' ? '0.00' : expectedText,
    amountDelta: kind === 'MISSING_IN_FINANCE' ? `-${expectedText}` : '0.00',
    moneyAtStake,
    wmsTypes: [type],
    financeTypes: kind === 'MISSING_IN_FINANCE' ? [] : [type],
    latestEventAt: '2026-10-06T15:49:00.000Z',
    latestPostingAt: kind === 'MISSING_IN_FINANCE' ? null : '2026-10-09T11:39:00.000Z',
    wmsPeriod: '2026-10',
    financePeriod: kind === 'MISSING_IN_FINANCE' ? null : '2026-10',
    wmsEventIds: [`E${String(i * 2).padStart(8, '0')}`, `E${String(i * 2 + 1).padStart(8, '0')}`],
    financeEntryIds: kind === 'MISSING_IN_FINANCE' ? [] : [`F${String(i).padStart(8, '0')}`],
    duplicateEntryIds: [],
    explanationZh: `WMS 已记录单据 ${documentRef} 的${type} ${qty} EA,财务尚未记账`,
    explanation: `WMS recorded ${type} of ${qty} EA for ${documentRef} (2 events, latest on 2026-10-06), but finance has posted nothing 26 days ago, beyond the 48 h lag window; expected amount ${expectedText} at WMS unit cost ${unitCost}`,
    rejectedRows: [],
  };
}

/** Writes `count` synthetic discrepancies as discrepancies.json and returns a matching summary. */
async function synthesize(dir: string, count: number): Promise<ReportSummary> {
  const out = createWriteStream(join(dir, 'discrepancies.json'));
  const tally = emptyTally();
  out.write('[\n');
  for (let i = 0; i < count; i++) {
    const d = syntheticDiscrepancy(i);
    const money = parseDecimal(d.moneyAtStake);
    countDiscrepancy(tally, d.kind, d.severity, money.ok ? money.value : 0n);
    if (!out.write(JSON.stringify(d) + (i + 1 < count ? ',\n' : '\n'))) await once(out, 'drain');
  }
  out.end(']\n');
  await once(out, 'finish');
  tally.groupsSeen = count * 10;
  tally.groupsMatched = count * 9;
  return {
    asOf: '2026-11-02T00:00:00.000Z',
    timezone: 'Asia/Shanghai',
    lagHours: DEFAULT_SETTINGS.lagHours,
    ...summaryFigures(tally),
    inputs: {
      wms: { file: 'wms.csv', rows: count * 12, accepted: count * 12, rejected: 0 },
      finance: { file: 'finance.csv', rows: count * 10, accepted: count * 10, rejected: 0 },
    },
    rejected: [],
    run: { generatedAt: '2026-11-02T00:05:00.000Z' },
  };
}

/** The discrepancies as a stream that can be read once (the run store's pages). */
async function* oneShot(source: () => AsyncIterable<Discrepancy>): AsyncGenerator<Discrepancy> {
  yield* source();
}

/** Runs `work` while sampling RSS every 25 ms; returns its result, seconds and the peak seen. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; cpuSeconds: number; peakRssMiB: number }> {
  const cpu = process.cpuUsage();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    const used = process.cpuUsage(cpu);
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      // The machine may be shared: CPU time says what the work cost, whatever else ran beside it.
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMiB: Math.round(peak / 1048576),
    };
  } finally {
    clearInterval(timer);
  }
}

const SAMPLE = join(process.cwd(), '..', 'shared', 'acceptance', 'sample');

export async function benchReport(
  count = 100_000,
  fonts: ReportFonts = loadReportFonts(),
): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'stocktally-bench-report-'));
  try {
    if (existsSync(SAMPLE)) {
      const out = join(dir, 'sample');
      const summary = await runReconcile({
        wms: join(SAMPLE, 'wms.csv'),
        finance: join(SAMPLE, 'finance.csv'),
        uom: join(SAMPLE, 'uom.csv'),
        out,
        workers: 0,
        settings: { ...DEFAULT_SETTINGS, asOf: Date.parse('2026-11-02T00:00:00Z') },
      });
      const m = await measured(() =>
        writeReports({
          outDir: out,
          summary,
          discrepancies: () => readDiscrepancyArray(join(out, 'discrepancies.json')),
          pdf: true,
          xlsx: false,
          fonts,
        }),
      );
      figures.push({
        what: `public sample PDF (${summary.discrepancies} discrepancies)`,
        seconds: m.seconds,
        cpuSeconds: m.cpuSeconds,
        peakRssMiB: m.peakRssMiB,
        bytes: (await stat(join(out, 'report.pdf'))).size,
        pages: m.result.pdf?.pages ?? 0,
      });
    }
    const summary = await synthesize(dir, count);
    const source = () => readDiscrepancyArray(join(dir, 'discrepancies.json'));
    const model = await measured(async () => {
      const report = await prepareReport({ summary, discrepancies: source, fonts });
      await report.close();
      return report;
    });
    figures.push({
      what: `model pass, ${count} discrepancies`,
      seconds: model.seconds,
      cpuSeconds: model.cpuSeconds,
      peakRssMiB: model.peakRssMiB,
      bytes: 0,
    });
    for (const format of ['pdf', 'xlsx', 'csv'] as const) {
      const m = await measured(() =>
        writeReports({
          outDir: dir,
          summary,
          discrepancies: source,
          pdf: format === 'pdf',
          xlsx: format === 'xlsx',
          csv: format === 'csv',
          fonts,
        }),
      );
      const file = join(dir, `report.${format}`);
      figures.push({
        what: `report.${format}, ${count} discrepancies (model pass included)`,
        seconds: m.seconds,
        cpuSeconds: m.cpuSeconds,
        peakRssMiB: m.peakRssMiB,
        bytes: (await stat(file)).size,
        ...(format === 'pdf' ? { pages: m.result.pdf?.pages ?? 0 } : {}),
      });
    }
    // What SummarizeRun does: one pass over the run's discrepancies (here a one-shot stream, as
    // the store's pages are), then the three formats one after another.
    const whole = await measured(async () => {
      const report = await prepareReport({ summary, discrepancies: oneShot(source), fonts });
      const sizes: number[] = [];
      try {
        for (const format of ['pdf', 'xlsx', 'csv'] as const) {
          const out = createWriteStream(join(dir, `whole.${format}`));
          await report.render(format, out);
          sizes.push((await stat(join(dir, `whole.${format}`))).size);
        }
      } finally {
        await report.close();
      }
      return sizes.reduce((a, b) => a + b, 0);
    });
    figures.push({
      what: `the whole report (PDF + XLSX + CSV, one model pass), ${count} discrepancies`,
      seconds: whole.seconds,
      cpuSeconds: whole.cpuSeconds,
      peakRssMiB: whole.peakRssMiB,
      bytes: whole.result,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

export function formatFigures(figures: readonly ReportFigure[]): string {
  const lines = [
    '| what | wall s | CPU s | peak RSS MiB | bytes | pages |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.what} | ${f.seconds.toFixed(2)} | ${f.cpuSeconds.toFixed(2)} | ${f.peakRssMiB} | ${f.bytes.toLocaleString('en-US')} | ${f.pages ?? ''} |`,
    );
  }
  return lines.join('\n');
}

const invoked = process.argv[1] ?? '';
if (invoked.endsWith('bench-report.mjs') || invoked.endsWith('bench/report.ts')) {
  const count = Number(process.argv[2] ?? 100_000);
  benchReport(count).then(
    (figures) => process.stdout.write(formatFigures(figures) + '\n'),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
