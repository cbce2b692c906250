import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TABLE, type Aws } from './ingest-harness.js';
import { runAll, startRunsAws } from './runs-harness.js';
import { act, AS_OF, caseStoreOn, CLERK, GROUPS, REVIEWER, seedLedger } from './cases-harness.js';
import { runAuditCommand } from '../../lib/cli/audit-command.js';
import { chain, type ChainedEvent } from '../../lib/core/cases/audit-chain.js';
import { caseIdOf } from '../../lib/core/cases/case-id.js';
import { contentHash } from '../../lib/core/records/content-hash.js';
import { nextJournalLink, type JournalLink } from '../../lib/core/ingest/ingest-journal.js';
import { CASE_EVENTS_TABLE, CASES_TABLE, ENV } from '../../lib/declarations/tables.js';

// The tamper evidence of issue 16: someone with write access to the tables (not to the digest log)
// forges, deletes or rewrites what the functions wrote. Each attack must be named by
// `stocktally audit verify` at its first break; after it is undone, everything verifies again.
type Item = Record<string, AttributeValue>;

let aws: Aws;
let endpoint: string;
let digests: string;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function verify(): Promise<{ status: number; text: string }> {
  const out = capture();
  const status = await runAuditCommand(['verify', '--endpoint', endpoint, '--digests', digests], {
    out: out.stream,
    err: capture().stream,
  });
  return { status, text: out.text() };
}

const events = (groupKey: string): Promise<ChainedEvent[]> => caseStoreOn(aws.dynamo).eventsOf(groupKey);

function eventItem(e: ChainedEvent): Item {
  return {
    pk: { S: `case#${e.groupKey}` },
    sk: { S: `e#${String(e.seq).padStart(8, '0')}` },
    seq: { N: String(e.seq) },
    type: { S: e.type },
    at: { S: e.at },
    actor: { S: JSON.stringify(e.actor) },
    data: { S: JSON.stringify(e.data) },
    prevHash: { S: e.prevHash },
    hash: { S: e.hash },
  };
}

const put = (table: string, item: Item) =>
  aws.dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
const remove = (table: string, key: Item) =>
  aws.dynamo.send(new DeleteItemCommand({ TableName: table, Key: key }));

async function get(table: string, key: Item): Promise<Item> {
  const { Item } = await aws.dynamo.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  if (Item === undefined) throw new Error(`no item ${JSON.stringify(key)}`);
  return Item;
}

const headKey = (groupKey: string): Item => ({ pk: { S: `case#${groupKey}` }, sk: { S: 'head' } });

/** Points a case head at another last event, as someone covering their tracks would. */
async function rewriteHead(groupKey: string, last: ChainedEvent): Promise<void> {
  const head = await get(CASES_TABLE.localName, headKey(groupKey));
  const workflow = JSON.parse(head.workflow?.S ?? '{}') as Record<string, unknown>;
  await put(CASES_TABLE.localName, {
    ...head,
    version: { N: String(last.seq) },
    lastHash: { S: last.hash },
    workflow: { S: JSON.stringify({ ...workflow, version: last.seq, lastHash: last.hash }) },
  });
}

/** Undo list: each attack puts back what it changed. */
let undo: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  aws = await startRunsAws();
  endpoint = process.env[ENV.dynamodbEndpoint] ?? '';
  digests = mkdtempSync(join(tmpdir(), 'stocktally-digests-'));
  process.env[ENV.auditDir] = digests;
  await seedLedger();
  await runAll({ runId: 'close-1', mode: 'close', asOf: AS_OF });
  expect((await act(GROUPS.red, CLERK, { type: 'start-review' })).statusCode).toBe(200);
  const proposed = await act(GROUPS.red, CLERK, {
    type: 'propose',
    resolution: { action: 'supplement-voucher', voucherRef: 'V-2026-10-0042' },
    rootCause: { code: 'missing-voucher' },
  });
  expect(proposed.statusCode).toBe(200);
  expect((await act(GROUPS.red, REVIEWER, { type: 'approve' })).statusCode).toBe(200);
});
afterAll(async () => {
  delete process.env[ENV.auditDir];
  await aws.stop();
  rmSync(digests, { recursive: true, force: true });
});
afterEach(async () => {
  for (const step of undo.reverse()) await step();
  undo = [];
  const after = await verify();
  expect(after.status, after.text).toBe(0);
});

