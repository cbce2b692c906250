import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore } from '../adapters/runs/run-store.js';
import type { RunMode, RunRecord, RunRequest } from '../core/runs/run-events.js';
import { KINDS, SEVERITIES } from '../core/reconcile/discrepancy.js';
import { RUNS_TABLE } from '../declarations/tables.js';
import { DATA_LAYOUT } from '../local/wiring/data-dir.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/standins/embedded-aws.js';
import { startRun, waitForRun, type RunApi } from '../local/clients/run-client.js';
import { UsageError } from './usage-error.js';
import { groupDigits } from '../core/shared/digits.js';

export { groupDigits };

export const RUN_HELP = `Usage: stocktally run [--mode continuous|close] [--as-of ISO] [--period YYYY-MM] [--data DIR]

Starts a reconciliation run on the local pipeline that \`stocktally start\` is running (its API and
bearer token come from DIR/endpoints.json), shows each partition as it is reconciled, and prints the
run's summary. Exit status 0 when the run SUCCEEDED, 1 when it ended PARTIAL or FAILED.

  --mode M       continuous: the partitions changed since the last run; close: every partition
                 (default: close with --period, else continuous)
  --as-of ISO    the run's moment (default: now; a close of --period: the period's end)
  --period P     the accounting period YYYY-MM of a close
  --data DIR     the pipeline's data directory (default .stocktally)
  --json         print the run record as JSON instead of the summary
  -h, --help     this help
`;

