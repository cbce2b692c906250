// GET /v1/cases/summary at volume (issue 9): the time to count the open cases by severity, age
// bucket and warehouse from the sparse index open-by-severity, with N open case heads on the
// embedded DynamoDB (15 % RED, 35 % YELLOW, 50 % GREEN, 40 warehouses, firstSeen over 60 days).
// The heads are written directly with the attributes the index and the summary read (a real head
// carries its workflow and facts too; the index projects only keys and warehouseId, so what a
// count reads is the same). Not part of `npm run bench`; run it with
//
//   npx esbuild bench/cases-summary.ts --bundle --platform=node --format=esm \
//     --outfile=/tmp/bench-cases-summary.mjs --packages=external
//   node /tmp/bench-cases-summary.mjs [count]        (from the checkout)
import { BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CaseStore } from '../lib/adapters/cases/case-store.js';
import { CASE_EVENTS_TABLE, CASES_TABLE } from '../lib/declarations/tables.js';
import { bootstrap, localDynamoClient, startDynamo } from '../lib/local/standins/embedded-aws.js';

const count = Number(process.argv[2] ?? 100_000);
const DAY_MS = 86_400_000;
const s = (value: string): AttributeValue => ({ S: value });

async function main(): Promise<void> {
  const dynamo = await startDynamo();
  const client = localDynamoClient(dynamo.endpoint);
  // Only the tables are needed: an S3 client that is never reached (no bucket is made before).
  const tablesOnly = { send: () => Promise.resolve({}) } as unknown as S3Client;
  await bootstrap(client, tablesOnly);
  const now = Date.now();
  const started = Date.now();
  const batches: Record<string, AttributeValue>[][] = [];
  let batch: Record<string, AttributeValue>[] = [];
  for (let i = 0; i < count; i++) {
    const r = i % 20;
    const severity = r < 3 ? 'RED' : r < 10 ? 'YELLOW' : 'GREEN';
    const warehouseId = `WH-${String(Math.floor(i / 20) % 40).padStart(2, '0')}`;
    const firstSeen = new Date(now - ((i * 7919) % (60 * DAY_MS))).toISOString();
    const groupKey = `${warehouseId}|SKU-${i}|DOC-${i}`;
    batch.push({
      pk: s(`case#${groupKey}`),
      sk: s('head'),
      state: s('OPEN'),
      severity: s(severity),
      warehouseId: s(warehouseId),
      firstSeen: s(firstSeen),
      openSeverity: s(severity),
    });
    if (batch.length === 25) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (items) => {
        let requests = items.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const answer = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [CASES_TABLE.localName]: requests } }),
          );
          requests = (answer.UnprocessedItems?.[CASES_TABLE.localName] ?? []) as typeof requests;
        }
      }),
    );
  }
  console.log(`wrote ${count} open heads in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const store = new CaseStore({
    client,
    casesTable: CASES_TABLE.localName,
    eventsTable: CASE_EVENTS_TABLE.localName,
  });
  for (const warehouseId of [undefined, 'WH-07']) {
    const times: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      last = await store.openSummary({ warehouseId, now: Date.now() });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const figures = Object.entries(last?.bySeverity ?? {}).map(([k, v]) => `${k} ${v.count}`);
    console.log(
      `summary${warehouseId === undefined ? '' : ` ${warehouseId}`}: median ${times[1]?.toFixed(0)} ms (${figures.join(', ')})`,
    );
  }
  client.destroy();
  await dynamo.stop();
}

await main();