describe('the trail as written', () => {
  it('verifies: every case chain, the ingest journal and every stored record against the digests', async () => {
    const { status, text } = await verify();

    expect(status, text).toBe(0);
    expect(text).toContain('every chain verified');
    expect(text).toMatch(/ingest journal: wms 1 links, finance 1 links; \d+ stored record items/);
    expect(text).toMatch(/digests: \d+ lines at .*digests\.ndjson/);
  });
});

describe('attacks on the case trail', () => {
  it('names a correctly chained fake approve written straight into the events table', async () => {
    const trail = await events(GROUPS.red);
    const last = trail.at(-1) as ChainedEvent;
    const fake = chain(last, {
      groupKey: GROUPS.red,
      type: 'approve',
      at: '2026-11-02T09:00:00.000Z',
      actor: { userId: 'sub-wang.lead', username: 'wang.lead', roles: ['warehouse-lead'] },
      data: { complete: true },
    });
    const head = await get(CASES_TABLE.localName, headKey(GROUPS.red));
    await put(CASE_EVENTS_TABLE.localName, eventItem(fake));
    await rewriteHead(GROUPS.red, fake);
    undo.push(
      () =>
        remove(CASE_EVENTS_TABLE.localName, {
          pk: { S: `case#${GROUPS.red}` },
          sk: { S: `e#${String(fake.seq).padStart(8, '0')}` },
        }),
      () => put(CASES_TABLE.localName, head),
    );

    const { status, text } = await verify();

    expect(status).toBe(1);
    expect(text).toContain(
      `BROKEN case ${caseIdOf(GROUPS.red)} (${GROUPS.red}) at link ${fake.seq}: never anchored`,
    );
    expect(text).not.toContain('hash mismatch');
  });

  it('names a deleted last approval whose head was rewritten to the event before it', async () => {
    const trail = await events(GROUPS.red);
    const approval = trail.at(-1) as ChainedEvent;
    const before = trail.at(-2) as ChainedEvent;
    const head = await get(CASES_TABLE.localName, headKey(GROUPS.red));
    await remove(CASE_EVENTS_TABLE.localName, {
      pk: { S: `case#${GROUPS.red}` },
      sk: { S: `e#${String(approval.seq).padStart(8, '0')}` },
    });
    await rewriteHead(GROUPS.red, before);
    undo.push(
      () => put(CASE_EVENTS_TABLE.localName, eventItem(approval)),
      () => put(CASES_TABLE.localName, head),
    );

    const { status, text } = await verify();

    expect(status).toBe(1);
    expect(text).toContain(
      `BROKEN case ${caseIdOf(GROUPS.red)} (${GROUPS.red}) at link ${approval.seq}: anchored but gone`,
    );
  });

  it('names the first rewritten event of a consistently rewritten chain (every hash recomputed)', async () => {
    const trail = await events(GROUPS.red);
    const head = await get(CASES_TABLE.localName, headKey(GROUPS.red));
    const proposalAt = trail.findIndex((e) => e.type === 'propose');
    const rewritten: ChainedEvent[] = trail.slice(0, proposalAt);
    for (const e of trail.slice(proposalAt)) {
      const data =
        e.type === 'propose' ? JSON.parse(JSON.stringify(e.data).replaceAll('60000.00', '600.00')) : e.data;
      rewritten.push(
        chain(rewritten.at(-1), { groupKey: e.groupKey, type: e.type, at: e.at, actor: e.actor, data }),
      );
    }
    for (const e of rewritten.slice(proposalAt)) await put(CASE_EVENTS_TABLE.localName, eventItem(e));
    await rewriteHead(GROUPS.red, rewritten.at(-1) as ChainedEvent);
    undo.push(async () => {
      for (const e of trail.slice(proposalAt)) await put(CASE_EVENTS_TABLE.localName, eventItem(e));
      await put(CASES_TABLE.localName, head);
    });

    const { status, text } = await verify();

    expect(status).toBe(1);
    const seq = (trail[proposalAt] as ChainedEvent).seq;
    expect(text).toContain(`at link ${seq}: differs from its digest`);
    expect(text).toContain(`found    ${(rewritten[proposalAt] as ChainedEvent).hash}`);
    expect(text).not.toContain('hash mismatch');
  });
});

