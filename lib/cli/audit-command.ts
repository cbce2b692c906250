import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CaseStore } from '../adapters/case-store.js';
import { verifyChain, type BrokenLink } from '../core/audit-chain.js';
import { caseIdOf } from '../core/case-id.js';
import { CASE_EVENTS_TABLE, CASES_TABLE, ENV } from '../declarations.js';
import { DATA_LAYOUT } from '../local/data-dir.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/embedded-aws.js';
import { UsageError } from './usage-error.js';

export const AUDIT_HELP = `Usage: stocktally audit verify [--data DIR] [--endpoint URL] [--json]

Checks the audit trail of every case: each event's SHA-256 over its canonical form, each link to
the event before it (the first one to the fixed genesis), the sequence numbers, and that each case
head names its last event. Names the first broken link of every broken chain (case id, group key,
event sequence, expected and found hash). Exit status 0 when every chain verifies, 1 when one is
broken, 2 for unusable arguments.

  --data DIR       the local pipeline's data directory (default .stocktally): its endpoints.json
                   names the DynamoDB that \`stocktally start\` runs
  --endpoint URL   a DynamoDB endpoint instead (${ENV.dynamodbEndpoint} also works); without either
                   and with ${CASES_TABLE.env} and ${CASE_EVENTS_TABLE.env} set, the tables of an
                   AWS account are checked with the default credentials
  --json           print the result as JSON
  -h, --help       this help
`;

export interface AuditArgs {
  help: boolean;
  data: string;
  endpoint?: string;
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
    json: values.json,
  };
}

interface Target {
  client: DynamoDBClient;
  casesTable: string;
  eventsTable: string;
  where: string;
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
    where,
  });
  const endpoint = args.endpoint ?? process.env[ENV.dynamodbEndpoint];
  if (endpoint !== undefined && endpoint !== '') return local(endpoint, endpoint);
  const cases = process.env[CASES_TABLE.env];
  const events = process.env[CASE_EVENTS_TABLE.env];
  if (cases !== undefined && events !== undefined && args.data === '.stocktally') {
    return {
      client: new DynamoDBClient({}),
      casesTable: cases,
      eventsTable: events,
      where: `AWS (${cases}, ${events})`,
    };
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
  return local(dynamodb, dynamodb);
}

export interface AuditResult {
  cases: number;
  events: number;
  broken: (BrokenLink & { caseId: string })[];
}

/** Every chain of the store, checked; the first broken link of each broken chain. */
export async function auditCases(store: CaseStore): Promise<AuditResult> {
  const result: AuditResult = { cases: 0, events: 0, broken: [] };
  for (const groupKey of await store.allGroupKeys()) {
    const [events, head] = await Promise.all([store.eventsOf(groupKey), store.headOf(groupKey)]);
    result.cases += 1;
    result.events += events.length;
    const check = verifyChain(groupKey, events, head);
    if (!check.verified) result.broken.push({ ...check.brokenAt, caseId: caseIdOf(groupKey) });
  }
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
  const { client, casesTable, eventsTable, where } = await target(args);
  try {
    let result: AuditResult;
    try {
      result = await auditCases(
        new CaseStore({ client, casesTable, eventsTable, retry: { attempts: 3, baseMs: 50, capMs: 500 } }),
      );
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (
        error instanceof TypeError ||
        name === 'ResourceNotFoundException' ||
        /ECONNREFUSED/.test(String(error))
      ) {
        throw new UsageError(
          `audit verify: cannot read the case tables at ${where}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      throw error;
    }
    if (args.json) {
      say(JSON.stringify({ verified: result.broken.length === 0, ...result }, null, 2));
    } else {
      say(`audit verify: ${result.cases} cases, ${result.events} events at ${where}`);
      for (const b of result.broken) {
        say(`  BROKEN case ${b.caseId} (${b.groupKey}) at event ${b.seq}: ${b.reason} mismatch`);
        say(`         expected ${b.expected}`);
        say(`         found    ${b.found}`);
      }
      say(
        result.broken.length === 0
          ? `  every chain verified`
          : `  ${result.broken.length} of ${result.cases} chains broken`,
      );
    }
    return result.broken.length === 0 ? 0 : 1;
  } finally {
    client.destroy();
  }
}
