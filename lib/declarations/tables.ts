/**
 * The names and shapes of every AWS resource, declared once: the CDK stack builds them from here and
 * the local pipeline (`stocktally start`) creates the very same tables and bucket on the embedded
 * stand-ins, so local and cloud cannot drift. Physical names are fixed only locally; in the cloud
 * CloudFormation names them and the functions learn them from the environment variables below.
 */
export interface IndexDeclaration {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** Non-key attributes the index holds (INCLUDE); without it, every attribute (ALL). */
  include?: readonly string[];
}

export interface TableDeclaration {
  /** Construct id in the stack, and the table name on the local stand-in. */
  id: string;
  localName: string;
  partitionKey: string;
  sortKey: string;
  indexes: readonly IndexDeclaration[];
  /** The environment variable that carries the table's name to a function. */
  env: string;
  /** The attribute (epoch seconds) after which DynamoDB may delete an item, when items carry one. */
  timeToLiveAttribute?: string;
}

/**
 * Ledger records as ingested, one item per version of a record (see README, "Idempotent writes"):
 *   pk `wms#<eventId>` | `finance#<entryId>`, sk `v#<contentHash>`  the record; gpk/gsk put it in
 *                                                                      the by-partition index
 *   pk as above, sk `head`                                            the first hash seen for the id
 *   pk as above, sk `conflict#<contentHash>`                          other content, kept for review
 *   pk `dirty`, sk `p#<partition>`                                    partitions changed since a run
 *   pk `checkpoint#<bucket>/<key>`, sk `<etag>`                       resumable S3 drops
 *   pk `journal#<source>`, sk `e#<seq, 12 digits>`                    the ingest journal: each
 *                                                                      delivery's new records' content
 *                                                                      hashes, chained (issue 16)
 *   pk `period`, sk `YYYY-MM`                                         a period with records: its latest
 *                                                                      close's figures and its lock
 *                                                                      (lib/adapters/periods/period-store.ts)
 *   pk `late#YYYY-MM`, sk `<source>#<id>`                             a record that arrived after its
 *                                                                      period was locked (CONTRACT §7)
 */
export const RECORDS_TABLE: TableDeclaration = {
  id: 'Records',
  localName: 'stocktally-records',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'by-partition', partitionKey: 'gpk', sortKey: 'gsk' }],
  env: 'STOCKTALLY_RECORDS_TABLE',
};

/**
 * Runs, their discrepancies and each group's lifecycle (lib/adapters/runs/run-store.ts). `p#NNNN` is the
 * partition as in the records table; `<groupKey>` is `warehouseId|sku|documentRef` (lib/core/records/group-key.ts:
 * `|` and `\` inside a part escaped).
 *   pk `run#<runId>`, sk `run`                      the run record (status, mode, asOf, summary,
 *                                                    failures, timings) and the dirty-mark versions
 *                                                    it listed
 *   pk `run#<runId>`, sk `part#p#NNNN`              one partition's task answer and report (rejected
 *                                                    rows, conflicts, resolved count, time split)
 *   pk `run#<runId>`, sk `d#p#NNNN#<groupKey>`      a discrepancy the run found (state NEW or
 *                                                    PERSISTING) or resolved (RESOLVED), with kind,
 *                                                    severity, warehouseId, state for filters, the
 *                                                    shown object and the group's status before the
 *                                                    run (`prior`); gpk `group#<groupKey>`, gsk
 *                                                    `<asOf>#<runId>` put it in the by-group index:
 *                                                    a group's history across runs
 *   pk `life#p#NNNN`, sk `<groupKey>`               a group's lifecycle as of the last run that
 *                                                    committed it (`current`, `runId`), and its
 *                                                    status before that run (`prior`), from which a
 *                                                    re-run of the same run id starts again;
 *                                                    a RESOLVED one carries `expiresAt` (epoch s,
 *                                                    35 days on) for a TTL on that attribute
 *   pk `alert#p#NNNN`, sk `<groupKey>`              what the alerts said of an open group (`mark`:
 *                                                    severity and age bucket last seen and last
 *                                                    alerted, whether a RED alert went out), for
 *                                                    de-duplication across runs (lib/core/alerts/alert-plan.ts);
 *                                                    deleted when the group is resolved
 *   pk `alert#digest`, sk `YYYY-MM-DD`              the run that sends that day's daily digest
 *                                                    (claimed with a conditional put)
 *   pk `alert#run#<runId>`, sk `<messageId>`        a message the notify task published for the run,
 *                                                    so a retry publishes only the rest; `expiresAt`
 *                                                    lets a TTL drop it
 *   pk `run#<runId>`, sk `heatmap`                  the run's dashboard aggregates (gzipped JSON)
 * Run items also carry gpk `runs`, gsk `<startedAt>#<runId>` and a `brief` (GET /v1/runs lists them
 * newest first through by-group); discrepancy items carry `ageBucket` and ssk `<money at stake,
 * zero-padded>#<groupKey>` and wpk `run#<runId>#<warehouseId>`, which put them in the sparse
 * by-run-stake and by-run-warehouse indexes (pages by money, of the run or of one warehouse).
 */
