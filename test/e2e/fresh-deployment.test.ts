import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_CONFIG_KEY } from '../../lib/declarations/cases.js';
import { SETTINGS_CONFIG_KEY } from '../../lib/declarations/runs.js';
import { DEFAULT_PARTITIONS } from '../../lib/core/records/partition.js';
import type { RunRecord } from '../../lib/core/runs/run-events.js';
import { BUCKET, WEBHOOK_ROUTES } from '../../lib/declarations/tables.js';
import { localObjectArn } from '../../lib/local/standins/iam/arns.js';
import { evaluate } from '../../lib/local/standins/iam/evaluate.js';
import type { FunctionPoliciesFile } from '../../lib/local/standins/iam/policies.js';
import { LOCAL_USERS, tokenOf } from '../../lib/local/wiring/local-users.js';
import { startPipeline, type Pipeline } from '../../lib/local/wiring/pipeline.js';
import { loadRealCaseHandlers } from '../../lib/local/wiring/real-case-handlers.js';
import { loadRealHandlers } from '../../lib/local/wiring/real-handlers.js';
import { loadRealRunHandlers } from '../../lib/local/wiring/real-run-handlers.js';
import { getRun, reportLink, startRun, waitForRun } from '../../lib/local/clients/run-client.js';
import type { CfnTemplate } from '../../lib/local/standins/state-machine.js';
import { postSigned } from '../../lib/local/clients/webhook-client.js';
import { HANDLERS } from '../../lib/declarations/tables.js';
import { createApp } from '../../lib/stacks/app.js';
import { localDefinitionsOf } from '../../lib/local/standins/run-asl.js';
import { API_PATH_PATTERN } from '../../lib/stacks/web.js';
import { testContext } from '../stacks/cdk-context.js';

/**
 * A first deployment on a fresh account, as far as this machine can take it: the stack exactly as
 * `cdk synth` builds it (cdk.json's context, cdk-nag's packs failing the synth on any finding), its
 * run state machine and each function's IAM policy taken from that template, the real handlers on
 * the embedded DynamoDB and S3 with every call checked against its function's policy, and none of
 * the optional objects a deployment starts without (no unit, cost, rate or code table dropped yet, no uploaded
 * workflow configuration). The alert routing document is there: the stack deploys it.
 */
const SECRET = 'fresh-deployment-secret';
const TOKEN = 'fresh-deployment-token';
const AS_OF = '2026-11-02T00:00:00.000Z';
const OPTIONAL_KEYS = [
  BUCKET.uomTableKey,
  BUCKET.costsTableKey,
  BUCKET.ratesTableKey,
  BUCKET.codesTableKey,
  WORKFLOW_CONFIG_KEY,
  SETTINGS_CONFIG_KEY,
];

let template: CfnTemplate;
let policies: FunctionPoliciesFile;
let pipeline: Pipeline;
let dataDir: string;
let assemblyDir: string;

