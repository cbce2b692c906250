import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV, RUN_STATES, TABLES, WEBHOOK_ROUTES } from '../declarations/tables.js';
import { RUN_ROUTES } from '../declarations/runs.js';
import { alertReport } from '../local/wiring/alert-lines.js';
import { DATA_LAYOUT, DataDirInUseError } from '../local/wiring/data-dir.js';
import { feedDemo, type DemoStep } from '../local/demo/demo-feed.js';
import { findDemoSet, type DemoSet } from '../local/demo/demo-set.js';
import { OutdatedTableError } from '../local/standins/embedded-aws.js';
import { dashboardUrl, findBuiltSite } from '../local/standins/static-site.js';
import { PortInUseError } from '../local/standins/http-front.js';
import type { IngestHandlers } from '../local/wiring/ingest-functions.js';
import type { LocalLog } from '../local/standins/lambda-runtime.js';
import { startPipeline, type Pipeline } from '../local/wiring/pipeline.js';
import { loadRealHandlers } from '../local/wiring/real-handlers.js';
import { loadRealRunHandlers } from '../local/wiring/real-run-handlers.js';
import { reportLink, startRun, waitForRun, type RunApi } from '../local/clients/run-client.js';
import { listPeriods, lockPeriod } from '../local/clients/period-client.js';
import { postSigned } from '../local/clients/webhook-client.js';
import { ratePercent } from '../core/periods/period-record.js';
import { LOCAL_USERS, tokenOf } from '../local/wiring/local-users.js';
import type { RunRecord, RunRequest } from '../core/runs/run-events.js';
import type { RunHandlers } from '../local/wiring/run-functions.js';
import type { LocalExecution } from '../local/wiring/run-starter-local.js';
import { guide } from '../local/demo/start-guide.js';
import { casesGuide, usersLines } from '../local/demo/cases-guide.js';
import { CASE_ROUTES } from '../declarations/cases.js';
import { VOUCHER_ROUTES } from '../declarations/vouchers.js';
import { PERIOD_ROUTES } from '../declarations/periods.js';
import type { CaseHandlers } from '../local/wiring/case-functions.js';
import type { VoucherHandlers } from '../local/wiring/voucher-functions.js';
import { loadRealCaseHandlers } from '../local/wiring/real-case-handlers.js';
import { loadRealVoucherHandlers } from '../local/wiring/real-voucher-handlers.js';
import { loadRealPeriodHandlers } from '../local/wiring/real-period-handlers.js';
import type { PeriodHandlers } from '../local/wiring/period-functions.js';
import { listAllCases } from '../local/clients/case-client.js';
import { summaryLines } from './run-command.js';
import { UsageError } from './usage-error.js';
import { currentTime, useClock } from '../adapters/aws/clock.js';
import { systemClock } from '../clock.js';
import { offsetClock } from '../core/shared/clock.js';
import { readInstant } from '../core/shared/timestamp.js';
import { ZoneClock } from '../core/shared/zone-clock.js';
import { periodLastDay, previousPeriod } from '../core/shared/period.js';

export const START_HELP = `Usage: stocktally start [--port 4000] [--data DIR] [--demo] [--once] [--now ISO]

Runs the pipeline on this machine (CONTRACT.md section 5): embedded DynamoDB and S3, the HTTP API
on 127.0.0.1 with the real handlers, the object-created trigger on incoming/, and the run state
machine the CDK stack synthesizes. Prints the endpoints, the webhook secret and the bearer token,
and writes them to DIR/endpoints.json.

  --port N     port of the HTTP API (default 4000; 0 = any free port)
  --data DIR   where the tables and objects persist (default .stocktally)
  --demo       send the demo data set through the signed webhook and S3 drops, then reconcile it
               with a close run through the state machine and print its summary and the alerts
               the chat sink received (DingTalk, WeCom and Slack stand-ins on 127.0.0.1)
  --once       exit when started (and the demo done): status 0 only if every step succeeded
  --now ISO    run as if it were ISO, the clock running on from there (case ages, summaries,
               schedules; default: the machine's time). Signatures and links keep real time.
  -h, --help   this help

Secrets come from ${ENV.webhookSecret} and ${ENV.token} when set, else they are generated.
Without --once it runs until Ctrl-C.
`;

