import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CaseStore } from '../adapters/cases/case-store.js';
import { FileDigestLog, S3DigestLog, type DigestLog } from '../adapters/ingest/digest-log.js';
import { IngestJournalStore } from '../adapters/ingest/ingest-journal-store.js';
import { verifyChain, type BrokenLink } from '../core/cases/audit-chain.js';
import {
  anchorsByChain,
  caseChain,
  checkAgainstDigests,
  ingestChain,
  type ChainId,
  type DigestBreak,
} from '../core/ingest/audit-digest.js';
import { caseIdOf } from '../core/cases/case-id.js';
import { contentHash } from '../core/records/content-hash.js';
import { verifyJournal, type JournalBreak } from '../core/ingest/ingest-journal.js';
import { CASE_EVENTS_TABLE, CASES_TABLE, ENV, RECORDS_TABLE } from '../declarations/tables.js';
import { DATA_LAYOUT } from '../local/wiring/data-dir.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/standins/embedded-aws.js';
import { UsageError } from './usage-error.js';

export const AUDIT_HELP = `Usage: stocktally audit verify [--data DIR] [--endpoint URL] [--digests WHERE] [--json]

Checks the audit trail of every case (each event's SHA-256 over its canonical form, each link to
the event before it, the sequence numbers, and that each case head names its last event), the
ingest journal of each source (the same, link by link), every stored record against the journal
(its content hash recomputed and found there), and every chain against the digest log the functions
anchored each link in as they appended it: a link never anchored (written straight into a table),
changed, or anchored but gone is a break. Names the first break of every chain, and every record
that breaks. Exit status 0 when everything verifies, 1 when something is broken, 2 for unusable
arguments.

  --data DIR       the local pipeline's data directory (default .stocktally): its endpoints.json
                   names the DynamoDB that \`stocktally start\` runs, its audit/ holds the digests
  --endpoint URL   a DynamoDB endpoint instead (${ENV.dynamodbEndpoint} also works); without either
                   and with ${CASES_TABLE.env} and ${CASE_EVENTS_TABLE.env} set, the tables of an
                   AWS account are checked with the default credentials
  --digests WHERE  the digest log: a directory holding digests.ndjson, or s3://BUCKET (the Object
                   Lock bucket; ${ENV.auditBucket} also works). Without one, the chains are checked
                   only against themselves, which a consistent rewrite passes
  --json           print the result as JSON
  -h, --help       this help
`;

