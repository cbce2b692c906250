import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Source } from '../core/records.js';

/**
 * Raw records routed to partitions, held in memory up to a budget and spilled to a temp dir past
 * it, so peak memory follows the largest partition, not the size of the input.
 */
const BLOCK = 256 * 1024;

/** One partition's share of one source file, ready to hand to a worker. */
export interface PartitionShare {
  /** Spilled records (earlier in the file) followed by the in-memory ones, in file order. */
  spill: { data: string; lines: string } | undefined;
  blocks: Uint8Array[];
  lines: Int32Array;
}

class Share {
  blocks: Uint8Array[] = [];
  current = new Uint8Array(0);
  used = 0;
  lines: number[] = [];
  spilled = false;
  buffered = 0;

  append(data: Uint8Array, start: number, end: number, line: number): number {
    const length = end - start;
    const needsLf = data[end - 1] !== 10;
    const total = length + (needsLf ? 1 : 0);
    if (this.used + total > this.current.length) {
      if (this.used > 0) this.blocks.push(this.current.subarray(0, this.used));
      this.current = new Uint8Array(Math.max(BLOCK, total));
      this.used = 0;
    }
    if (Buffer.isBuffer(data)) data.copy(this.current, this.used, start, end);
    else this.current.set(data.subarray(start, end), this.used);
    this.used += length;
    if (needsLf) this.current[this.used++] = 10;
    this.lines.push(line);
    this.buffered += total;
    return total;
  }

  sealed(): Uint8Array[] {
    const all = this.used > 0 ? [...this.blocks, this.current.subarray(0, this.used)] : [...this.blocks];
    return all;
  }

  reset(): void {
    this.blocks = [];
    this.current = new Uint8Array(0);
    this.used = 0;
    this.lines = [];
    this.buffered = 0;
  }
}

export class PartitionStore {
  private readonly shares: Record<Source, Share[]>;
  private buffered = 0;
  spills = 0;
  spilledBytes = 0;

  constructor(
    readonly partitions: number,
    private readonly budgetBytes: number,
    private readonly tmpDir: string,
  ) {
    const make = () => Array.from({ length: partitions }, () => new Share());
    this.shares = { wms: make(), finance: make() };
  }

  append(
    source: Source,
    partition: number,
    data: Uint8Array,
    start: number,
    end: number,
    line: number,
  ): void {
    const share = this.shares[source][partition];
    if (share === undefined) throw new Error(`partition ${partition} out of range`);
    this.buffered += share.append(data, start, end, line);
    if (this.buffered > this.budgetBytes) this.spill();
  }

  private paths(source: Source, partition: number): { data: string; lines: string } {
    return {
      data: join(this.tmpDir, `${source}-${partition}.data`),
      lines: join(this.tmpDir, `${source}-${partition}.lines`),
    };
  }

  /** Appends every buffered share to its files and frees the memory. */
  private spill(): void {
    this.spills++;
    for (const source of ['wms', 'finance'] as const) {
      this.shares[source].forEach((share, partition) => {
        if (share.buffered === 0) return;
        const paths = this.paths(source, partition);
        const data = openSync(paths.data, 'a');
        const lines = openSync(paths.lines, 'a');
        try {
          for (const block of share.sealed()) writeSync(data, block);
          const l = Int32Array.from(share.lines);
          writeSync(lines, new Uint8Array(l.buffer, l.byteOffset, l.byteLength));
        } finally {
          closeSync(data);
          closeSync(lines);
        }
        this.spilledBytes += share.buffered;
        share.spilled = true;
        share.reset();
      });
    }
    this.buffered = 0;
  }

  /** Hands over a partition's records and forgets them. */
  take(source: Source, partition: number): PartitionShare {
    const share = this.shares[source][partition];
    if (share === undefined) throw new Error(`partition ${partition} out of range`);
    const result: PartitionShare = {
      spill: share.spilled ? this.paths(source, partition) : undefined,
      blocks: share.sealed(),
      lines: Int32Array.from(share.lines),
    };
    this.buffered -= share.buffered;
    share.reset();
    return result;
  }
}

/** The worker side: a share back into one buffer of record text and its line numbers. */
export function loadShare(share: PartitionShare): { bytes: Uint8Array; lines: Int32Array } {
  const parts: Uint8Array[] = [];
  const lineParts: Int32Array[] = [];
  if (share.spill !== undefined) {
    parts.push(readFileSync(share.spill.data));
    const raw = readFileSync(share.spill.lines);
    lineParts.push(new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
  }
  parts.push(...share.blocks);
  lineParts.push(share.lines);
  const bytes = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
  const total = lineParts.reduce((n, l) => n + l.length, 0);
  const lines = lineParts.length === 1 && lineParts[0] !== undefined ? lineParts[0] : new Int32Array(total);
  if (lineParts.length > 1) {
    let offset = 0;
    for (const l of lineParts) {
      lines.set(l, offset);
      offset += l.length;
    }
  }
  return { bytes, lines };
}
