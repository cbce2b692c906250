import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RUNS_TABLE, type IndexDeclaration } from '../../declarations/tables.js';
import type { Item } from '../aws/dynamo-batch.js';
import { partitionLabel } from '../ingest/record-store.js';

/**
 * The runs table's item keys and codecs (layout: RUNS_TABLE in lib/declarations/tables.ts), shared by
 * the run store's parts. Every write is keyed so that doing it again lands on the same item.
 */
export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });
export const RUN = 'run';
export const HEAT_MAP = 'heatmap';
/** gpk of every run item: the runs listed by start time through the by-group index. */
export const RUNS_LIST = 'runs';
export const PART = 'part#';
/** Each partition's arrival history (CONTRACT §11), rewritten whenever a run reconciles it. */
export const ARRIVALS = 'diagnosis#arrivals';
export const ARRIVALS_PENDING = 'diagnosis#arrivals#pending';
export const DISCREPANCY = 'd#';

export const runKey = (runId: string): string => `run#${runId}`;
export const lifecycleKey = (partition: number): string => `life#${partitionLabel(partition)}`;
export const discrepancyPrefix = (partition: number): string => `${DISCREPANCY}${partitionLabel(partition)}#`;

export function json<T>(item: Item | undefined, name: string): T | undefined {
  const text = item?.[name]?.S;
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function index(name: string): IndexDeclaration {
  const found = RUNS_TABLE.indexes.find((i) => i.name === name);
  if (found === undefined) throw new Error(`${RUNS_TABLE.id} declares no index ${name}`);
  return found;
}
export const BY_GROUP = index('by-group');
/** Discrepancy items only (sparse): the run's pk, sorted by money at stake. */
export const STAKE = index('by-run-stake');
/** Discrepancy items only (sparse): one warehouse of a run, sorted by money at stake. */
export const WAREHOUSE = index('by-run-warehouse');
export const warehouseKey = (runId: string, warehouseId: string): string => `${runKey(runId)}#${warehouseId}`;

/**
 * Sort key of money at stake: the amount's integer part zero-padded to 20 digits, its six fraction
 * digits, then the group, so string order is numeric order and equal amounts keep a stable order.
 */
export function stakeKey(moneyAtStake: string, groupKey: string): string {
  const [whole = '0', fraction = ''] = moneyAtStake.replace(/^-/, '').split('.');
  return `${whole.padStart(20, '0')}.${fraction.padEnd(6, '0').slice(0, 6)}#${groupKey}`;
}