beforeAll(async () => {
  assemblyDir = mkdtempSync(join(tmpdir(), 'fresh-deployment-cdk.out-'));
  const { app, stack } = createApp({
    context: testContext(),
    builtinCloudFormationValidation: false,
    outdir: assemblyDir,
  });
  template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  const local = localDefinitionsOf(stack, template);
  policies = local.functionPolicies;
  dataDir = mkdtempSync(join(tmpdir(), 'fresh-deployment-'));
  pipeline = await startPipeline({
    dataDir,
    port: 0,
    webhookSecret: SECRET,
    token: TOKEN,
    loadHandlers: loadRealHandlers,
    runs: {
      loadHandlers: loadRealRunHandlers,
      definition: local.runDefinition.definition,
      retryIntervalMs: 0,
    },
    cases: { loadHandlers: loadRealCaseHandlers },
    policies,
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(assemblyDir, { recursive: true, force: true });
});

/** Sixty items in two warehouses: most agree, every tenth is short in finance, every seventh has no finance line. */
function dataSet() {
  const movements: object[] = [];
  const entries: object[] = [];
  for (let i = 0; i < 60; i++) {
    const sku = `SKU-${String(i).padStart(3, '0')}`;
    const warehouseId = i % 2 === 0 ? 'WH-上海-01' : 'WH-北京-02';
    const documentRef = `PO-${2000 + i}`;
    movements.push({
      eventId: `E-${i}`,
      warehouseId,
      sku,
      type: 'RECEIPT',
      quantity: '10',
      documentRef,
      occurredAt: `2026-10-${String((i % 28) + 1).padStart(2, '0')}T09:00:00+08:00`,
      unitCost: '2.50',
    });
    if (i % 7 === 3) continue;
    entries.push({
      entryId: `F-${i}`,
      warehouseId,
      sku,
      type: 'RECEIPT',
      quantity: i % 10 === 5 ? '8' : '10',
      amount: i % 10 === 5 ? '20.00' : '25.00',
      documentRef,
      postedAt: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
    });
  }
  return { movements, entries };
}

const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('a fresh deployment, simulated from the synthesized stack', () => {
  it('starts without the optional objects: no reference table, no uploaded workflow configuration', async () => {
    for (const key of OPTIONAL_KEYS) {
      await expect(
        pipeline.s3Client.send(new HeadObjectCommand({ Bucket: pipeline.bucket, Key: key })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    }
  });

  it('ingests a small data set through both signed webhooks', async () => {
    const { movements, entries } = dataSet();
    for (const [route, records] of [
      [WEBHOOK_ROUTES[0], movements],
      [WEBHOOK_ROUTES[1], entries],
    ] as const) {
      const { status, answer } = await postSigned({
        url: `${pipeline.api}${route.path}`,
        secret: SECRET,
        body: ndjson(records),
        contentType: 'application/x-ndjson',
      });
      expect(status).toBe(200);
      expect(answer).toMatchObject({ accepted: records.length, rejected: [] });
    }
  });

  let run: RunRecord;

  it('closes the period with every partition succeeding, no call refused by the functions’ policies', async () => {
    const client = { api: pipeline.api, token: TOKEN };
    // The data set is October's: its close (a close without a period would close November, CONTRACT §7).
    const runId = await startRun(client, { mode: 'close', period: '2026-10', asOf: AS_OF });
    await waitForRun(client, runId, { pollMs: 100, timeoutMs: 300_000 });
    // The execution goes on after the run is closed: the report, then Notify's alerts.
    const execution = await pipeline.runs?.execution(runId)?.done;
    expect(execution?.status).toBe('SUCCEEDED');
    run = await getRun(client, runId);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.failures).toEqual([]);
    expect(run.partitions).toHaveLength(DEFAULT_PARTITIONS);
    expect(run.summary?.groupsSeen).toBe(60);
    expect(run.summary?.discrepancies).toBeGreaterThan(0);
    expect(pipeline.iam.refusals).toEqual([]);
    expect(pipeline.iam.counts.allowed).toBeGreaterThan(DEFAULT_PARTITIONS * 4);
    // No settings uploaded: the run used, and recorded, the bundled default.
    expect(run.settings).toMatchObject({ source: 'bundled config/settings.yaml', red: '50000' });
    // Still absent: each read as absent, none created on the way.
    for (const key of OPTIONAL_KEYS) {
      await expect(
        pipeline.s3Client.send(new HeadObjectCommand({ Bucket: pipeline.bucket, Key: key })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    }
  }, 300_000);

  it('answers GET /v1/cases with 200 and the cases the run opened, the workflow its bundled default', async () => {
    const finance = LOCAL_USERS.find((u) => u.username === 'li.finance');
    if (finance === undefined) throw new Error('no local finance user');

    const response = await fetch(`${pipeline.api}/v1/cases`, {
      headers: { authorization: `Bearer ${tokenOf(TOKEN, finance)}`, accept: 'application/json' },
    });

    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: unknown[] };
    expect(page.items.length).toBeGreaterThan(0);
  });

  it('renders the report, and the runs API may read what its link points at (a signature is not a call)', async () => {
    const reports = (run as RunRecord & { reports?: Record<string, string> }).reports;
    expect(reports?.pdf).toBe(`${BUCKET.reportsPrefix}${run.runId}/report.pdf`);
    const link = await reportLink({ api: pipeline.api, token: TOKEN }, run.runId, 'pdf');
    const fetched = await fetch(link);
    expect(fetched.status).toBe(200);
    expect(
      Buffer.from(await fetched.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    // S3 checks a presigned GET against the signer's policy when it is used: here, against the stack's.
    const runsApi = policies.functions[HANDLERS.runsApi]?.statements ?? [];
    expect(
      evaluate(runsApi, {
        action: 's3:GetObject',
        resource: localObjectArn(BUCKET.localName, reports?.pdf ?? ''),
      }).effect,
    ).toBe('allow');
  });

  it('serves the API on the dashboard’s own origin: no CORS preflight, authorization forwarded, Host not', () => {
    const resources = template.Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const [distribution] = Object.values(resources).filter((r) => r.Type === 'AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig as {
      Origins: { Id: string; DomainName: unknown }[];
      CacheBehaviors: {
        PathPattern: string;
        TargetOriginId: string;
        CachePolicyId: string;
        OriginRequestPolicyId: string;
        AllowedMethods: string[];
      }[];
      CustomErrorResponses?: unknown;
    };

    // The page's config.json says apiUrl '' (web.test.ts): its calls go to its own origin, so a browser
    // sends them as same-origin requests and never asks for a preflight.
    const pageOrigin = 'https://d111.cloudfront.net';
    expect(new URL('' + '/v1/cases', `${pageOrigin}/`).origin).toBe(pageOrigin);
    // CloudFront takes /v1/cases to the HTTP API of this stack.
    const behaviour = config.CacheBehaviors.find((b) => matches(b.PathPattern, '/v1/cases'));
    expect(behaviour?.PathPattern).toBe(API_PATH_PATTERN);
    const origin = config.Origins.find((o) => o.Id === behaviour?.TargetOriginId);
    const apis = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    expect(origin?.DomainName).toEqual({
      'Fn::Join': [
        '',
        [{ Ref: apis[0]?.[0] }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
    // Nothing cached; every viewer header but Host forwarded (so authorization reaches the JWT
    // authorizer and API Gateway sees its own host); the API's own 403 and 404 reach the page.
    expect(behaviour).toMatchObject({
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'OPTIONS']) as unknown,
    });
    expect(config.CustomErrorResponses).toBeUndefined();
    // And the API keeps no CORS configuration to get wrong.
    expect(apis[0]?.[1].Properties.CorsConfiguration).toBeUndefined();
  });
});

/** CloudFront's path pattern match: `*` any run of characters, `?` one; case-sensitive. */
function matches(pattern: string, path: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(path);
}
