/**
 * The cases feature's names that the CDK stack and the local pipeline share, beside
 * lib/declarations/tables.ts (CASES_TABLE, CASE_EVENTS_TABLE, HANDLERS.casesApi): the routes, the
 * function, and where the workflow configuration lives. Nothing here imports CDK or an AWS SDK.
 */
import { BUCKET } from './tables.js';

/** The cases routes: the JWT authorizer in the cloud, a local user's bearer token locally. */
export const CASE_ROUTES = [
  { method: 'GET', path: '/v1/cases' },
  { method: 'GET', path: '/v1/cases/summary' },
  { method: 'GET', path: '/v1/cases/{caseId}' },
  { method: 'POST', path: '/v1/cases/{caseId}/actions' },
  { method: 'GET', path: '/v1/cases/{caseId}/trail' },
  { method: 'GET', path: '/v1/journal-entries' },
  { method: 'GET', path: '/v1/periods/{period}/close-check' },
] as const;

export const CASES_FUNCTION = { localName: 'stocktally-cases-api', timeoutSeconds: 29 } as const;

/** The workflow configuration in the data bucket; without it the bundled default applies. */
export const WORKFLOW_CONFIG_KEY = `${BUCKET.configPrefix}workflow.yaml`;

/** The bundled default: config/workflow.yaml in the repository, copied beside each bundle. */
export const WORKFLOW_DEFAULT = {
  /** Relative to the project root. */
  path: 'config/workflow.yaml',
  /** Where a bundle finds its copy (the Lambda's /var/task); unset, the repository's file is used. */
  env: 'STOCKTALLY_WORKFLOW_DEFAULT',
  /** The copy's path in a Lambda bundle (bundledFiles are copied beside the handler). */
  bundled: '/var/task/workflow.yaml',
} as const;

/** The cases table's partition of the cases waiting for the books (pk `awaiting`, sk the group key). */
export const AWAITING_CASE_ITEMS = 'awaiting';
