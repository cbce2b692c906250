/**
 * Cutting a CSV file's bytes into line-aligned ranges, so each worker thread splits one range and no
 * thread scans the whole file. A cut after a line feed is a record boundary unless a quoted field
 * holds that line feed: the splitter of the range before it tells (CsvSplitter.splitRange), and a
 * file cut inside a record is split again in one pass.
 */
const LF = 10;
const CR = 13;

/** Where the records of a CSV file begin: past leading blank lines and the header line. */
export interface CsvBody {
  /** Byte offset of the first byte after the header line. */
  start: number;
  /** Physical line number (1-based) at `start`. */
  line: number;
}

/** The header as the splitter finds it: blank lines (LF or CRLF) skipped and counted, then one line. */
export function csvBody(data: Uint8Array): CsvBody {
  const n = data.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    if (data[i] === LF) {
      i++;
      line++;
    } else if (data[i] === CR && data[i + 1] === LF) {
      i += 2;
      line++;
    } else break;
  }
  if (i >= n) return { start: n, line };
  const nl = data.indexOf(LF, i);
  return { start: nl < 0 ? n : nl + 1, line: line + 1 };
}

/**
 * `count` ranges covering [start, data.length) one after the other, each but the last ending just
 * after a line feed (some may be empty). Returns the count + 1 boundaries.
 */
export function lineAlignedRanges(data: Uint8Array, start: number, count: number): number[] {
  const n = data.length;
  const bounds = [start];
  for (let r = 1; r < count; r++) {
    const previous = bounds[r - 1] ?? start;
    const nominal = Math.max(previous, start + Math.floor(((n - start) * r) / count));
    const nl = nominal >= n ? -1 : data.indexOf(LF, nominal);
    bounds.push(nl < 0 ? n : nl + 1);
  }
  bounds.push(n);
  return bounds;
}