export interface RunArgs {
  help: boolean;
  mode: RunMode;
  asOf?: string;
  period?: string;
  data: string;
  json: boolean;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseRunArgs(argv: readonly string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: 'string' },
        'as-of': { type: 'string' },
        period: { type: 'string' },
        data: { type: 'string', default: '.stocktally' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`run: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { values } = parsed;
  const mode = values.mode ?? (values.period === undefined ? 'continuous' : 'close');
  if (mode !== 'continuous' && mode !== 'close') {
    throw new UsageError(`run: --mode must be continuous or close: ${mode}`);
  }
  const asOf = values['as-of'];
  if (asOf !== undefined && (!ISO_WITH_OFFSET.test(asOf) || Number.isNaN(Date.parse(asOf)))) {
    throw new UsageError(`run: --as-of must be an ISO 8601 date-time with Z or an offset: ${asOf}`);
  }
  if (values.period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.period)) {
    throw new UsageError(`run: --period must be a month YYYY-MM: ${values.period}`);
  }
  if (values.data.trim() === '') throw new UsageError('run: --data needs a directory');
  return {
    help: values.help,
    mode,
    ...(asOf === undefined ? {} : { asOf }),
    ...(values.period === undefined ? {} : { period: values.period }),
    data: values.data,
    json: values.json,
  };
}

interface Endpoints {
  api: string;
  dynamodb: string;
  token: string;
}

async function readEndpoints(dataDir: string): Promise<Endpoints> {
  const file = join(dataDir, DATA_LAYOUT.endpoints);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`run: no ${file}: start the pipeline first (stocktally start --data ${dataDir})`);
  }
  const endpoints = JSON.parse(text) as Partial<Endpoints>;
  if (typeof endpoints.api !== 'string' || typeof endpoints.token !== 'string') {
    throw new UsageError(`run: ${file} has no api and token; restart the pipeline`);
  }
  return { api: endpoints.api, token: endpoints.token, dynamodb: endpoints.dynamodb ?? '' };
}

function percent(rate: string): string {
  return `${(Number(rate) * 100).toFixed(2)} %`;
}

/** The run's summary as `stocktally run` and `stocktally start --demo` print it. */
export function summaryLines(run: RunRecord): string[] {
  const seconds =
    run.finishedAt === undefined
      ? ''
      : `, ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`;
  const lines = [
    `run ${run.runId}: ${run.status}  (${run.mode}, as of ${run.asOf}, ${run.partitions.length} partitions${seconds})`,
  ];
  const s = run.summary;
  if (s !== null) {
    const nonZero = <K extends string>(keys: readonly K[], counts: Partial<Record<K, number>>) =>
      keys.filter((k) => (counts[k] ?? 0) > 0).map((k) => `${k} ${counts[k] ?? 0}`);
    lines.push(
      `  groups ${s.groupsSeen}, matched ${s.groupsMatched}, match rate ${percent(s.matchRate)}`,
      `  discrepancies ${s.discrepancies}`,
      `    by kind      ${nonZero(KINDS, s.byKind).join(', ') || 'none'}`,
      `    by severity  ${SEVERITIES.map((k) => `${k} ${s.bySeverity[k]}`).join(', ')}`,
      `  money at stake ${groupDigits(s.moneyAtStake.total)}  (${SEVERITIES.map((k) => `${k} ${groupDigits(s.moneyAtStake[k])}`).join(', ')})`,
    );
  }
  for (const failure of run.failures) {
    lines.push(`  FAILED partition ${failure.partition}: ${failure.error}${failureMessage(failure.cause)}`);
  }
  if (run.failure !== undefined) {
    const { step, error, cause } = run.failure;
    lines.push(`  FAILED in ${step}: ${error}${failureMessage(cause)}`);
  }
  return lines;
}

/** Lambda's error payload (the Cause) down to its message. */
function failureMessage(cause: string | undefined): string {
  if (cause === undefined || cause === '') return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return `: ${parsed.errorMessage}`;
  } catch {
    // A plain message.
  }
  return `: ${cause.slice(0, 200)}`;
}

/** Where the output goes; a test passes its own. */
export interface RunIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  pollMs?: number;
}

/**
 * Per-partition progress from the run store on the local DynamoDB: each reconcile task leaves its
 * report (with its read/reconcile/write split) as it finishes. Best effort: the API's answer is the
 * run's truth, this only shows it moving.
 */
class PartitionProgress {
  private readonly seen = new Set<number>();
  private readonly store: RunStore | undefined;
  private readonly client: DynamoDBClient | undefined;

  constructor(
    endpoints: Endpoints,
    private readonly say: (line: string) => void,
  ) {
    if (endpoints.dynamodb === '') return;
    this.client = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    this.store = new RunStore({ client: this.client, tableName: RUNS_TABLE.localName });
  }

  async show(run: RunRecord): Promise<void> {
    if (this.store === undefined || run.partitions.length === 0) return;
    let reports;
    try {
      reports = await this.store.readPartitionReports(run.runId, run.partitions);
    } catch {
      return;
    }
    for (const report of reports.sort((a, b) => a.partition - b.partition)) {
      if (this.seen.has(report.partition)) continue;
      this.seen.add(report.partition);
      const { read, reconcile, write } = report.phasesMs;
      this.say(
        `  partition ${String(report.partition).padStart(4)} done  ${String(this.seen.size).padStart(4)}/${run.partitions.length}` +
          `  read ${read} ms, reconcile ${reconcile} ms, write ${write} ms`,
      );
    }
  }

  close(): void {
    this.client?.destroy();
  }
}

export async function runRunCommand(
  argv: string[],
  io: RunIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const args = parseRunArgs(argv);
  const say = (line = ''): void => void io.out.write(`${line}\n`);
  if (args.help) {
    io.out.write(RUN_HELP);
    return 0;
  }
  const endpoints = await readEndpoints(args.data);
  const client: RunApi = { api: endpoints.api, token: endpoints.token };
  const request: RunRequest = {
    mode: args.mode,
    ...(args.asOf === undefined ? {} : { asOf: args.asOf }),
    ...(args.period === undefined ? {} : { period: args.period }),
  };
  let runId: string;
  try {
    runId = await startRun(client, request);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(
        `run: the pipeline at ${endpoints.api} does not answer; is stocktally start running?`,
      );
    }
    throw error;
  }
  if (!args.json) say(`started run ${runId} (${args.mode})`);
  const progress = new PartitionProgress(endpoints, say);
  let listed = false;
  try {
    const run = await waitForRun(client, runId, {
      ...(io.pollMs === undefined ? {} : { pollMs: io.pollMs }),
      onPoll: async (current) => {
        if (args.json) return;
        if (!listed && current.partitions.length > 0) {
          listed = true;
          say(`  ${current.partitions.length} partitions to reconcile`);
        }
        await progress.show(current);
      },
    });
    if (args.json) {
      say(JSON.stringify(run, null, 2));
    } else {
      if (run.partitions.length === 0 && run.mode === 'continuous') {
        say('  no partition changed since the last run; --mode close reconciles every partition');
      }
      for (const line of summaryLines(run)) say(line);
    }
    return run.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    progress.close();
  }
}