export interface StartArgs {
  help: boolean;
  port: number;
  data: string;
  demo: boolean;
  once: boolean;
  /** The business clock's start, when not the machine's time. */
  now?: Date;
}

export function parseStartArgs(argv: readonly string[]): StartArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '4000' },
        data: { type: 'string', default: '.stocktally' },
        demo: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        now: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { values } = parsed;
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new UsageError(`start: --port must be a port number 0-65535: ${values.port}`);
  }
  if (values.data.trim() === '') throw new UsageError('start: --data needs a directory');
  const now = values.now === undefined ? undefined : parseNow(values.now);
  return {
    help: values.help,
    port: Number(values.port),
    data: values.data,
    demo: values.demo,
    once: values.once,
    ...(now === undefined ? {} : { now }),
  };
}

/** `--now`: an ISO 8601 instant (a plain date is midnight UTC). */
function parseNow(text: string): Date {
  const read = readInstant(text, new ZoneClock('UTC'));
  if (typeof read === 'string') throw new UsageError(`start: --now ${read}`);
  return new Date(read);
}

/** Where the output goes and how the run is stopped; a test passes its own. */
export interface StartIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Resolves when the pipeline should stop (Ctrl-C by default). */
  stopped?: () => Promise<string>;
  /** The handlers to run; the real ones by default. */
  loadHandlers?: () => Promise<IngestHandlers>;
  /** The run handlers; the real ones by default. */
  loadRunHandlers?: () => Promise<RunHandlers>;
  /** The cases API handler; the real one by default. */
  loadCaseHandlers?: () => Promise<CaseHandlers>;
  /** The vouchers API handler; the real one by default. */
  loadVoucherHandlers?: () => Promise<VoucherHandlers>;
  /** The periods API handler; the real one by default. */
  loadPeriodHandlers?: () => Promise<PeriodHandlers>;
}

interface Secret {
  value: string;
  generated: boolean;
}