export interface AuditArgs {
  help: boolean;
  data: string;
  endpoint?: string;
  digests?: string;
  json: boolean;
}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help' || sub === 'help')
    return { help: true, data: '.stocktally', json: false };
  if (sub !== 'verify')
    throw new UsageError(`audit: unknown subcommand ${sub ?? '(none)'}; try: stocktally audit verify`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string', default: '.stocktally' },
        endpoint: { type: 'string' },
        digests: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`audit verify: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { values } = parsed;
  if (values.endpoint !== undefined && !/^https?:\/\/\S+$/.test(values.endpoint)) {
    throw new UsageError(`audit verify: --endpoint must be an http(s) URL: ${values.endpoint}`);
  }
  return {
    help: values.help,
    data: values.data,
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    ...(values.digests === undefined ? {} : { digests: values.digests }),
    json: values.json,
  };
}

interface Target {
  client: DynamoDBClient;
  casesTable: string;
  eventsTable: string;
  recordsTable: string;
  where: string;
  /** The digest log, when one is known. */
  digests?: DigestLog;
}

/** The digest log `--digests` names (a directory, or s3://bucket), else the environment's. */
function digestsOf(where: string | undefined, s3Endpoint?: string): DigestLog | undefined {
  const named = where ?? process.env[ENV.auditBucket];
  if (named === undefined || named === '') return undefined;
  const bucket = /^s3:\/\/([^/]+)\/?$/.exec(named)?.[1] ?? (where === undefined ? named : undefined);
  if (bucket === undefined) return new FileDigestLog(named);
  const client =
    s3Endpoint === undefined
      ? new S3Client({})
      : new S3Client({
          endpoint: s3Endpoint,
          region: LOCAL_REGION,
          credentials: LOCAL_CREDENTIALS,
          forcePathStyle: true,
        });
  return new S3DigestLog(client, bucket);
}

async function target(args: AuditArgs): Promise<Target> {
  const local = (endpoint: string, where: string): Target => ({
    client: new DynamoDBClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 2,
    }),
    casesTable: process.env[CASES_TABLE.env] ?? CASES_TABLE.localName,
    eventsTable: process.env[CASE_EVENTS_TABLE.env] ?? CASE_EVENTS_TABLE.localName,
    recordsTable: process.env[RECORDS_TABLE.env] ?? RECORDS_TABLE.localName,
    where,
  });
  const withDigests = (t: Target, log: DigestLog | undefined): Target =>
    log === undefined ? t : { ...t, digests: log };
  const endpoint = args.endpoint ?? process.env[ENV.dynamodbEndpoint];
  if (endpoint !== undefined && endpoint !== '') {
    return withDigests(local(endpoint, endpoint), digestsOf(args.digests, process.env[ENV.s3Endpoint]));
  }
  const cases = process.env[CASES_TABLE.env];
  const events = process.env[CASE_EVENTS_TABLE.env];
  const records = process.env[RECORDS_TABLE.env];
  if (cases !== undefined && events !== undefined && args.data === '.stocktally') {
    return withDigests(
      {
        client: new DynamoDBClient({}),
        casesTable: cases,
        eventsTable: events,
        recordsTable: records ?? RECORDS_TABLE.localName,
        where: `AWS (${cases}, ${events})`,
      },
      digestsOf(args.digests),
    );
  }
  const file = join(args.data, DATA_LAYOUT.endpoints);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `audit verify: no ${file}: start the pipeline first (stocktally start --data ${args.data}), or pass --endpoint`,
    );
  }
  const dynamodb = (JSON.parse(text) as { dynamodb?: unknown }).dynamodb;
  if (typeof dynamodb !== 'string') throw new UsageError(`audit verify: ${file} names no dynamodb endpoint`);
  return withDigests(
    local(dynamodb, dynamodb),
    digestsOf(args.digests ?? join(args.data, DATA_LAYOUT.audit)),
  );
}

export interface RecordBreak {
  /** `wms#E1` */
  key: string;
  /** `head` or `v#<hash>`. */
  item: string;
  reason: 'content' | 'not journaled';
  expected: string;
  found: string;
}

export interface AuditResult {
  cases: number;
  events: number;
  broken: (BrokenLink & { caseId: string })[];
  /** Links of the ingest journal, by source. */
  journal: Record<string, number>;
  journalBroken: JournalBreak[];
  /** Stored record items checked (heads and versions). */
  records: number;
  recordsBroken: RecordBreak[];
  /** The digest log: where, how many lines, and where it is broken itself; null when none was given. */
  digests: { where: string; lines: number; broken?: { line: number; reason: string } } | null;
  /** Chains that disagree with their digests (the first break of each). */
  digestBroken: (DigestBreak & { caseId?: string })[];
}

/** Every chain of the store, checked; the first broken link of each broken chain. */
export async function auditCases(
  store: CaseStore,
  anchors?: ReadonlyMap<ChainId, ReadonlyMap<number, readonly string[]>>,
): Promise<Pick<AuditResult, 'cases' | 'events' | 'broken' | 'digestBroken'>> {
  const result: Pick<AuditResult, 'cases' | 'events' | 'broken' | 'digestBroken'> = {
    cases: 0,
    events: 0,
    broken: [],
    digestBroken: [],
  };
  const keys = new Set(await store.allGroupKeys());
  // A case whose every event is gone still has its digests.
  for (const chainId of anchors?.keys() ?? []) if (chainId.startsWith('case:')) keys.add(chainId.slice(5));
  for (const groupKey of [...keys].sort()) {
    const [events, head] = await Promise.all([store.eventsOf(groupKey), store.headOf(groupKey)]);
    result.cases += 1;
    result.events += events.length;
    const check = verifyChain(groupKey, events, head);
    if (!check.verified) result.broken.push({ ...check.brokenAt, caseId: caseIdOf(groupKey) });
    if (anchors !== undefined) {
      const chainId = caseChain(groupKey);
      const anchored = checkAgainstDigests(chainId, events, anchors.get(chainId));
      if (anchored !== undefined) result.digestBroken.push({ ...anchored, caseId: caseIdOf(groupKey) });
    }
  }
  return result;
}