describe('attacks on the movements and entries', () => {
  const recordKey = { pk: { S: 'wms#E-RED' }, sk: { S: 'head' } };

  it('names a stored record whose content was changed, its hash recomputed to match', async () => {
    const head = await get(TABLE, recordKey);
    const altered = (head.record?.S ?? '').replace('"quantity":"600"', '"quantity":"6"');
    const version = await get(TABLE, { pk: { S: 'wms#E-RED' }, sk: { S: `v#${head.hash?.S ?? ''}` } });
    const forgedHash = contentHash(altered);
    await put(TABLE, { ...head, record: { S: altered }, hash: { S: forgedHash } });
    await remove(TABLE, { pk: version.pk as AttributeValue, sk: version.sk as AttributeValue });
    await put(TABLE, {
      ...version,
      sk: { S: `v#${forgedHash}` },
      record: { S: altered },
      gsk: { S: `wms#E-RED#${forgedHash}` },
    });
    undo.push(
      () => remove(TABLE, { pk: { S: 'wms#E-RED' }, sk: { S: `v#${forgedHash}` } }),
      () => put(TABLE, version),
      () => put(TABLE, head),
    );

    const { status, text } = await verify();

    expect(status).toBe(1);
    expect(text).toContain('BROKEN record wms#E-RED (head): not in the ingest journal');
    expect(text).toContain(`BROKEN record wms#E-RED (v#${forgedHash}): not in the ingest journal`);
  });

  it('names a record written straight into the table, and a journal rewritten to cover it', async () => {
    const version = await get(TABLE, {
      pk: { S: 'wms#E-RED' },
      sk: { S: `v#${(await get(TABLE, recordKey)).hash?.S ?? ''}` },
    });
    const text0 = (version.record?.S ?? '').replace('"eventId":"E-RED"', '"eventId":"E-FAKE"');
    const hash = contentHash(text0);
    const forged = {
      ...version,
      pk: { S: 'wms#E-FAKE' },
      sk: { S: `v#${hash}` },
      record: { S: text0 },
      gsk: { S: `wms#E-FAKE#${hash}` },
    };
    await put(TABLE, forged);
    undo.push(() => remove(TABLE, { pk: { S: 'wms#E-FAKE' }, sk: { S: `v#${hash}` } }));

    const fake = await verify();
    expect(fake.status).toBe(1);
    expect(fake.text).toContain(`BROKEN record wms#E-FAKE (v#${hash}): not in the ingest journal`);

    // Now the journal too: its only wms link rewritten (consistently) to name the forged record.
    const { Items = [] } = await aws.dynamo.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'journal#wms' } },
      }),
    );
    const original = Items[0] as Item;
    const records = [
      ...(JSON.parse(original.records?.S ?? '[]') as JournalLink['records']),
      ['E-FAKE', hash],
    ] as JournalLink['records'];
    const link = nextJournalLink(undefined, {
      source: 'wms',
      at: original.at?.S ?? '',
      delivery: original.delivery?.S ?? '',
      records,
    });
    await put(TABLE, { ...original, records: { S: JSON.stringify(records) }, hash: { S: link.hash } });
    undo.push(() => put(TABLE, original));

    const covered = await verify();
    expect(covered.status).toBe(1);
    expect(covered.text).not.toContain('BROKEN record');
    expect(covered.text).not.toContain('BROKEN ingest journal');
    expect(covered.text).toContain('BROKEN ingest:wms at link 1: differs from its digest');
  });
});

describe('an attack on the digest log itself', () => {
  it('names a line edited in the local digest file', async () => {
    const file = join(digests, 'digests.ndjson');
    const original = readFileSync(file, 'utf8');
    const lines = original.trimEnd().split('\n');
    const edited = JSON.parse(lines[0] ?? '{}') as { anchors: { hash: string }[] };
    edited.anchors[0] = { ...edited.anchors[0], hash: 'f'.repeat(64) } as { hash: string };
    writeFileSync(file, [JSON.stringify(edited), ...lines.slice(1)].join('\n') + '\n');
    undo.push(async () => writeFileSync(file, original));

    const { status, text } = await verify();

    expect(status).toBe(1);
    expect(text).toContain('BROKEN digest log at line 1: it was changed after it was written');
  });
});