function secret(name: string, make: () => string): Secret {
  const value = process.env[name];
  return value !== undefined && value.trim() !== ''
    ? { value, generated: false }
    : { value: make(), generated: true };
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

function countsText(step: DemoStep): string {
  const c = step.counts;
  if (c === undefined) return `FAILED: ${step.note}`;
  return `accepted ${c.accepted}, duplicates ${c.duplicates}, conflicts ${c.conflicts}, rejected ${c.rejected}  (${step.note})`;
}

function timestampStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The states an execution went through, in order, each once: `ListPartitions -> ...`. */
function path(execution: LocalExecution): string {
  const names: string[] = [];
  for (const state of execution.states) {
    if (state.event === 'entered' && !names.includes(state.name)) names.push(state.name);
  }
  const iterations = new Set(execution.states.filter((s) => s.index !== undefined).map((s) => s.index)).size;
  return names
    .map((n) => (n === RUN_STATES.reconcilePartitions ? `${n} (${iterations} partitions)` : n))
    .join(' -> ');
}

/** Starts a run through POST /v1/runs and waits for it; undefined (said why) when it failed. */
async function demoRunOf(
  pipeline: Pipeline,
  client: RunApi,
  request: RunRequest,
  label: string,
  say: (line?: string) => void,
): Promise<RunRecord | undefined> {
  const runId = await startRun(client, request);
  say(`  run      ${label} -> POST /v1/runs, the state machine, GET /v1/runs/${runId}`);
  // The execution runs in this process: wait for it, then read the run as any client would.
  const execution = pipeline.runs?.execution(runId);
  if (execution !== undefined) {
    await execution.done;
    say(`           states: ${path(execution)}`);
    if (execution.status === 'FAILED') {
      say(`           the execution FAILED: ${execution.error ?? 'unknown error'}`);
      return undefined;
    }
    // Notify's failure is caught (alerts never fail a run), but the demo is there to show them.
    const notify = execution.states.find((s) => s.name === RUN_STATES.notify && s.event === 'caught');
    if (notify !== undefined) {
      say(`           alerts FAILED (${notify.error ?? 'unknown error'}): see the log above`);
      return undefined;
    }
  }
  const run = await waitForRun(client, runId, { pollMs: 100, timeoutMs: 10 * 60_000 });
  for (const line of summaryLines(run)) say(`           ${line}`);
  return run.status === 'SUCCEEDED' ? run : undefined;
}

/** Three receipts of the live month's first day, and one of the closed month's last day that arrives late. */
function liveMonthMovements(closed: string, live: string): Record<string, string>[] {
  const receipt = (n: number, day: string) => ({
    eventId: `DEMO-${live}-${n}`,
    warehouseId: 'WH-01',
    sku: `SKU-DEMO-${n}`,
    type: 'RECEIPT',
    quantity: String(10 * n),
    uom: 'EA',
    documentRef: `PO-DEMO-${live}-${n}`,
    occurredAt: `${day}T09:00:00Z`,
    unitCost: '25.00',
  });
  return [
    receipt(1, `${live}-01`),
    receipt(2, `${live}-01`),
    receipt(3, `${live}-01`),
    receipt(4, periodLastDay(closed)),
  ];
}

/** The earlier month closed, its cases and report shown, and locked by the reviewer; false when a step failed. */
async function closeAndLock(
  pipeline: Pipeline,
  client: RunApi,
  token: string,
  months: { closed: string; live: string },
  say: (line?: string) => void,
): Promise<boolean> {
  const { closed, live } = months;
  const locked = (await listPeriods(client)).find((p) => p.period === closed && p.status === 'locked');
  if (locked !== undefined) {
    // A start over the same data: the month's close is final, and a close of it would be refused.
    say(
      `  close    ${closed} is locked already (${locked.lockedAt ?? '?'}): its close run ${locked.lastCloseRunId ?? '?'} stands`,
    );
    return true;
  }
  const close = await demoRunOf(
    pipeline,
    client,
    { mode: 'close', period: closed },
    `close of ${closed}`,
    say,
  );
  if (close === undefined) return false;
  // One case per discrepancy, opened by the run's partitions as they wrote them.
  const cases = await listAllCases(client);
  const red = cases.filter((c) => c.severity === 'RED').length;
  say(`  cases    ${cases.length} opened (RED ${red}), one per discrepancy -> GET /v1/cases`);
  // The PDF report through GET /v1/runs/{runId}/report: a presigned link on the embedded S3.
  try {
    say(`  report   ${await reportLink(client, close.runId, 'pdf')}`);
  } catch (error) {
    say(`  report   not available: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  const reviewer = LOCAL_USERS.find((u) => u.roles.includes('finance-reviewer'));
  const reviewerClient = reviewer === undefined ? client : { ...client, token: tokenOf(token, reviewer) };
  const lock = await lockPeriod(
    reviewerClient,
    closed,
    `demo: ${closed} is locked with its RED items open; they carry into ${live} as open items`,
  );
  say(
    `  lock     ${closed} locked by ${lock.lockedBy ?? '?'}${lock.override === null ? '' : ' (override: the close-check had blockers)'} -> POST /v1/periods/${closed}/lock`,
  );
  return true;
}

/**
 * Two months of the demo (CONTRACT §7): the earlier month closed, its cases opened and its PDF
 * report signed for, then locked by the reviewer (with an override while RED items stay open);
 * then the live month as of the demo's asOf, its open items carried. True when every step worked.
 */
async function demoRun(
  pipeline: Pipeline,
  token: string,
  webhookSecret: string,
  asOf: string,
  say: (line?: string) => void,
): Promise<boolean> {
  const client = { api: pipeline.api, token };
  const live = asOf.slice(0, 7);
  const closed = previousPeriod(live);
  try {
    if (!(await closeAndLock(pipeline, client, token, { closed, live }, say))) return false;
    // The live month gets its first receipts, and one receipt of the locked month arrives late.
    const { status, answer } = await postSigned({
      url: `${pipeline.api}/v1/movements`,
      secret: webhookSecret,
      body: JSON.stringify(liveMonthMovements(closed, live)),
      contentType: 'application/json',
    });
    if (status !== 200) {
      say(`  webhook  ${live}'s first movements answered ${status}: ${JSON.stringify(answer).slice(0, 200)}`);
      return false;
    }
    const counts = answer as { accepted?: number; lateArrivals?: number };
    say(
      `  webhook  ${counts.accepted ?? 0} movements, ${counts.lateArrivals ?? 0} dated in locked ${closed} (a late arrival) -> POST /v1/movements`,
    );
    const view = await demoRunOf(
      pipeline,
      client,
      { mode: 'continuous', asOf },
      `live view of ${live} as of ${asOf}`,
      say,
    );
    if (view === undefined) return false;
    say('  periods  GET /v1/periods');
    for (const p of await listPeriods(client)) {
      const rate = p.errorRate === null ? '-' : ratePercent(p.errorRate);
      say(
        `           ${p.period}  ${p.status.padEnd(6)}  error rate ${rate.padStart(8)}  at stake ${(p.moneyAtStake ?? '-').padStart(12)}  close days ${p.closeDays ?? '-'}  late ${p.lateArrivals}`,
      );
    }
    return true;
  } catch (error) {
    say(`  run      FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

export async function runStart(
  argv: string[],
  io: StartIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const args = parseStartArgs(argv);
  const say = (line = ''): void => void io.out.write(`${line}\n`);
  if (args.help) {
    io.out.write(START_HELP);
    return 0;
  }
  // One clock for everything this command assembles: the functions read it through currentTime().
  const restoreClock = args.now === undefined ? undefined : useClock(offsetClock(args.now, systemClock));
  try {
    return await startWith(args, io, say);
  } finally {
    restoreClock?.();
  }
}

async function startWith(args: StartArgs, io: StartIo, say: (line?: string) => void): Promise<number> {
  const webhookSecret = secret(ENV.webhookSecret, () => randomBytes(32).toString('hex'));
  const token = secret(ENV.token, () => randomBytes(24).toString('base64url'));
  let demo: DemoSet | undefined;
  if (args.demo) {
    try {
      demo = findDemoSet();
    } catch (error) {
      throw new UsageError(`start --demo: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // Requests and invocations are shown once the start-up text is out; failures always.
  let chatty = false;
  const log: LocalLog = {
    info: (line) => {
      if (chatty) say(`  ${currentTime().toISOString().slice(11, 19)} ${line}`);
    },
    error: (line) => void io.err.write(`  ${currentTime().toISOString().slice(11, 19)} ${line}\n`),
  };

  // The dashboard (issue 9), when the build made it: served at / on the API's port.
  const site = findBuiltSite();
  let pipeline: Pipeline;
  try {
    pipeline = await startPipeline({
      dataDir: args.data,
      port: args.port,
      webhookSecret: webhookSecret.value,
      token: token.value,
      loadHandlers: io.loadHandlers ?? loadRealHandlers,
      runs: { loadHandlers: io.loadRunHandlers ?? loadRealRunHandlers },
      cases: { loadHandlers: io.loadCaseHandlers ?? loadRealCaseHandlers },
      vouchers: { loadHandlers: io.loadVoucherHandlers ?? loadRealVoucherHandlers },
      periods: { loadHandlers: io.loadPeriodHandlers ?? loadRealPeriodHandlers },
      ...(site === undefined ? {} : { siteDir: site }),
      log,
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      throw new UsageError(`start: ${error.message}; choose another with --port N (0 = any free port)`);
    }
    if (error instanceof DataDirInUseError) throw new UsageError(`start: ${error.message}`);
    if (error instanceof OutdatedTableError) throw new UsageError(`start: ${error.message}`);
    throw error;
  }

  let ok = true;
  try {
    const endpointsFile = join(pipeline.dataDir, DATA_LAYOUT.endpoints);
    const endpoints = {
      api: pipeline.api,
      s3: pipeline.s3,
      dynamodb: pipeline.dynamodb,
      bucket: pipeline.bucket,
      webhookSecret: webhookSecret.value,
      token: token.value,
    };
    await writeFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });

    const chosen = (s: Secret, name: string): string =>
      s.generated ? `generated; set ${name} to choose your own` : `from ${name}`;
    const routes = WEBHOOK_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ');
    const runRoutes = RUN_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ');
    say(
      `Stocktally local pipeline: embedded DynamoDB (dynalite) and S3 (s3rver), data in ${shown(pipeline.dataDir)}`,
    );
    say();
    say(`  API             ${pipeline.api}   (${routes}: signed webhooks)`);
    say(`                  ${runRoutes}: bearer token`);
    say(
      `                  ${[...CASE_ROUTES, ...VOUCHER_ROUTES, ...PERIOD_ROUTES].map((r) => `${r.method} ${r.path}`).join(', ')}: a user's token`,
    );
    say(
      `  state machine   the run definition synthesized from the CDK stack, run by aws-local-stepfunctions`,
    );
    say(
      `  IAM             every function's calls checked against its own policy in the stack, deny by default`,
    );
    say(`  S3              ${pipeline.s3}   bucket ${pipeline.bucket}, drops under incoming/`);
    if (pipeline.alerts !== undefined) {
      say(
        `  chat sink       ${pipeline.alerts.sink.url}   DingTalk, WeCom and Slack stand-ins for ${shown(pipeline.alerts.configPath)}`,
      );
    }
    say(`  DynamoDB        ${pipeline.dynamodb}   tables ${TABLES.map((t) => t.localName).join(', ')}`);
    say(`  webhook secret  ${webhookSecret.value}   (${chosen(webhookSecret, ENV.webhookSecret)})`);
    say(`  bearer token    ${token.value}   (${chosen(token, ENV.token)}; every route but the webhooks)`);
    say(`  endpoints       ${shown(endpointsFile)}`);
    for (const line of usersLines(token.value)) say(line);
    say(
      site === undefined
        ? '  dashboard       not built (npm run build makes dist/web/)'
        : `  dashboard       ${dashboardUrl(pipeline.api, token.value)}   (signed in with the bearer token)`,
    );
    say();

    if (demo !== undefined) {
      const { documents } = demo.manifest.generator;
      say(`Demo: ${shown(demo.dir)}/ (${documents} documents) through both ingest paths`);
      const steps = await feedDemo({
        api: pipeline.api,
        webhookSecret: webhookSecret.value,
        s3Client: pipeline.s3Client,
        bucket: pipeline.bucket,
        trigger: pipeline.trigger,
        demo,
        stamp: timestampStamp(currentTime()),
      });
      for (const step of steps) {
        const via = step.path === 'webhook' ? 'webhook' : 'S3 drop';
        say(`  ${via.padEnd(8)} ${step.file.padEnd(11)} -> ${step.target}`);
        say(`           ${countsText(step)}`);
      }
      ok = steps.every((s) => s.ok);
      if (ok)
        ok = await demoRun(pipeline, token.value, webhookSecret.value, demo.manifest.generator.asOf, say);
      if (pipeline.alerts !== undefined) {
        const file = join(pipeline.dataDir, 'alerts-received.json');
        const lines = await alertReport(pipeline.alerts, file);
        say(
          `  alerts   ${lines.length === 0 ? 'none new: earlier runs alerted everything this run found' : 'what each channel received (chat at the sink, emails as SNS would send them)'}`,
        );
        for (const line of lines) say(`           ${line}`);
        say(`           in full: ${shown(file)}`);
        if (pipeline.alerts.publisher.deadLetters.length > 0) ok = false;
      }
      const { allowed, refused } = pipeline.iam.counts;
      say(
        `  IAM      ${allowed + refused} calls checked against the functions' own policies, ${refused} refused`,
      );
      // A refused call is a grant the stack lacks: it would fail in the cloud too.
      if (refused > 0) ok = false;
      say(ok ? '  demo: every step succeeded' : '  demo: FAILED (see above)');
      say();
    }

    for (const line of guide(
      {
        api: pipeline.api,
        s3: pipeline.s3,
        dynamodb: pipeline.dynamodb,
        bucket: pipeline.bucket,
        webhookSecret: webhookSecret.value,
        token: token.value,
        dataDir: shown(pipeline.dataDir),
        ...(demo === undefined ? {} : { demoDir: shown(demo.dir), demoAsOf: demo.manifest.generator.asOf }),
      },
      systemClock(),
    )) {
      say(line);
    }
    say();
    const period = demo === undefined ? undefined : demo.manifest.generator.asOf.slice(0, 7);
    for (const line of casesGuide(
      pipeline.api,
      token.value,
      shown(pipeline.dataDir),
      period === undefined ? undefined : previousPeriod(period),
    )) {
      say(line);
    }
    say();

    if (site !== undefined) {
      say(`Dashboard: ${dashboardUrl(pipeline.api, token.value)}`);
      say();
    }
    if (args.once) return ok ? 0 : 1;
    say('Running; requests are logged below. Ctrl-C stops.');
    chatty = true;
    const signal = await (io.stopped ?? untilSignal)();
    say(`${signal}: stopping`);
    return 0;
  } finally {
    await pipeline.stop();
  }
}