/**
 * The ingest journal of each source against itself and its digests, and every stored record (each
 * head and each version) against the journal: its content hash recomputed from what is stored, and
 * found among the hashes the journal names for its id.
 */
export async function auditLedger(
  client: DynamoDBClient,
  recordsTable: string,
  anchors?: ReadonlyMap<ChainId, ReadonlyMap<number, readonly string[]>>,
): Promise<Pick<AuditResult, 'journal' | 'journalBroken' | 'records' | 'recordsBroken' | 'digestBroken'>> {
  const store = new IngestJournalStore(client, recordsTable);
  const journaled = new Map<string, Set<string>>();
  const result: Pick<
    AuditResult,
    'journal' | 'journalBroken' | 'records' | 'recordsBroken' | 'digestBroken'
  > = { journal: {}, journalBroken: [], records: 0, recordsBroken: [], digestBroken: [] };
  for (const source of ['wms', 'finance'] as const) {
    const links = await store.links(source);
    result.journal[source] = links.length;
    const broken = verifyJournal(source, links);
    if (broken !== undefined) result.journalBroken.push(broken);
    if (anchors !== undefined) {
      const chainId = ingestChain(source);
      const anchored = checkAgainstDigests(chainId, links, anchors.get(chainId));
      if (anchored !== undefined) result.digestBroken.push(anchored);
    }
    for (const link of links) {
      for (const [id, hash] of link.records) {
        const key = `${source}#${id}`;
        let hashes = journaled.get(key);
        if (hashes === undefined) journaled.set(key, (hashes = new Set()));
        hashes.add(hash);
      }
    }
  }
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: recordsTable,
        FilterExpression: 'sk = :head OR begins_with(sk, :v)',
        ExpressionAttributeValues: { ':head': { S: 'head' }, ':v': { S: 'v#' } },
        ProjectionExpression: 'pk, sk, #hash, #record',
        ExpressionAttributeNames: { '#hash': 'hash', '#record': 'record' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = item.pk?.S ?? '';
      if (!key.startsWith('wms#') && !key.startsWith('finance#')) continue;
      const sk = item.sk?.S ?? '';
      result.records++;
      const claimed = sk === 'head' ? (item.hash?.S ?? '') : sk.slice(2);
      const actual = contentHash(item.record?.S ?? '');
      if (actual !== claimed) {
        result.recordsBroken.push({ key, item: sk, reason: 'content', expected: claimed, found: actual });
        continue;
      }
      const hashes = journaled.get(key);
      if (hashes === undefined || !hashes.has(actual)) {
        result.recordsBroken.push({
          key,
          item: sk,
          reason: 'not journaled',
          expected: hashes === undefined ? 'the id in the ingest journal' : [...hashes].join(' or '),
          found: actual,
        });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  result.recordsBroken.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.item < b.item ? -1 : 1));
  return result;
}