export const RUNS_TABLE: TableDeclaration = {
  id: 'Runs',
  localName: 'stocktally-runs',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'by-group', partitionKey: 'gpk', sortKey: 'gsk' },
    // Sparse: only discrepancy items carry ssk (money at stake, sortable), for sorted pages (issue 9).
    { name: 'by-run-stake', partitionKey: 'pk', sortKey: 'ssk' },
    // Sparse too: a run's discrepancies of one warehouse by money (wpk `run#<runId>#<warehouseId>`).
    { name: 'by-run-warehouse', partitionKey: 'wpk', sortKey: 'ssk' },
  ],
  env: 'STOCKTALLY_RUNS_TABLE',
  // Resolved lifecycle items and the notify task's sent-message marks carry it (see above).
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Cases of the exception workflow (issue 8): what is current and may change, each item a
 * projection of the append-only events in CASE_EVENTS_TABLE (lib/adapters/cases/case-store.ts).
 * `<groupKey>` is `warehouseId|sku|documentRef`.
 *   pk `case#<groupKey>`, sk `head`       the case as of its last event (`workflow`, version, lastHash;
 *                                          state, owner, severity, warehouseId, firstSeen for filters),
 *                                          and its discrepancy as the runs last found it (`facts`,
 *                                          factsHash); lpk `case`, lsk `<openedAt>#<groupKey>` list it
 *                                          (index by-opened), ppk `period#<YYYY-MM>`, psk `<groupKey>` by
 *                                          its accounting period (index by-period, the close check);
 *                                          openSeverity `<severity>` only while the case is open
 *                                          (index open-by-severity: GET /v1/cases/summary counts);
 *                                          dueBy: the due date while awaiting the books, else `none`
 *   pk `freeze`, sk `<warehouseId>|<account code>`   a frozen account, and the cases whose automatic
 *                                          close it holds
 *   pk `journal#<YYYY-MM>`, sk `<entryId>`           an approved adjusting entry of the period
 *   pk `awaiting`, sk `<groupKey>`                   a case waiting for the books (since, dueBy): the
 *                                          overdue check reads these, not every case
 */
export const CASES_TABLE: TableDeclaration = {
  id: 'Cases',
  localName: 'stocktally-cases',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'by-opened', partitionKey: 'lpk', sortKey: 'lsk' },
    { name: 'by-period', partitionKey: 'ppk', sortKey: 'psk' },
    // Sparse: only heads of open cases (OPEN_CASE_STATES) carry openSeverity; oldest first.
    {
      name: 'open-by-severity',
      partitionKey: 'openSeverity',
      sortKey: 'firstSeen',
      include: ['warehouseId'],
    },
  ],
  env: 'STOCKTALLY_CASES_TABLE',
};

