import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { csvLine } from '../core/records/csv.js';
import {
  DISCREPANCY_FIELDS,
  discrepancyColumns,
  type Discrepancy,
  type DiscrepancyExtras,
} from '../core/reconcile/discrepancy.js';

/**
 * discrepancies.json and discrepancies.csv are assembled from per-partition fragments that the
 * workers render in parallel; the main thread only concatenates them in partition order, and
 * re-renders the few partitions whose discrepancies it must annotate.
 */
export interface Fragments {
  /** One `{json},\n` line per discrepancy. */
  json: string;
  /** One CSV row per discrepancy. */
  csv: string;
}

/** Where one partition's fragments sit in its worker's two files. */
export interface FragmentRef {
  json: string;
  csv: string;
  jsonStart: number;
  jsonBytes: number;
  csvStart: number;
  csvBytes: number;
}

/**
 * A worker's two append-only fragment files. One pair per worker, not per partition: creating a
 * small file costs most of a millisecond on this file system, a thousand of them a whole second.
 */
export class FragmentSink {
  private readonly jsonFd: number;
  private readonly csvFd: number;
  private jsonAt = 0;
  private csvAt = 0;

  constructor(
    private readonly jsonPath: string,
    private readonly csvPath: string,
  ) {
    this.jsonFd = openSync(jsonPath, 'w');
    this.csvFd = openSync(csvPath, 'w');
  }

  write(rendered: { json: string; csv: string }): FragmentRef {
    const jsonBytes = rendered.json === '' ? 0 : writeSync(this.jsonFd, rendered.json);
    const csvBytes = rendered.csv === '' ? 0 : writeSync(this.csvFd, rendered.csv);
    const ref = {
      json: this.jsonPath,
      csv: this.csvPath,
      jsonStart: this.jsonAt,
      jsonBytes,
      csvStart: this.csvAt,
      csvBytes,
    };
    this.jsonAt += jsonBytes;
    this.csvAt += csvBytes;
    return ref;
  }

  close(): void {
    closeSync(this.jsonFd);
    closeSync(this.csvFd);
  }
}

export function readFragment(path: string, start: number, bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < bytes) done += readSync(fd, buffer, done, bytes - done, start + done);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

export function jsonLine(d: Discrepancy): string {
  return JSON.stringify(d) + ',\n';
}

/** The CSV columns: a period reconciliation adds the open-item columns, nothing changes without one. */
export function discrepancyFields(extras: DiscrepancyExtras): readonly (keyof Discrepancy)[] {
  return discrepancyColumns(extras);
}

export function csvRow(d: Discrepancy, fields = DISCREPANCY_FIELDS): string {
  return csvLine(fields.map((f) => cell(d[f])));
}

function cell(value: Discrepancy[keyof Discrepancy]): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && !Array.isArray(value)) return `${value.code} (${value.confidence})`;
  if (Array.isArray(value)) {
    return value
      .map((v) => {
        if (typeof v === 'string') return v;
        if ('score' in v) return `${v.documentRef} ${v.sku} (${v.score}): ${v.reason}`;
        return `${v.file}:${v.line} ${v.reason}`;
      })
      .join('; ');
  }
  return String(value);
}

export function renderFragments(
  discrepancies: readonly Discrepancy[],
  fields = DISCREPANCY_FIELDS,
): { json: string; csv: string } {
  let json = '';
  let csv = '';
  for (const d of discrepancies) {
    json += jsonLine(d);
    csv += csvRow(d, fields);
  }
  return { json, csv };
}

/** Reads a JSON fragment back into discrepancies (for the partitions that need annotating). */
export function parseJsonFragment(text: string): Discrepancy[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as Discrepancy);
}

/** Appends fragments in order to the two output files. */
export class DiscrepancyFiles {
  private readonly json: number;
  private readonly csv: number;
  /** The previous JSON fragment, held back so the last one can lose its trailing comma. */
  private pending: Buffer | undefined;

  constructor(jsonPath: string, csvPath: string, fields = DISCREPANCY_FIELDS) {
    this.json = openSync(jsonPath, 'w');
    this.csv = openSync(csvPath, 'w');
    writeSync(this.json, '[\n');
    writeSync(this.csv, '\ufeff' + csvLine(fields));
  }

  append(json: Buffer, csv: Buffer): void {
    if (json.length === 0) return;
    if (this.pending !== undefined) writeSync(this.json, this.pending);
    this.pending = json;
    writeSync(this.csv, csv);
  }

  appendRef(ref: FragmentRef): void {
    this.append(
      readFragment(ref.json, ref.jsonStart, ref.jsonBytes),
      readFragment(ref.csv, ref.csvStart, ref.csvBytes),
    );
  }

  close(): void {
    if (this.pending !== undefined) {
      // Drop the last ",\n" so the array closes cleanly.
      writeSync(this.json, this.pending.subarray(0, this.pending.length - 2));
      writeSync(this.json, '\n');
    }
    writeSync(this.json, ']\n');
    closeSync(this.json);
    closeSync(this.csv);
  }
}
