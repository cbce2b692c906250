import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { RunHeatMap } from '../../core/runs/run-heat-map.js';
import type { RunRecord } from '../../core/runs/run-events.js';
import type { StoredRun } from '../../core/runs/ports.js';
import type { RunBrief, RunPage } from '../../api/runs.js';
import type { DynamoBatch } from '../aws/dynamo-batch.js';
import { s, json, RUN, HEAT_MAP, RUNS_LIST, runKey, BY_GROUP } from './run-items.js';
import { encodeRunsCursor, decodeRunsCursor } from './run-cursors.js';

export function briefOf(run: RunRecord): RunBrief {
  const { summary } = run;
  return {
    runId: run.runId,
    status: run.status,
    mode: run.mode,
    asOf: run.asOf,
    ...(run.period === undefined ? {} : { period: run.period }),
    ...(run.scope === undefined ? {} : { scope: run.scope }),
    startedAt: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    partitions: run.partitions.length,
    failures: run.failures.length,
    summary:
      summary === null
        ? null
        : { ...summary, rejected: summary.rejected.length, conflicts: summary.conflicts.length },
  };
}

/** The run items: each run's record and brief (listed newest first) and its heat map. */
export class RunRecords {
  constructor(private readonly batch: DynamoBatch) {}

  private get table(): string {
    return this.batch.table;
  }

  async putRun(stored: StoredRun): Promise<void> {
    const { run } = stored;
    await this.batch.send('PutItem', () =>
      this.batch.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: s(runKey(run.runId)),
            sk: s(RUN),
            status: s(run.status),
            mode: s(run.mode),
            asOf: s(run.asOf),
            startedAt: s(run.startedAt),
            record: s(JSON.stringify(run)),
            dirtyVersions: s(JSON.stringify(stored.dirtyVersions)),
            // Listed newest first by GET /v1/runs through the by-group index, read as its brief.
            gpk: s(RUNS_LIST),
            gsk: s(`${run.startedAt}#${run.runId}`),
            brief: s(JSON.stringify(briefOf(run))),
          },
        }),
      ),
    );
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    const { Item } = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: s(runKey(runId)), sk: s(RUN) },
          ConsistentRead: true,
        }),
      ),
    );
    const run = json<RunRecord>(Item, 'record');
    if (run === undefined) return undefined;
    return { run, dirtyVersions: json<Record<number, number>>(Item, 'dirtyVersions') ?? {} };
  }

  /** The runs, most recently started first, as briefs (the by-group index under gpk `runs`). */
  async listRuns(options: { cursor?: string | undefined; limit: number }): Promise<RunPage> {
    const page = await this.batch.send('Query', () =>
      this.batch.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_GROUP.name,
          KeyConditionExpression: '#g = :g',
          ExpressionAttributeNames: { '#g': BY_GROUP.partitionKey, '#brief': 'brief' },
          ExpressionAttributeValues: { ':g': s(RUNS_LIST) },
          ProjectionExpression: '#brief',
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: options.cursor === undefined ? undefined : decodeRunsCursor(options.cursor),
        }),
      ),
    );
    const items = (page.Items ?? []).flatMap((item) => {
      const brief = json<RunBrief>(item, 'brief');
      return brief === undefined ? [] : [brief];
    });
    const next = page.LastEvaluatedKey;
    return { items, cursor: next === undefined ? null : encodeRunsCursor(next) };
  }

  /** Stores the run's dashboard aggregates (gzipped: a run over many warehouses stays one item). */
  async putHeatMap(heatMap: RunHeatMap): Promise<void> {
    await this.batch.putAll([
      {
        pk: s(runKey(heatMap.runId)),
        sk: s(HEAT_MAP),
        heat: { B: gzipSync(JSON.stringify(heatMap)) },
      },
    ]);
  }

  async getHeatMap(runId: string): Promise<RunHeatMap | undefined> {
    const { Item } = await this.batch.send('GetItem', () =>
      this.batch.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: s(runKey(runId)), sk: s(HEAT_MAP) },
        }),
      ),
    );
    const bytes = Item?.heat?.B;
    return bytes === undefined ? undefined : (JSON.parse(gunzipSync(bytes).toString('utf8')) as RunHeatMap);
  }
}