export interface AuditIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function runAuditCommand(
  argv: string[],
  io: AuditIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const args = parseAuditArgs(argv);
  const say = (line = ''): void => void io.out.write(`${line}\n`);
  if (args.help) {
    io.out.write(AUDIT_HELP);
    return 0;
  }
  // The SDK's notice that Node 20 support ends in 2027 is nothing to act on here (as in `start`).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { client, casesTable, eventsTable, recordsTable, where, digests } = await target(args);
  try {
    let result: AuditResult;
    try {
      const log = digests === undefined ? undefined : await digests.read();
      const anchors = log === undefined ? undefined : anchorsByChain(log.lines);
      const cases = await auditCases(
        new CaseStore({ client, casesTable, eventsTable, retry: { attempts: 3, baseMs: 50, capMs: 500 } }),
        anchors,
      );
      const ledger = await auditLedger(client, recordsTable, anchors);
      result = {
        ...cases,
        ...ledger,
        digestBroken: [...cases.digestBroken, ...ledger.digestBroken],
        digests:
          digests === undefined || log === undefined
            ? null
            : {
                where: digests.where,
                lines: log.lines.length,
                ...(log.broken === undefined ? {} : { broken: log.broken }),
              },
      };
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (
        error instanceof TypeError ||
        name === 'ResourceNotFoundException' ||
        name === 'NoSuchBucket' ||
        /ECONNREFUSED/.test(String(error))
      ) {
        throw new UsageError(
          `audit verify: cannot read the tables at ${where}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      throw error;
    }
    const failures =
      result.broken.length +
      result.journalBroken.length +
      result.recordsBroken.length +
      result.digestBroken.length +
      (result.digests?.broken === undefined ? 0 : 1);
    if (args.json) {
      say(JSON.stringify({ verified: failures === 0, ...result }, null, 2));
    } else {
      say(`audit verify: ${result.cases} cases, ${result.events} events at ${where}`);
      say(
        `  ingest journal: ${Object.entries(result.journal)
          .map(([source, links]) => `${source} ${links} links`)
          .join(', ')}; ${result.records} stored record items`,
      );
      say(
        result.digests === null
          ? '  no digest log given (--digests): chains checked only against themselves'
          : `  digests: ${result.digests.lines} lines at ${result.digests.where}`,
      );
      if (result.digests?.broken !== undefined) {
        say(`  BROKEN digest log at line ${result.digests.broken.line}: it ${result.digests.broken.reason}`);
      }
      for (const b of result.broken) {
        say(`  BROKEN case ${b.caseId} (${b.groupKey}) at event ${b.seq}: ${b.reason} mismatch`);
        say(`         expected ${b.expected}`);
        say(`         found    ${b.found}`);
      }
      for (const b of result.journalBroken) {
        say(`  BROKEN ingest journal ${b.source} at link ${b.seq}: ${b.reason} mismatch`);
        say(`         expected ${b.expected}`);
        say(`         found    ${b.found}`);
      }
      for (const b of result.digestBroken) {
        const what = b.caseId === undefined ? b.chain : `case ${b.caseId} (${b.chain.slice(5)})`;
        const why = {
          unanchored: 'never anchored',
          differs: 'differs from its digest',
          missing: 'anchored but gone',
        }[b.reason];
        say(`  BROKEN ${what} at link ${b.seq}: ${why}`);
        say(`         expected ${b.expected}`);
        say(`         found    ${b.found}`);
      }
      for (const b of result.recordsBroken.slice(0, MAX_RECORDS_SHOWN)) {
        say(
          `  BROKEN record ${b.key} (${b.item}): ${b.reason === 'content' ? 'its content does not hash to its key' : 'not in the ingest journal'}`,
        );
        say(`         expected ${b.expected}`);
        say(`         found    ${b.found}`);
      }
      if (result.recordsBroken.length > MAX_RECORDS_SHOWN) {
        say(
          `  ... and ${result.recordsBroken.length - MAX_RECORDS_SHOWN} more broken records (--json lists them all)`,
        );
      }
      if (failures === 0) say(`  every chain verified`);
      else {
        if (result.broken.length > 0) say(`  ${result.broken.length} of ${result.cases} chains broken`);
        const others = [
          [result.journalBroken.length, 'ingest journal chains broken'],
          [result.digestBroken.length, 'chains disagree with their digests'],
          [result.recordsBroken.length, 'stored records break the journal'],
        ] as const;
        for (const [count, what] of others) if (count > 0) say(`  ${count} ${what}`);
      }
    }
    return failures === 0 ? 0 : 1;
  } finally {
    client.destroy();
  }
}

/** Broken records printed one by one; the JSON lists them all. */
const MAX_RECORDS_SHOWN = 20;
