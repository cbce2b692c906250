import { parseArgs } from 'node:util';
import { parseDecimal, type Decimal } from '../core/shared/decimal.js';
import { isPeriod } from '../core/shared/period.js';
import { isCurrencyCode } from '../core/records/rates.js';
import { DEFAULT_SETTINGS, type Settings } from '../core/reconcile/settings.js';
import { parseInstant } from '../core/shared/timestamp.js';
import { ZoneClock } from '../core/shared/zone-clock.js';
import type { ReconcileOptions } from './reconcile-command.js';
import { UsageError } from './usage-error.js';
import { systemClock } from '../clock.js';

export const RECONCILE_HELP = `Usage: stocktally reconcile --wms FILE --finance FILE [options] --out DIR

Reconciles WMS movements against finance entries (CONTRACT.md sections 1-3; 7 with --period) and writes
discrepancies.json, discrepancies.csv (UTF-8 with BOM), summary.json and report.pdf into DIR.
FILE is .csv, .ndjson or .jsonl.

Inputs
  --wms FILE                   WMS movements (eventId, warehouseId, sku, type, quantity, ...)
  --finance FILE               finance entries (entryId, ..., amount, postedAt, ...)
  --uom FILE                   unit conversions: sku,fromUom,toUom,factor (sku may be *)
  --costs FILE                 standard costs: warehouseId,sku,standardCost,effectiveFrom
  --rates FILE                 exchange rates: currency,date,rate (one unit of currency = rate units
                               of --currency; the rate of the latest date not after the posting)
  --accounts FILE              the workflow configuration (config/workflow.yaml) whose account
                               mapping finance lines are checked against: ACCOUNT_MISMATCH (科目不符)
  --codes FILE                 code mapping (统一编码): kind,source,from,to (kind sku or warehouse,
                               source wms or finance); each side's codes are rewritten before
                               grouping; a code without a row passes unchanged; a table that maps
                               one code two ways is refused (exit 2) naming both rows
  --out DIR                    where the results go (created if missing)

Rules
  --period YYYY-MM             reconcile the books as they stood at the end of this month in --timezone
                               (CONTRACT.md section 7): records dated after it are not read; reported
                               are the groups with a record in the month and the earlier groups that
                               still disagree (open items carried forward, with carriedFrom and their
                               age in ageDays); earlier agreeing groups and cut-off differences already
                               reported are cleared; the average cost is the periodic weighted average
                               (月末一次加权平均) of the period of the group's latest record
  --as-of ISO                  the run's "now" (default: now; with --period, the first instant of the
                               next month); a plain date is midnight in --timezone
  --lag-hours N                lag window for one-sided groups (default 48)
  --timezone TZ                IANA zone of accounting periods and plain dates (default UTC)
  --currency CODE              the functional currency, ISO 4217 (default CNY); an entry in another
                               currency is converted with --rates before anything is compared, or
                               rejected naming the currency and the date (CONTRACT.md section 10);
                               with --currency or --rates each discrepancy shows currency and
                               originalAmount
  --amount-tolerance X         absolute amount tolerance (default 0.01)
  --amount-tolerance-rate R    relative amount tolerance (default 0.001 = 0.1 %)
  --red X                      money at stake for RED (default 50000)
  --yellow X                   money at stake for YELLOW (default 5000)
  --yellow-rate R              relative difference for YELLOW (default 0.05)
  --variance-compensates       with --costs: a group priced at standard whose quantities agree and
                               whose finance amount is within tolerance of quantity x the item's
                               periodic weighted average (月末一次加权平均) is compensated by the
                               cost variance (材料成本差异), not an AMOUNT_MISMATCH (off by default)

Cost variance
  With --costs and --period, cost-variance.json and cost-variance.csv are written too: per item,
  the period's WMS movements at standard against the periodic weighted average of its finance
  entries, and the proposed entry (借/贷 1404 材料成本差异, accounts from --accounts or the
  default config/workflow.yaml); see README, "Cost variance".

Output and execution
  --no-report                  write only the data files, no report.pdf
  --xlsx                       also write report.xlsx (summary, discrepancies, rejected rows)
  --quiet                      no progress on stderr
  --partitions N               partition count (default 64, more for very large inputs)
  --workers N                  worker threads (default: one per core; 0 = this thread)
  --memory-budget MB           input held in memory: CSV inputs within it are read whole and split once,
                               larger ones stream and spill past it to a temp dir (default 512)
  -h, --help                   this help

Exit status: 0 when the run completed (whatever it found), 2 for unusable arguments or files.
`;

function decimalFlag(name: string, value: string | undefined, fallback: Decimal): Decimal {
  if (value === undefined) return fallback;
  const parsed = parseDecimal(value);
  if (!parsed.ok) throw new UsageError(`--${name} ${parsed.reason}`);
  if (parsed.value < 0n) throw new UsageError(`--${name} must not be negative: ${value}`);
  return parsed.value;
}

function integerFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}: ${value}`);
  }
  return Number(value);
}

export interface ReconcileArgs extends ReconcileOptions {
  help: boolean;
  quiet: boolean;
  report: boolean;
  xlsx: boolean;
}

export function parseReconcileArgs(argv: readonly string[], now = systemClock().getTime()): ReconcileArgs {
  // `--lag-hours -1` would read as a flag: join negative numbers to their option so they can be refused by value.
  const args = argv.map((a, i) =>
    /^-\d/.test(a) && argv[i - 1]?.startsWith('--') === true ? `\u0000${a}` : a,
  );
  const joined: string[] = [];
  for (const a of args) {
    if (a.startsWith('\u0000') && joined.length > 0) joined[joined.length - 1] += `=${a.slice(1)}`;
    else joined.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joined,
      strict: true,
      allowPositionals: false,
      options: {
        wms: { type: 'string' },
        finance: { type: 'string' },
        uom: { type: 'string' },
        costs: { type: 'string' },
        rates: { type: 'string' },
        accounts: { type: 'string' },
        codes: { type: 'string' },
        'variance-compensates': { type: 'boolean' },
        currency: { type: 'string' },
        out: { type: 'string' },
        'as-of': { type: 'string' },
        period: { type: 'string' },
        'lag-hours': { type: 'string' },
        timezone: { type: 'string' },
        'amount-tolerance': { type: 'string' },
        'amount-tolerance-rate': { type: 'string' },
        red: { type: 'string' },
        yellow: { type: 'string' },
        'yellow-rate': { type: 'string' },
        'no-report': { type: 'boolean' },
        xlsx: { type: 'boolean' },
        quiet: { type: 'boolean' },
        partitions: { type: 'string' },
        workers: { type: 'string' },
        'memory-budget': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? (error.message.split('\n')[0] ?? 'bad arguments') : String(error),
    );
  }
  const v = parsed.values;
  const base = {
    help: v.help === true,
    quiet: v.quiet === true,
    report: v['no-report'] !== true,
    xlsx: v.xlsx === true,
  };
  if (base.help)
    return { ...base, wms: '', finance: '', out: '', settings: { ...DEFAULT_SETTINGS, asOf: now } };
  for (const name of ['wms', 'finance', 'out'] as const) {
    if (v[name] === undefined || v[name] === '') throw new UsageError(`--${name} is required (see --help)`);
  }
  const timeZone = v.timezone ?? DEFAULT_SETTINGS.timeZone;
  if (!ZoneClock.isValid(timeZone)) throw new UsageError(`--timezone ${timeZone} is not an IANA time zone`);
  const zone = new ZoneClock(timeZone);
  const period = v.period;
  if (period !== undefined && !isPeriod(period))
    throw new UsageError(`--period must be a month YYYY-MM: ${period}`);
  // A period's books are read as they stood at its end, unless the user names another moment.
  let asOf = period === undefined ? now : zone.periodBounds(period).end;
  if (v['as-of'] !== undefined) {
    const instant = parseInstant(v['as-of'], zone);
    if (!instant.ok) throw new UsageError(`--as-of ${instant.reason}`);
    asOf = instant.ms;
  }
  let lagHours = DEFAULT_SETTINGS.lagHours;
  if (v['lag-hours'] !== undefined) {
    const lag = Number(v['lag-hours']);
    if (!/^\s*[-+]?\d+(\.\d+)?\s*$/.test(v['lag-hours']) || !Number.isFinite(lag)) {
      throw new UsageError(`--lag-hours must be a number of hours: ${v['lag-hours']}`);
    }
    if (lag < 0) throw new UsageError(`--lag-hours must not be negative: ${v['lag-hours']}`);
    lagHours = lag;
  }
  const settings: Settings = {
    asOf,
    lagHours,
    timeZone,
    amountTolerance: decimalFlag('amount-tolerance', v['amount-tolerance'], DEFAULT_SETTINGS.amountTolerance),
    amountToleranceRate: decimalFlag(
      'amount-tolerance-rate',
      v['amount-tolerance-rate'],
      DEFAULT_SETTINGS.amountToleranceRate,
    ),
    red: decimalFlag('red', v.red, DEFAULT_SETTINGS.red),
    yellow: decimalFlag('yellow', v.yellow, DEFAULT_SETTINGS.yellow),
    yellowRate: decimalFlag('yellow-rate', v['yellow-rate'], DEFAULT_SETTINGS.yellowRate),
  };
  const currency = v.currency;
  if (currency !== undefined && !isCurrencyCode(currency)) {
    throw new UsageError(`--currency must be an ISO 4217 code (three capital letters): ${currency}`);
  }
  const varianceCompensates = v['variance-compensates'] === true;
  if (varianceCompensates && v.costs === undefined) {
    throw new UsageError(
      '--variance-compensates needs --costs: the cost variance is the difference from standard cost',
    );
  }
  const budgetMb = integerFlag('memory-budget', v['memory-budget'], 1);
  return {
    ...base,
    wms: v.wms ?? '',
    finance: v.finance ?? '',
    uom: v.uom,
    costs: v.costs,
    rates: v.rates,
    accounts: v.accounts,
    codes: v.codes,
    varianceCompensates,
    currency,
    out: v.out ?? '',
    settings,
    period,
    partitions: integerFlag('partitions', v.partitions, 1),
    workers: integerFlag('workers', v.workers, 0),
    memoryBudgetBytes: budgetMb === undefined ? undefined : budgetMb * 1024 * 1024,
  };
}
