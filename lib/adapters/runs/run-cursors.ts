import type { DiscrepancySort } from '../../core/runs/ports.js';
import type { Item } from '../aws/dynamo-batch.js';
import { InvalidRequestError } from '../../errors/runs.js';
import { s, RUN, RUNS_LIST, DISCREPANCY, runKey, STAKE, WAREHOUSE, warehouseKey } from './run-items.js';

/** The opaque page cursors of the run list and of a run's discrepancies (base64url JSON of the key). */
/** An opaque page cursor: the key to resume after (with the index's keys when sorted by one), base64url JSON. */
export function encodeCursor(key: Item): string {
  const index = key[STAKE.sortKey]?.S;
  return Buffer.from(
    JSON.stringify({ pk: key.pk?.S, sk: key.sk?.S, ...(index === undefined ? {} : { ix: index }) }),
    'utf8',
  ).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  runId: string,
  sort: DiscrepancySort = 'document',
  warehouseId?: string,
): Item {
  let key: { pk?: unknown; sk?: unknown; ix?: unknown } | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof key;
  } catch {
    key = undefined;
  }
  const { pk, sk, ix } = key ?? {};
  const sorted = sort !== 'document';
  if (
    pk !== runKey(runId) ||
    typeof sk !== 'string' ||
    !sk.startsWith(DISCREPANCY) ||
    (sorted ? typeof ix !== 'string' : ix !== undefined)
  ) {
    throw new InvalidRequestError(
      'cursor is not a cursor of this run and sort; pass the cursor of the previous page',
    );
  }
  return {
    pk: s(pk),
    sk: s(sk),
    ...(sorted ? { [STAKE.sortKey]: s(ix as string) } : {}),
    ...(sorted && warehouseId !== undefined
      ? { [WAREHOUSE.partitionKey]: s(warehouseKey(runId, warehouseId)) }
      : {}),
  };
}

/** The key to resume after `item`, with the index's sort key when the page came from the index. */
export function keyOf(item: Item, sort: DiscrepancySort, byWarehouse: boolean): Item {
  const key: Item = { pk: item.pk, sk: item.sk } as Item;
  const indexKey = item[STAKE.sortKey];
  if (sort !== 'document' && indexKey !== undefined) key[STAKE.sortKey] = indexKey;
  const warehouse = item[WAREHOUSE.partitionKey];
  if (byWarehouse && warehouse !== undefined) key[WAREHOUSE.partitionKey] = warehouse;
  return key;
}

export function encodeRunsCursor(key: Item): string {
  return Buffer.from(JSON.stringify({ pk: key.pk?.S, sk: key.sk?.S, gsk: key.gsk?.S }), 'utf8').toString(
    'base64url',
  );
}

export function decodeRunsCursor(cursor: string): Item {
  let key: { pk?: unknown; sk?: unknown; gsk?: unknown } | undefined;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof key;
  } catch {
    key = undefined;
  }
  const { pk, sk, gsk } = key ?? {};
  if (typeof pk !== 'string' || !pk.startsWith('run#') || sk !== RUN || typeof gsk !== 'string') {
    throw new InvalidRequestError(
      'cursor is not a cursor of the run list; pass the cursor of the previous page',
    );
  }
  return { pk: s(pk), sk: s(sk), gpk: s(RUNS_LIST), gsk: s(gsk) };
}
