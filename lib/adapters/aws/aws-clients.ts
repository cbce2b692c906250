import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './env.js';

/**
 * One client of each kind per container, reused by every invocation. Each is made on first use,
 * not at import, so the local pipeline can set the stand-ins' endpoints before the first request.
 * With an endpoint override (local stand-ins) the clients use a fixed region and dummy credentials,
 * and S3 gets the path-style addressing and checksum settings s3rver needs (FIELD-NOTES).
 */
const LOCAL = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
};

let dynamo: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let secrets: SecretsManagerClient | undefined;

/**
 * One call as the wire sees it, below serialization, for a local stand-in that must inspect or answer
 * it in the service's own words: the IAM check of `stocktally start` (lib/local/standins/iam/enforcer.ts). The
 * SDK turns whatever answer it gets into the very error or result AWS would have produced.
 */
export interface RawCall {
  /** `DynamoDBClient`, `S3Client`. */
  clientName: string;
  /** `GetItemCommand`, `HeadObjectCommand`. */
  commandName: string;
  input: Readonly<Record<string, unknown>>;
  /** Sends the request as it stands; the service's raw answer. */
  send(): Promise<RawResponse>;
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type CallInterceptor = (call: RawCall) => Promise<RawResponse>;

// Kept on the global object: a test that re-imports the handlers (vi.resetModules) gets clients from
// a second copy of this module, which must see the interceptor the pipeline set through the first.
const INTERCEPTOR = Symbol.for('stocktally.callInterceptor');
const shared = globalThis as { [INTERCEPTOR]?: CallInterceptor };

/** Puts an interceptor in front of every call of these clients (undefined: none, as in the cloud). */
export function setCallInterceptor(next: CallInterceptor | undefined): void {
  shared[INTERCEPTOR] = next;
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ response: unknown; output?: unknown }>;
type Middleware = (next: Handler, context: { clientName?: string; commandName?: string }) => Handler;

const intercept: Middleware = (next, context) => async (args) => {
  const active = shared[INTERCEPTOR];
  if (active === undefined) return next(args);
  const response = await active({
    clientName: context.clientName ?? '',
    commandName: context.commandName ?? '',
    input: args.input,
    send: async () => (await next(args)).response as RawResponse,
  });
  return { response };
};

/** Beneath the deserializer, so an interceptor's answer is parsed as the service's own. */
function interceptable<C extends DynamoDBClient | S3Client>(client: C): C {
  const stack = client.middlewareStack as unknown as {
    addRelativeTo(middleware: Middleware, options: Record<string, string>): void;
  };
  stack.addRelativeTo(intercept, {
    name: 'stocktallyCallInterceptor',
    relation: 'after',
    toMiddleware: 'deserializerMiddleware',
  });
  return client;
}

function localOptions(endpoint: string | undefined) {
  if (endpoint === undefined) return {};
  return {
    endpoint,
    region: process.env.AWS_REGION ?? LOCAL.region,
    ...(process.env.AWS_ACCESS_KEY_ID === undefined ? { credentials: LOCAL.credentials } : {}),
  };
}

export function dynamoClient(): DynamoDBClient {
  // The store retries with its own backoff (record-store.ts); the SDK's retries stay as a first line.
  return (dynamo ??= interceptable(new DynamoDBClient({ ...localOptions(config.dynamodbEndpoint()) })));
}

export function s3Client(): S3Client {
  const endpoint = config.s3Endpoint();
  return (s3 ??= interceptable(
    new S3Client({
      ...localOptions(endpoint),
      ...(endpoint === undefined
        ? {}
        : {
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }),
    }),
  ));
}

export function secretsClient(): SecretsManagerClient {
  return (secrets ??= new SecretsManagerClient({}));
}
