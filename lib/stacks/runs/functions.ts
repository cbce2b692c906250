import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FONT_PACKAGE } from '../../report/fonts.js';
import { WORKFLOW_CONFIG_KEY, WORKFLOW_DEFAULT } from '../../declarations/cases.js';
import { BUCKET, ENV, HANDLERS, RECORDS_TABLE, RUNS_TABLE } from '../../declarations/tables.js';
import { RUN_FUNCTIONS, RUN_ROUTES } from '../../declarations/runs.js';
import { StocktallyFunction } from '../function.js';
import { rulesEnvironment } from '../rules.js';
import type { RunFunctions, RunsProps } from './props.js';

/**
 * The run functions, each with least privilege: the three tasks of the state machine, the runs API
 * and MarkRunFailed (the state machine is lib/stacks/runs/workflow.ts).
 */
/** Objects of runs: runs/<runId>/partitions.json and the Distributed Map's results. */
export const RUN_OBJECTS_PREFIX = 'runs/';

/** The records table's items under pk `dirty`: the partitions changed since a run (lib/declarations/tables.ts). */
export const DIRTY_MARKERS_KEY = 'dirty';

/** The runs table's items of runs (`run#<runId>`) and of groups' lifecycles (`life#p#NNNN`). */
const RUN_ITEMS = 'run#*';
const LIFECYCLE_ITEMS = 'life#*';
/** Where the live view stands (lib/adapters/runs/live-view.ts): a run as of an earlier instant is a snapshot. */
const LIVE_ITEM = 'live';
/** The periods (records table): their locks and closes, and their late arrivals (CONTRACT §7). */
const PERIOD_ITEMS = 'period';
const LATE_ITEMS = 'late#*';
/** The arrival histories of CONTRACT §11 (lib/adapters/runs/run-store.ts): pending, then committed. */
const DIAGNOSIS_ITEMS = 'diagnosis#*';

const BY_PARTITION = RECORDS_TABLE.indexes[0]?.name ?? 'by-partition';

/** The two weights the PDF report uses, from the font package lib/report/fonts.ts resolves. */
const REPORT_FONT_FILES = ['Regular', 'Bold'].map(
  (weight) => `node_modules/${FONT_PACKAGE}/fonts/NotoSansHans-${weight}.otf`,
);

