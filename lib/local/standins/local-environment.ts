import { BUCKET, ENV, TABLES } from '../../declarations/tables.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './embedded-aws.js';

/**
 * The environment the real handlers read, pointed at the embedded stand-ins: the variables the CDK
 * stack sets in the cloud (table and bucket names), the local-only ones (endpoints, the webhook
 * secret), credentials the stand-ins accept, and Powertools kept quiet so `stocktally start` prints
 * readable lines instead of JSON metrics blobs (warnings and errors still show).
 */
export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  webhookSecret: string;
  token: string;
  /** Where the digest log is kept (DIR/audit): every chain link is anchored there. */
  auditDir?: string;
}

/** Variables set whatever the caller's environment holds: they must point at the stand-ins. */
export function requiredVariables(endpoints: LocalEndpoints): Record<string, string | undefined> {
  const tables = Object.fromEntries(TABLES.map((t) => [t.env, t.localName]));
  return {
    ...tables,
    [BUCKET.env]: BUCKET.localName,
    [ENV.dynamodbEndpoint]: endpoints.dynamodb,
    [ENV.s3Endpoint]: endpoints.s3,
    [ENV.webhookSecret]: endpoints.webhookSecret,
    [ENV.token]: endpoints.token,
    [ENV.auditDir]: endpoints.auditDir,
    [ENV.auditBucket]: undefined,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // s3rver accepts only its own key pair; a real session token would be sent along for nothing.
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
  };
}

/** Variables set only where the caller has not chosen a value (a developer may want DEBUG logs). */
export const QUIET_DEFAULTS: Record<string, string> = {
  POWERTOOLS_SERVICE_NAME: 'stocktally',
  POWERTOOLS_METRICS_NAMESPACE: 'Stocktally',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  // The SDK's notice that Node 20 support ends in 2027: nothing to act on in a local run.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Applies the local environment to this process; the returned function puts back what was there. */
export function applyLocalEnvironment(
  endpoints: LocalEndpoints,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined): void => {
    if (!saved.has(name)) saved.set(name, env[name]);
    if (value === undefined) delete env[name];
    else env[name] = value;
  };
  for (const [name, value] of Object.entries(requiredVariables(endpoints))) set(name, value);
  for (const [name, value] of Object.entries(QUIET_DEFAULTS)) {
    if (env[name] === undefined || env[name] === '') set(name, value);
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  };
}