/**
 * The audit trail of every case, append-only: written only by conditional puts that never replace
 * an item, never updated or deleted (the functions' roles hold no such permission on it).
 *   pk `case#<groupKey>`, sk `e#<seq, 8 digits>`   one event: type, at, actor, data, prevHash, hash
 */
export const CASE_EVENTS_TABLE: TableDeclaration = {
  id: 'CaseEvents',
  localName: 'stocktally-case-events',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [],
  env: 'STOCKTALLY_CASE_EVENTS_TABLE',
};

export const TABLES: readonly TableDeclaration[] = [
  RECORDS_TABLE,
  RUNS_TABLE,
  CASES_TABLE,
  CASE_EVENTS_TABLE,
];

export const BUCKET = {
  id: 'Data',
  localName: 'stocktally-data',
  env: 'STOCKTALLY_BUCKET',
  /**
   * Drops land here: incoming/wms/, incoming/finance/, and the reference tables incoming/uom/,
   * incoming/costs/, incoming/rates/ (exchange rates) and incoming/codes/ (the code mapping).
   */
  incomingPrefix: 'incoming/',
  /** Each drop's result: ingest-reports/<the same key>.json. */
  ingestReportPrefix: 'ingest-reports/',
  /** The current reference tables, copied here from accepted drops. */
  tablesPrefix: 'tables/',
  /** The tables a run reads; each absent until its first accepted drop. */
  uomTableKey: 'tables/uom.csv',
  costsTableKey: 'tables/costs.csv',
  ratesTableKey: 'tables/rates.csv',
  /** The code mapping, applied at ingest (both ingest paths read it) rather than by the runs. */
  codesTableKey: 'tables/codes.csv',
  reportsPrefix: 'reports/',
  /** Configuration documents the functions read at run time (alert routing, the case workflow). */
  configPrefix: 'config/',
  /** The alert routing document (config/alerts.yaml in the repository, deployed here). */
  alertConfigKey: 'config/alerts.yaml',
} as const;

export const ENV = {
  /** Partition count shared by ingest (dirty marks) and runs; the CLI's default too. */
  partitions: 'STOCKTALLY_PARTITIONS',
  timeZone: 'STOCKTALLY_TIMEZONE',
  /** The functional currency (CONTRACT §10), ISO 4217; CNY when unset. */
  currency: 'STOCKTALLY_CURRENCY',
  /** `true`: runs check finance lines against the workflow's account mapping (ACCOUNT_MISMATCH). */
  checkAccounts: 'STOCKTALLY_CHECK_ACCOUNTS',
  /** `true`: a difference the cost variance explains whole is compensated (README, "Cost variance"). */
  varianceCompensates: 'STOCKTALLY_VARIANCE_COMPENSATES',
  /** Secrets Manager ARNs of the webhook secrets per source system (cloud). */
  wmsSecretArn: 'STOCKTALLY_WMS_SECRET_ARN',
  financeSecretArn: 'STOCKTALLY_FINANCE_SECRET_ARN',
  /** The webhook secret itself (local only; the cloud reads Secrets Manager). */
  webhookSecret: 'STOCKTALLY_WEBHOOK_SECRET',
  /** Bearer token of the local API (local only). */
  token: 'STOCKTALLY_TOKEN',
  /** Alerts (issue 7): the SNS topic per severity the notify function publishes to. */
  alertTopicRed: 'STOCKTALLY_ALERT_TOPIC_RED_ARN',
  alertTopicYellow: 'STOCKTALLY_ALERT_TOPIC_YELLOW_ARN',
  alertTopicGreen: 'STOCKTALLY_ALERT_TOPIC_GREEN_ARN',
  /** Base URL of the HTTP API, for the report links in alerts. */
  apiUrl: 'STOCKTALLY_API_URL',
  /** The dashboard's address (cloud): alerts link the run's page there, where people are signed in. */
  dashboardUrl: 'STOCKTALLY_DASHBOARD_URL',
  /**
   * Chat secrets by secret name, as JSON (local only: the cloud reads Secrets Manager):
   * {"<secret name>": {"webhookUrl": "...", "signingSecret": "..."}}.
   */
  chatSecrets: 'STOCKTALLY_CHAT_SECRETS',
  /**
   * The digest log (issue 16: every chain link anchored where the functions cannot rewrite it): the
   * Object Lock bucket in the cloud, a directory holding the append-only digests.ndjson locally.
   */
  auditBucket: 'STOCKTALLY_AUDIT_BUCKET',
  auditDir: 'STOCKTALLY_AUDIT_DIR',
  /** Endpoint overrides for the embedded stand-ins (local only). */
  dynamodbEndpoint: 'STOCKTALLY_DYNAMODB_ENDPOINT',
  s3Endpoint: 'STOCKTALLY_S3_ENDPOINT',
} as const;

