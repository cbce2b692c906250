/**
 * Routing a record to its partition: a stable hash of the sku's UTF-8 bytes, so every warehouse of
 * an item lands together (its WMS unit and its average cost span warehouses) and the CLI's worker
 * threads, the DynamoDB partition keys and the Step Functions Map agree on the same buckets.
 * FNV-1a with a murmur3 finaliser: plain FNV clusters short similar codes (FIELD-NOTES).
 */
export const DEFAULT_PARTITIONS = 64;

export function hashBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

export function partitionOfBytes(bytes: Uint8Array, start: number, end: number, partitions: number): number {
  return hashBytes(bytes, start, end) % partitions;
}

export function partitionOf(sku: string, partitions: number): number {
  return hashBytes(encoder.encode(sku)) % partitions;
}
