import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Source } from '../core/records/records.js';

/**
 * Raw records routed to partitions, held in memory up to a budget and spilled to one temp file
 * past it, so peak memory follows the largest partition, not the size of the input. One file, not
 * one per partition: creating small files costs most of a millisecond each on this file system.
 */
/** Blocks start small and double: with thousands of partitions, fixed big blocks were gigabytes of air. */
const FIRST_BLOCK = 4 * 1024;
const MAX_BLOCK = 256 * 1024;

/** A spilled run of one partition's records: their bytes, then their line numbers (Int32). */
interface Segment {
  offset: number;
  bytes: number;
  lines: number;
}

/** One partition's share of one source file, ready to parse. */
export interface PartitionShare {
  /** Spilled segments (earlier in the file) come before the in-memory blocks. */
  spill: { path: string; segments: Segment[] } | undefined;
  blocks: Uint8Array[];
  /** How many records each block holds (records never span blocks). */
  blockLines: number[];
  lines: Int32Array;
}

class Share {
  blocks: Uint8Array[] = [];
  blockLines: number[] = [];
  private linesInBlocks = 0;
  current = new Uint8Array(0);
  used = 0;
  lines: number[] = [];
  segments: Segment[] = [];
  buffered = 0;

  /** Appends a record; returns the bytes of memory newly taken (a new block), for the budget. */
  append(data: Uint8Array, start: number, end: number, line: number): number {
    let grown = 0;
    const length = end - start;
    const needsLf = data[end - 1] !== 10;
    const total = length + (needsLf ? 1 : 0);
    if (this.used + total > this.current.length) {
      if (this.used > 0) {
        this.blocks.push(this.current.subarray(0, this.used));
        this.blockLines.push(this.lines.length - this.linesInBlocks);
        this.linesInBlocks = this.lines.length;
      }
      const next = Math.min(MAX_BLOCK, Math.max(FIRST_BLOCK, this.current.length * 2));
      this.current = new Uint8Array(Math.max(next, total));
      grown = this.current.length;
      this.used = 0;
    }
    if (Buffer.isBuffer(data)) data.copy(this.current, this.used, start, end);
    else this.current.set(data.subarray(start, end), this.used);
    this.used += length;
    if (needsLf) this.current[this.used++] = 10;
    this.lines.push(line);
    // A line number costs a slot in a JS array too.
    this.buffered += grown + 8;
    return grown + 8;
  }

  sealed(): Uint8Array[] {
    return this.used > 0 ? [...this.blocks, this.current.subarray(0, this.used)] : [...this.blocks];
  }

  sealedLines(): number[] {
    return this.used > 0
      ? [...this.blockLines, this.lines.length - this.linesInBlocks]
      : [...this.blockLines];
  }

  reset(): void {
    this.blocks = [];
    this.blockLines = [];
    this.linesInBlocks = 0;
    this.current = new Uint8Array(0);
    this.used = 0;
    this.lines = [];
    this.buffered = 0;
  }
}

export class PartitionStore {
  private readonly shares: Record<Source, Share[]>;
  private readonly spillPath: string;
  private spillFd: number | undefined;
  private spillAt = 0;
  private buffered = 0;
  spilledBytes = 0;

  constructor(
    readonly partitions: number,
    private readonly budgetBytes: number,
    tmpDir: string,
  ) {
    const make = () => Array.from({ length: partitions }, () => new Share());
    this.shares = { wms: make(), finance: make() };
    this.spillPath = join(tmpDir, 'spill.bin');
  }

  private share(source: Source, partition: number): Share {
    const share = this.shares[source][partition];
    if (share === undefined) throw new Error(`partition ${partition} out of range`);
    return share;
  }

  append(
    source: Source,
    partition: number,
    data: Uint8Array,
    start: number,
    end: number,
    line: number,
  ): void {
    this.buffered += this.share(source, partition).append(data, start, end, line);
    if (this.buffered > this.budgetBytes) this.spill();
  }

  /** Appends every buffered share to the spill file and frees the memory. */
  private spill(): void {
    this.spillFd ??= openSync(this.spillPath, 'w+');
    const fd = this.spillFd;
    for (const source of ['wms', 'finance'] as const) {
      for (const share of this.shares[source]) {
        if (share.buffered === 0) continue;
        const offset = this.spillAt;
        let bytes = 0;
        for (const block of share.sealed())
          bytes += writeSync(fd, block, 0, block.length, this.spillAt + bytes);
        const lines = Int32Array.from(share.lines);
        writeSync(fd, new Uint8Array(lines.buffer), 0, lines.byteLength, offset + bytes);
        this.spillAt = offset + bytes + lines.byteLength;
        share.segments.push({ offset, bytes, lines: lines.length });
        this.spilledBytes += bytes;
        share.reset();
      }
    }
    this.buffered = 0;
  }

  /** Hands over a partition's records and forgets them. */
  take(source: Source, partition: number): PartitionShare {
    const share = this.share(source, partition);
    const result: PartitionShare = {
      spill: share.segments.length > 0 ? { path: this.spillPath, segments: share.segments } : undefined,
      blocks: share.sealed(),
      blockLines: share.sealedLines(),
      lines: Int32Array.from(share.lines),
    };
    this.buffered -= share.buffered;
    share.segments = [];
    share.reset();
    return result;
  }

  close(): void {
    if (this.spillFd !== undefined) closeSync(this.spillFd);
  }
}

function readAt(fd: number, offset: number, bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  let done = 0;
  while (done < bytes) done += readSync(fd, buffer, done, bytes - done, offset + done);
  return buffer;
}

/** A run of whole records and the physical line of each, in file order. */
export interface SharePiece {
  bytes: Uint8Array;
  lines: Int32Array;
}

/** A share back as pieces of record bytes with their line numbers, in file order, copied no more. */
export function loadShare(share: PartitionShare): SharePiece[] {
  const pieces: SharePiece[] = [];
  if (share.spill !== undefined) {
    const fd = openSync(share.spill.path, 'r');
    try {
      for (const segment of share.spill.segments) {
        const bytes = readAt(fd, segment.offset, segment.bytes);
        const raw = readAt(fd, segment.offset + segment.bytes, segment.lines * 4);
        pieces.push({ bytes, lines: new Int32Array(raw.buffer, raw.byteOffset, segment.lines) });
      }
    } finally {
      closeSync(fd);
    }
  }
  let offset = 0;
  share.blocks.forEach((bytes, b) => {
    const count = share.blockLines[b] ?? 0;
    pieces.push({ bytes, lines: share.lines.subarray(offset, offset + count) });
    offset += count;
  });
  return pieces;
}