export function createRunFunctions(scope: Construct, props: RunsProps): RunFunctions {
  const common = { [ENV.partitions]: String(props.partitions), [ENV.timeZone]: props.timeZone };
  const base = {
    stage: props.stage,
    projectRoot: props.projectRoot,
    environment: common,
    invokedBy: 'stateMachine' as const,
  };
  const runsIndex = (name: string): string => {
    const found = RUNS_TABLE.indexes.find((i) => i.name === name);
    if (found === undefined) throw new Error(`the runs table declares no index ${name}`);
    return found.name;
  };

  const listPartitions = new StocktallyFunction(scope, 'ListPartitions', {
    ...base,
    entry: HANDLERS.listPartitions,
    description:
      'Run step 1: the partitions to reconcile (dirty ones, or all for a close), listed in S3 at scale',
    timeout: Duration.seconds(RUN_FUNCTIONS.listPartitions.timeoutSeconds),
  })
    // The dirty markers and the period's lock, never a ledger record; the new run record and the live view.
    .bindTable(props.records, {
      items: [
        { actions: ['Query'], leadingKeys: [DIRTY_MARKERS_KEY] },
        { actions: ['GetItem'], leadingKeys: [PERIOD_ITEMS] },
      ],
    })
    .bindTable(props.runs, {
      items: [
        { actions: ['PutItem'], leadingKeys: [RUN_ITEMS] },
        { actions: ['GetItem', 'PutItem'], leadingKeys: [LIVE_ITEM] },
      ],
    })
    .bindBucket(props.bucket, { write: [RUN_OBJECTS_PREFIX] });

  const reconcilePartition = new StocktallyFunction(scope, 'ReconcilePartition', {
    ...base,
    entry: HANDLERS.reconcilePartition,
    description:
      "Run step 2, once per partition: reconciles the partition's records, writes its discrepancies",
    timeout: Duration.seconds(RUN_FUNCTIONS.reconcilePartition.timeoutSeconds),
    memorySize: 2048,
    // The cases it opens take their owners from the workflow configuration (its default bundled).
    ...(props.cases === undefined
      ? {}
      : {
          environment: {
            ...common,
            ...rulesEnvironment(props.rules),
            [WORKFLOW_DEFAULT.env]: WORKFLOW_DEFAULT.bundled,
          },
          bundledFiles: [WORKFLOW_DEFAULT.path],
        }),
  })
    // The partition's records through the by-partition index, the locked periods' late arrivals.
    .bindTable(props.records, {
      items: [
        { actions: ['Query'], leadingKeys: [PERIOD_ITEMS, LATE_ITEMS] },
        // The periods its records are dated in, noted (a backfill after an upgrade in place).
        { actions: ['UpdateItem'], leadingKeys: [PERIOD_ITEMS] },
      ],
      indexes: [BY_PARTITION],
    })
    // The run record and its items (read, replaced for this partition); the groups' lifecycle read.
    .bindTable(props.runs, {
      items: [
        { actions: ['GetItem', 'Query', 'BatchWriteItem'], leadingKeys: [RUN_ITEMS] },
        { actions: ['Query'], leadingKeys: [LIFECYCLE_ITEMS] },
        // The arrival histories diagnosis learns from (read), this partition's (written pending).
        { actions: ['Query', 'BatchWriteItem'], leadingKeys: [DIAGNOSIS_ITEMS] },
      ],
    })
    // The unit, cost and rate tables, and the workflow configuration: each absent on a fresh deployment.
    .bindBucket(props.bucket, {
      optional: [
        BUCKET.uomTableKey,
        BUCKET.costsTableKey,
        BUCKET.ratesTableKey,
        ...(props.cases === undefined ? [] : [WORKFLOW_CONFIG_KEY]),
      ],
    });
  props.cases?.partitions.bind(reconcilePartition);

  const summarizeRun = new StocktallyFunction(scope, 'SummarizeRun', {
    ...base,
    entry: HANDLERS.summarizeRun,
    description: 'Run step 3: the run summary and status, the discrepancy lifecycle, clean dirty marks',
    timeout: Duration.seconds(RUN_FUNCTIONS.summarizeRun.timeoutSeconds),
    // The report it renders needs the PDF fonts (lib/report/fonts.ts): shipped beside the bundle.
    environment: { ...common, STOCKTALLY_FONT_DIR: '/var/task' },
    bundledFiles: REPORT_FONT_FILES,
  })
    // Clears the dirty markers the run listed (a conditional delete each) and records a close as its
    // period's latest; no other ledger item.
    .bindTable(props.records, {
      items: [
        { actions: ['DeleteItem'], leadingKeys: [DIRTY_MARKERS_KEY] },
        { actions: ['UpdateItem'], leadingKeys: [PERIOD_ITEMS] },
      ],
    })
    // The run, its partitions' reports and discrepancies, the lifecycle it commits, the heat map.
    .bindTable(props.runs, {
      items: [
        {
          actions: ['GetItem', 'PutItem', 'Query', 'BatchWriteItem'],
          leadingKeys: [RUN_ITEMS, LIFECYCLE_ITEMS],
        },
        // The run's pending arrival histories committed for the next run to learn from.
        { actions: ['Query', 'BatchWriteItem'], leadingKeys: [DIAGNOSIS_ITEMS] },
      ],
    })
    // A Distributed Map's results are read back from runs/map-results/; the report it renders
    // in-process (lib/adapters/runs/run-report.ts) is written under reports/.
    .bindBucket(props.bucket, { read: [RUN_OBJECTS_PREFIX], write: [BUCKET.reportsPrefix] });
  // The report's cause / rectification / owner columns come from the cases.
  props.cases?.report.bind(summarizeRun);

  const runsApi = new StocktallyFunction(scope, 'RunsApi', {
    ...base,
    invokedBy: 'api',
    entry: HANDLERS.runsApi,
    description: `Runs routes ${RUN_ROUTES.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    timeout: Duration.seconds(RUN_FUNCTIONS.runsApi.timeoutSeconds),
  })
    // A discrepancy's detail shows both sides' stored records by id (the dashboard, issue 9); a close
    // asked of a locked period is refused (its lock read).
    .bindTable(props.records, {
      items: [
        { actions: ['BatchGetItem'], leadingKeys: ['wms#*', 'finance#*'] },
        { actions: ['GetItem'], leadingKeys: [PERIOD_ITEMS] },
      ],
    })
    // Runs and their items; the runs list and a group's history (by-group), pages by money.
    .bindTable(props.runs, {
      items: [{ actions: ['GetItem', 'PutItem', 'Query'], leadingKeys: [RUN_ITEMS] }],
      indexes: ['by-group', 'by-run-stake', 'by-run-warehouse'].map(runsIndex),
    })
    // Presigned report links are signed with this role: it may read reports/ and nothing else.
    .bindBucket(props.bucket, { read: [BUCKET.reportsPrefix] });

  const failRun = new StocktallyFunction(scope, 'FailRun', {
    ...base,
    entry: HANDLERS.failRun,
    description: 'Catch of run steps 1 and 3: closes the run FAILED with the step and its cause',
    timeout: Duration.seconds(RUN_FUNCTIONS.failRun.timeoutSeconds),
  }).bindTable(props.runs, { items: [{ actions: ['GetItem', 'PutItem'], leadingKeys: [RUN_ITEMS] }] });

  return { listPartitions, reconcilePartition, summarizeRun, runsApi, failRun };
}
