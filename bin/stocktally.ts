#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { runDictionary } from '../lib/cli/dictionary-command.js';
import { Progress } from '../lib/cli/progress.js';
import { parseReconcileArgs, RECONCILE_HELP } from '../lib/cli/reconcile-args.js';
import { checkReadable, runReconcile } from '../lib/cli/reconcile-command.js';
import { UsageError } from '../lib/cli/usage-error.js';

// Parsing allocates many short-lived objects; a larger young generation keeps them out of the
// old one (GC was a fifth of the reconcile time). Set before any worker starts, so they get it too.
setFlagsFromString('--max-semi-space-size=32');

const HELP = `Usage: stocktally <command> [options]

Commands
  reconcile    reconcile WMS movements against finance entries from files (see reconcile --help)
  vouchers     the accounting entry of every WMS movement, for an ERP's voucher import
               (--wms FILE, --costs FILE, --workflow FILE, --period YYYY-MM; see vouchers --help)
  start        the pipeline on this machine: embedded DynamoDB and S3, the HTTP API, the demo
               (--port 4000, --data DIR, --demo, --once; see start --help)
  run          start a reconciliation run on the running local pipeline and follow it per partition
               (--mode continuous|close, --as-of ISO, --period YYYY-MM, --data DIR; see run --help)
  audit        audit verify: checks every case trail, the ingest journal and every stored record
               against the digest log, and names the first break
               (--data DIR, --endpoint URL, --digests WHERE, --json; see audit --help)
  dictionary   the data dictionary (数据字典) of records, discrepancies and the summary
               (--markdown, --json)
  help         this help
`;

async function reconcile(argv: string[]): Promise<number> {
  const args = parseReconcileArgs(argv);
  if (args.help) {
    process.stdout.write(RECONCILE_HELP);
    return 0;
  }
  for (const [flag, path] of [
    ['--uom', args.uom],
    ['--costs', args.costs],
    ['--rates', args.rates],
    ['--accounts', args.accounts],
    ['--codes', args.codes],
  ] as const) {
    if (path !== undefined) await checkReadable(path, flag);
  }
  const progress = new Progress(process.stderr.isTTY === true && !args.quiet);
  const summary = await runReconcile({ ...args, progress });
  if (args.report || args.xlsx) {
    // Loaded on demand, like `start`: a --no-report run never parses pdfkit, exceljs or the font.
    progress.start('report');
    const { discrepanciesIn, writeReports } = await import('../lib/report/write-reports.js');
    // With --accounts, the workflow configuration also names the company and who signs.
    const settings =
      args.accounts === undefined
        ? undefined
        : (await (await import('../lib/cli/workflow-file.js')).loadWorkflowFile(args.accounts, '--accounts'))
            .report;
    await writeReports({
      outDir: args.out,
      summary,
      discrepancies: discrepanciesIn(args.out),
      // A period's report names that period, not the months its discrepancies' records fall in.
      period: summary.period,
      pdf: args.report,
      xlsx: args.xlsx,
      ...(settings === undefined
        ? {}
        : {
            company: settings.company,
            signatories: settings.signatories,
            detailCount: settings.pdfDetailRows,
            dueDays: settings.dueDays,
          }),
    });
    progress.done(`report written to ${args.out}`);
  }
  return 0;
}

async function vouchers(argv: string[]): Promise<number> {
  // Loaded on demand: the YAML reader and the workflow schema are not reconcile's to parse.
  const { parseVouchersArgs, runVouchers, VOUCHERS_HELP } = await import('../lib/cli/vouchers-command.js');
  const args = parseVouchersArgs(argv);
  if (args.help) {
    process.stdout.write(VOUCHERS_HELP);
    return 0;
  }
  const { book, rejected } = await runVouchers(args);
  if (!args.quiet) {
    const booked = book.vouchers.reduce((n, v) => n + v.eventIds.length, 0);
    process.stderr.write(
      `booked ${booked} movements in ${book.vouchers.length} vouchers; ${book.unpriced.length} unpriced, ${rejected.length} rows rejected; written to ${args.out}\n`,
    );
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'reconcile':
      return reconcile(rest);
    case 'dictionary':
      return runDictionary(rest);
    case 'vouchers':
      return vouchers(rest);
    case 'start':
      // Loaded on demand so `reconcile` does not pay for the AWS SDK and the stand-ins.
      return (await import('../lib/cli/start-command.js')).runStart(rest);
    case 'run':
      // Loaded on demand, like start: it talks to the running local pipeline (DIR/endpoints.json).
      return (await import('../lib/cli/run-command.js')).runRunCommand(rest);
    case 'audit':
      // Loaded on demand, like run: it reads the case tables of the running local pipeline.
      return (await import('../lib/cli/audit-command.js')).runAuditCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${command} (try: stocktally help)`);
  }
}

let settled = false;
// A promise nobody resolves lets Node exit quietly with status 0: never let that pass for success.
process.on('beforeExit', () => {
  if (!settled) {
    process.stderr.write('stocktally: internal error: the command stalled before finishing\n');
    process.exitCode = 1;
    settled = true;
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    if (error instanceof UsageError) {
      process.stderr.write(`stocktally: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `stocktally: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
