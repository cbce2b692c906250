import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CallInterceptor, RawCall, RawResponse } from '../../../adapters/aws/aws-clients.js';
import { CHAT_DELIVERY } from '../../../declarations/alerts.js';
import { CASES_FUNCTION } from '../../../declarations/cases.js';
import { HANDLERS } from '../../../declarations/tables.js';
import { RUN_FUNCTIONS, type RunFunctionName } from '../../../declarations/runs.js';
import { VOUCHERS_FUNCTION } from '../../../declarations/vouchers.js';
import { PERIODS_FUNCTION } from '../../../declarations/periods.js';
import { S3_DROP_FUNCTION, WEBHOOK_FUNCTION } from '../../wiring/ingest-functions.js';
import { currentFunction, SILENT, type LocalLog } from '../lambda-runtime.js';
import { evaluate, type AccessRequest, type PolicyStatement } from './evaluate.js';
import type { FunctionPoliciesFile } from './policies.js';
import { accessRequestsOf, listRequestFor } from './requests.js';

/**
 * IAM on the local pipeline, deny by default: every DynamoDB and S3 call a function makes (through
 * the clients of lib/adapters/aws/aws-clients.ts), every alert it publishes and every run it starts is
 * checked against that function's own synthesized policy before it reaches a stand-in. A refused
 * call gets the service's own refusal (DynamoDB's AccessDeniedException, S3's 403 AccessDenied), and
 * a missing object read by a function that may not list the bucket gets S3's 403 instead of the
 * stand-in's 404, as in AWS. A grant missing from the stack fails a local run, not a deployment.
 */

/** The local functions by the handler each runs (HANDLERS), as the pipeline names them. */
export const LOCAL_FUNCTION_HANDLERS: Readonly<Record<string, string>> = {
  [WEBHOOK_FUNCTION.name]: HANDLERS.webhook,
  [S3_DROP_FUNCTION.name]: HANDLERS.s3Drop,
  ...Object.fromEntries(
    (Object.keys(RUN_FUNCTIONS) as RunFunctionName[]).map((name) => [
      RUN_FUNCTIONS[name].localName,
      HANDLERS[name],
    ]),
  ),
  [CASES_FUNCTION.localName]: HANDLERS.casesApi,
  [CHAT_DELIVERY.localName]: HANDLERS.deliverChat,
  [VOUCHERS_FUNCTION.localName]: HANDLERS.vouchersApi,
  [PERIODS_FUNCTION.localName]: HANDLERS.periodsApi,
};

/** A call the policies refused. */
export interface Refusal {
  functionName: string;
  action: string;
  resource: string;
  reason: string;
}

export interface CallCounts {
  allowed: number;
  refused: number;
}

export type Verdict = { allowed: true } | ({ allowed: false } & Refusal);

export class AccessDeniedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
    this.name = 'AuthorizationError';
  }
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

export class PolicyEnforcer {
  readonly counts: CallCounts = { allowed: 0, refused: 0 };
  readonly byFunction = new Map<string, CallCounts>();
  readonly refusals: Refusal[] = [];
  private readonly log: LocalLog;

  constructor(
    readonly policies: FunctionPoliciesFile,
    options: { log?: LocalLog } = {},
  ) {
    this.log = options.log ?? SILENT;
    for (const [name, handler] of Object.entries(LOCAL_FUNCTION_HANDLERS)) {
      if (policies.functions[handler] === undefined) {
        throw new Error(
          `the stack deploys no function for ${handler} (local ${name}); rebuild (npm run build)`,
        );
      }
    }
  }

  private statementsOf(functionName: string | undefined): PolicyStatement[] | undefined {
    const handler = functionName === undefined ? undefined : LOCAL_FUNCTION_HANDLERS[functionName];
    return handler === undefined ? undefined : this.policies.functions[handler]?.statements;
  }

  /** The verdict on `requests` made by `functionName` (the running function by default); counted. */
  authorize(requests: readonly AccessRequest[], functionName = currentFunction()): Verdict {
    const verdict = this.judge(requests, functionName);
    const name = functionName ?? '(no function)';
    const counts = this.byFunction.get(name) ?? { allowed: 0, refused: 0 };
    this.byFunction.set(name, counts);
    if (verdict.allowed) {
      this.counts.allowed++;
      counts.allowed++;
    } else {
      this.counts.refused++;
      counts.refused++;
      this.refusals.push(verdict);
      this.log.error(`IAM: ${verdict.reason}`);
    }
    return verdict;
  }

  private judge(requests: readonly AccessRequest[], functionName: string | undefined): Verdict {
    const statements = this.statementsOf(functionName);
    const first = requests[0] ?? { action: '(unknown)', resource: '(unknown)' };
    if (statements === undefined) {
      return {
        allowed: false,
        functionName: functionName ?? '(no function)',
        action: first.action,
        resource: first.resource,
        reason:
          functionName === undefined
            ? `${first.action} on ${first.resource} outside any function: refused (deny by default)`
            : `${functionName} has no policy in the stack: ${first.action} on ${first.resource} refused`,
      };
    }
    for (const request of requests) {
      const decision = evaluate(statements, request);
      if (decision.effect === 'allow') continue;
      const why =
        decision.effect === 'explicit-deny'
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${request.action} action`;
      return {
        allowed: false,
        functionName: functionName as string,
        action: request.action,
        resource: request.resource,
        reason: `${functionName as string} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`,
      };
    }
    return { allowed: true };
  }

  /** Whether the running function may list `bucket`, which decides S3's 404 or 403 for a missing key. */
  private mayList(bucket: string): boolean {
    const statements = this.statementsOf(currentFunction());
    return statements !== undefined && evaluate(statements, listRequestFor(bucket)).effect === 'allow';
  }

  /** The interceptor for lib/adapters/aws/aws-clients.ts: check, then send or answer as the service would. */
  interceptor(): CallInterceptor {
    return async (call: RawCall): Promise<RawResponse> => {
      const requests = accessRequestsOf(call.clientName, call.commandName, call.input);
      const verdict: Verdict =
        requests === undefined
          ? this.authorize([{ action: `${call.clientName}:${call.commandName}`, resource: '(unmapped)' }])
          : this.authorize(requests);
      if (!verdict.allowed) return refusalResponse(call, `User: ${verdict.reason}`);
      const response = await call.send();
      const read = call.commandName === 'GetObjectCommand' || call.commandName === 'HeadObjectCommand';
      if (read && response.statusCode === 404 && !this.mayList(String(call.input.Bucket))) {
        (response.body as Readable | undefined)?.destroy?.();
        return refusalResponse(call, 'Access Denied');
      }
      return response;
    };
  }
}

/** The service's own refusal on the wire; the SDK parses it into the error AWS would have raised. */
function refusalResponse(call: RawCall, message: string): RawResponse {
  const requestId = randomUUID();
  if (call.clientName === 'DynamoDBClient') {
    return {
      statusCode: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: utf8(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message })),
    };
  }
  // S3 answers a HEAD without a body: the SDK sees only the status, as from AWS.
  const head = call.commandName === 'HeadObjectCommand';
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: head
      ? new Uint8Array()
      : utf8(
          '<?xml version="1.0" encoding="UTF-8"?>\n' +
            `<Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message>` +
            `<RequestId>${requestId}</RequestId></Error>`,
        ),
  };
}
