/**
 * The runs feature's names that the CDK stack and the local pipeline share, beside lib/declarations/tables.ts
 * (HANDLERS, RUN_STATES, DISTRIBUTED_MAP_THRESHOLD): the runs routes of CONTRACT §4, the variable
 * that tells the runs API which state machine to start, and the scheduled runs. Nothing here imports
 * CDK or an AWS SDK, so the bundled CLI can use it.
 */

/** The runs routes of CONTRACT §4: the JWT authorizer (people, the dashboard) in the cloud, a bearer token locally. */
export const RUN_ROUTES = [
  { method: 'POST', path: '/v1/runs' },
  { method: 'GET', path: '/v1/runs/{runId}' },
  { method: 'GET', path: '/v1/runs/{runId}/discrepancies' },
  { method: 'GET', path: '/v1/runs/{runId}/report' },
  // The dashboard's (issue 9): recent runs with their summaries, and a run's heat map aggregates.
  { method: 'GET', path: '/v1/runs' },
  { method: 'GET', path: '/v1/runs/{runId}/heatmap' },
  { method: 'GET', path: '/v1/runs/{runId}/discrepancies/{groupKey}' },
] as const;

/** The ARN of the run state machine, for the runs API's StartExecution. */
export const RUN_STATE_MACHINE_ARN_ENV = 'STOCKTALLY_RUN_STATE_MACHINE_ARN';

/** Where a Distributed Map writes its results (S3 adds `<map run id>/manifest.json` and result files). */
export const DISTRIBUTED_RESULTS_PREFIX = 'runs/map-results/';

export { SCHEDULED_RUNS, type ScheduledRun, type ScheduledRunName } from '../core/runs/schedules.js';

export type RunFunctionName =
  'listPartitions' | 'reconcilePartition' | 'summarizeRun' | 'runsApi' | 'notifyRun' | 'failRun';

/**
 * The run functions' names on the stand-ins and their timeouts, the same in the stack and locally.
 * A state's task timeout is its function's plus a margin, so a slow function fails as a function
 * error (retried, then caught) before the state itself times out.
 */
export const RUN_FUNCTIONS: Readonly<Record<RunFunctionName, { localName: string; timeoutSeconds: number }>> =
  {
    listPartitions: { localName: 'stocktally-list-partitions', timeoutSeconds: 120 },
    reconcilePartition: { localName: 'stocktally-reconcile-partition', timeoutSeconds: 600 },
    summarizeRun: { localName: 'stocktally-summarize-run', timeoutSeconds: 300 },
    // API Gateway gives up on an integration after 30 s; answer before it does.
    runsApi: { localName: 'stocktally-runs-api', timeoutSeconds: 29 },
    // Alerts (issue 7): reads the run's discrepancies, publishes to SNS, stores the alert marks.
    notifyRun: { localName: 'stocktally-notify-run', timeoutSeconds: 120 },
    // Closes a run FAILED when listing or summarizing failed: one read and one write.
    failRun: { localName: 'stocktally-fail-run', timeoutSeconds: 30 },
  };

/** Seconds a task state waits beyond its function's own timeout. */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;

/** The runs' settings document in the data bucket (config/settings.yaml); without it the bundled default applies. */
export const SETTINGS_CONFIG_KEY = 'config/settings.yaml';

/** The bundled default: config/settings.yaml in the repository, copied beside ListPartitions' bundle. */
export const SETTINGS_DEFAULT = {
  /** Relative to the project root. */
  path: 'config/settings.yaml',
  /** Where a bundle finds its copy (the Lambda's /var/task); unset, the repository's file is used. */
  env: 'STOCKTALLY_SETTINGS_DEFAULT',
  /** The copy's path in a Lambda bundle (bundledFiles are copied beside the handler). */
  bundled: '/var/task/settings.yaml',
} as const;
