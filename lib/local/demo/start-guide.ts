import { RECORDS_TABLE, WEBHOOK_LIMITS, WEBHOOK_ROUTES } from '../../declarations/tables.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../standins/embedded-aws.js';
import { signedHeaders } from '../clients/webhook-client.js';

/**
 * What `stocktally start` tells a newcomer to try next: a signed one-record POST ready to paste,
 * how to sign a body of one's own, an S3 drop with the AWS CLI, and where the data is kept.
 */
export interface GuideFacts {
  api: string;
  s3: string;
  dynamodb: string;
  bucket: string;
  webhookSecret: string;
  dataDir: string;
  /** The demo files, for the drop and reconcile examples. */
  demoDir?: string;
  /** The demo's asOf, so a file reconciliation of the demo gives the demo's answer. */
  demoAsOf?: string;
  /** The bearer token of every route but the webhooks. */
  token?: string;
}

const MOVEMENTS = WEBHOOK_ROUTES.find((r) => r.source === 'wms')?.path ?? '/v1/movements';

/** A movement that is valid today, kept apart from the demo's documents. */
export function sampleMovement(now: Date, eventId = 'TRY-0001'): string {
  return JSON.stringify({
    eventId,
    warehouseId: 'WH-01',
    sku: 'SKU-00001',
    type: 'RECEIPT',
    quantity: '5',
    uom: 'EA',
    documentRef: 'TRY-DOC-1',
    occurredAt: new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString().replace('.000Z', 'Z'),
    unitCost: '12.50',
  });
}

/** `curl` with a timestamp and signature valid for the next WEBHOOK_LIMITS.maxSkewSeconds. */
export function signedCurl(api: string, secret: string, body: string, now: Date): string {
  const headers = signedHeaders(secret, body, Math.floor(now.getTime() / 1000), 'application/json');
  const h = Object.entries(headers)
    .map(([name, value]) => `-H '${name}: ${value}'`)
    .join(' ');
  return `curl -sS ${api}${MOVEMENTS} ${h} --data-binary '${body}'`;
}

/** The same request signed in the shell, for a body of one's own. */
export function signingRecipe(api: string, secret: string, body: string): string[] {
  return [
    `BODY='${body}'`,
    `TS=$(date +%s); SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac '${secret}' | sed 's/^.*= //')`,
    `curl -sS ${api}${MOVEMENTS} -H 'content-type: application/json' -H "x-stocktally-timestamp: $TS" -H "x-stocktally-signature: v1=$SIG" --data-binary "$BODY"`,
  ];
}

/** The AWS CLI against the stand-ins: s3rver's own key pair, and no streamed checksums (FIELD-NOTES). */
export function awsCliEnvironment(): string {
  return (
    `export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} ` +
    `AWS_DEFAULT_REGION=${LOCAL_REGION} AWS_REQUEST_CHECKSUM_CALCULATION=when_required`
  );
}

/** `now` is the machine's time: the curl line's signature must be fresh when the user runs it. */
export function guide(facts: GuideFacts, now: Date): string[] {
  const body = sampleMovement(now);
  const finance = facts.demoDir === undefined ? 'finance.csv' : `${facts.demoDir}/finance.csv`;
  const s3 = `aws --endpoint-url ${facts.s3}`;
  const lines = [
    'Try next',
    `  # send one signed movement (this timestamp is good for ${WEBHOOK_LIMITS.maxSkewSeconds / 60} minutes; again = a duplicate):`,
    `  ${signedCurl(facts.api, facts.webhookSecret, body, now)}`,
    '  # sign a body of your own in the shell:',
    ...signingRecipe(facts.api, facts.webhookSecret, body.replace('TRY-0001', 'TRY-0002')).map(
      (l) => `  ${l}`,
    ),
    '  # the AWS CLI on the stand-ins (in a shell of its own: this replaces your AWS credentials there):',
    `  ${awsCliEnvironment()}`,
    '  # drop a file (incoming/wms|finance|uom|costs/), then read its ingest report:',
    `  ${s3} s3 cp ${finance} s3://${facts.bucket}/incoming/finance/my-export.csv`,
    `  ${s3} s3 cp s3://${facts.bucket}/ingest-reports/incoming/finance/my-export.csv.json -`,
    '  # the stored records:',
    `  aws --endpoint-url ${facts.dynamodb} dynamodb scan --table-name ${RECORDS_TABLE.localName} --max-items 3`,
  ];
  const asOf = facts.demoAsOf === undefined ? '' : ` --as-of ${facts.demoAsOf}`;
  lines.push(
    '  # reconcile the stored records: a run through the state machine, progress per partition:',
    `  npx stocktally run --mode close${asOf} --data ${facts.dataDir}`,
  );
  if (facts.token !== undefined) {
    lines.push(
      '  # the runs API itself (the id is the one `stocktally run` printed):',
      `  curl -sS -H 'authorization: Bearer ${facts.token}' ${facts.api}/v1/runs/RUN_ID`,
      `  curl -sS -H 'authorization: Bearer ${facts.token}' '${facts.api}/v1/runs/RUN_ID/discrepancies?severity=RED'`,
    );
  }
  if (facts.demoDir !== undefined) {
    lines.push(
      '  # reconcile the demo files directly, without the pipeline:',
      `  npx stocktally reconcile --wms ${facts.demoDir}/wms.ndjson --finance ${finance} --uom ${facts.demoDir}/uom.csv` +
        `${facts.demoAsOf === undefined ? '' : ` --as-of ${facts.demoAsOf}`} --out out/`,
    );
  }
  lines.push(
    `  # the data persists in ${facts.dataDir} (dynamodb/, s3/, endpoints.json); delete it to start afresh`,
  );
  return lines;
}