/** Where the digest log's objects go in the audit bucket (issue 16; lib/adapters/ingest/digest-log.ts). */
export const AUDIT_DIGEST_PREFIX = 'audit/digests/';

/** The webhook routes of CONTRACT §4 and the record source each one feeds. */
export const WEBHOOK_ROUTES = [
  { method: 'POST', path: '/v1/movements', source: 'wms' },
  { method: 'POST', path: '/v1/entries', source: 'finance' },
] as const;

/** Webhook limits of CONTRACT §4. */
export const WEBHOOK_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRecords: 10_000, maxSkewSeconds: 300 } as const;

/** Lambda entry points, bundled by NodejsFunction in the cloud and imported directly locally. */
export const HANDLERS = {
  webhook: 'functions/ingest/webhook.ts',
  s3Drop: 'functions/ingest/s3-drop.ts',
  /** The run state machine's three tasks (see RUN_STATES) and the runs API. */
  listPartitions: 'functions/runs/list-partitions.ts',
  reconcilePartition: 'functions/runs/reconcile-partition.ts',
  summarizeRun: 'functions/runs/summarize-run.ts',
  runsApi: 'functions/runs/runs-api.ts',
  /** Alerts (issue 7): the run's Notify task, and the chat delivery behind the SNS topics. */
  notifyRun: 'functions/notify/notify-run.ts',
  deliverChat: 'functions/notify/deliver-chat.ts',
  /** The Catch of ListPartitions and SummarizeRun: closes the run FAILED. */
  failRun: 'functions/runs/fail-run.ts',
  /** The cases API (issue 8). */
  casesApi: 'functions/cases/cases-api.ts',
  /** The vouchers of every movement, with their status (CONTRACT §9). */
  vouchersApi: 'functions/vouchers/vouchers-api.ts',
  /** The periods: their closes, locks and late arrivals (CONTRACT §7). */
  periodsApi: 'functions/periods/periods-api.ts',
} as const;

/**
 * The run state machine's state names: the CDK definition uses them, and the local runner binds
 * each Lambda task to its real handler by these names.
 */
export const RUN_STATES = {
  listPartitions: 'ListPartitions',
  reconcilePartitions: 'ReconcilePartitions',
  reconcilePartition: 'ReconcilePartition',
  recordFailure: 'RecordPartitionFailure',
  summarizeRun: 'SummarizeRun',
  /** After SummarizeRun: alerts; a failure is caught so it never fails the run. */
  notify: 'Notify',
  notifyFailed: 'NotifyFailed',
  /** ListPartitions or SummarizeRun failed after its retries: the run is closed FAILED. */
  listPartitionsFailed: 'ListPartitionsFailed',
  summarizeRunFailed: 'SummarizeRunFailed',
  markRunFailed: 'MarkRunFailed',
  runFailed: 'RunFailed',
} as const;

/**
 * Above this many partitions a run uses a Distributed Map reading its partition list from S3. An
 * inline Map's output is about 600 bytes per partition and a state's payload at most 256 KB, so the
 * inline path must stay well under ~400 partitions.
 */
export const DISTRIBUTED_MAP_THRESHOLD = 256;
