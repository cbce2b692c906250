/**
 * Where each partition's records sit in a file's bytes, as one packed table of integers: the records
 * stay where they were read until their partition is reconciled (no copy per record), and the table
 * travels between threads in a SharedArrayBuffer. Per record three uint32: start and end byte offsets
 * and the physical line relative to the range the record was found in.
 */
const FIELDS = 3;

export class RecordIndexBuilder {
  private readonly lists: Uint32Array[];
  private readonly used: Uint32Array;
  total = 0;

  constructor(readonly partitions: number) {
    this.lists = Array.from({ length: partitions }, () => new Uint32Array(0));
    this.used = new Uint32Array(partitions);
  }

  add(partition: number, start: number, end: number, line: number): void {
    let list = this.lists[partition] as Uint32Array;
    const at = this.used[partition] as number;
    if (at + FIELDS > list.length) {
      const grown = new Uint32Array(Math.max(48, list.length * 2));
      grown.set(list);
      this.lists[partition] = list = grown;
    }
    list[at] = start;
    list[at + 1] = end;
    list[at + 2] = line;
    this.used[partition] = at + FIELDS;
    this.total++;
  }

  /** The packed table in shared memory: partition offsets, then the records partition by partition. */
  pack(): SharedArrayBuffer {
    const p = this.partitions;
    const shared = new SharedArrayBuffer(4 * (p + 1 + FIELDS * this.total));
    const offsets = new Uint32Array(shared, 0, p + 1);
    const records = new Uint32Array(shared, 4 * (p + 1));
    let at = 0;
    for (let i = 0; i < p; i++) {
      offsets[i] = at / FIELDS;
      const used = this.used[i] as number;
      records.set((this.lists[i] as Uint32Array).subarray(0, used), at);
      at += used;
    }
    offsets[p] = at / FIELDS;
    return shared;
  }
}

/** One partition's records of one range: start, end and relative line, FIELDS per record. */
export function partitionRecords(
  packed: SharedArrayBuffer,
  partitions: number,
  partition: number,
): Uint32Array {
  const offsets = new Uint32Array(packed, 0, partitions + 1);
  const from = offsets[partition] ?? 0;
  const to = offsets[partition + 1] ?? from;
  return new Uint32Array(packed, 4 * (partitions + 1) + 4 * FIELDS * from, FIELDS * (to - from));
}

export const INDEX_FIELDS = FIELDS;
