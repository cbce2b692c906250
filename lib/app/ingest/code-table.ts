import type { DropObjects } from '../../core/ingest/ports.js';
import { CodeMap, loadCodesCsv } from '../../core/records/code-map.js';
import { MAX_TABLE_BYTES } from '../../core/records/record-limits.js';
import { BUCKET } from '../../declarations/tables.js';

/**
 * The code mapping in force (tables/codes.csv, the latest usable drop under incoming/codes/), as
 * both ingest paths apply it to every record before it is stored: the runs then see one code per
 * item and warehouse, and partitions keep items whole. Absent until the first drop: every code
 * passes unchanged. Kept per container while its etag holds, so a webhook pays one HEAD a call.
 */
const EMPTY = new CodeMap();

let cached: { bucket: string; etag: string; codes: CodeMap } | undefined;

export async function codesInForce(
  objects: Pick<DropObjects, 'etagOf' | 'smallBytes'>,
  bucket: string,
): Promise<CodeMap> {
  const key = BUCKET.codesTableKey;
  const etag = await objects.etagOf(bucket, key);
  if (etag === undefined) return EMPTY;
  if (cached?.bucket === bucket && cached.etag === etag) return cached.codes;
  const bytes = await objects.smallBytes({ bucket, key, etag }, MAX_TABLE_BYTES);
  if (bytes === undefined || bytes === 'too-big') return EMPTY;
  // Only a usable table is ever copied to tables/ (drop-ingest.ts): it loads, or nothing is mapped.
  let codes = EMPTY;
  try {
    const loaded = loadCodesCsv(new TextDecoder('utf-8').decode(bytes), key);
    if (loaded.ok) codes = loaded.table;
  } catch {
    codes = EMPTY;
  }
  cached = { bucket, etag, codes };
  return codes;
}
