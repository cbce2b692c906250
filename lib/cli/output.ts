import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { csvLine } from '../core/csv.js';
import { DISCREPANCY_FIELDS, type Discrepancy } from '../core/discrepancy.js';

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

export function jsonLine(d: Discrepancy): string {
  return JSON.stringify(d) + ',\n';
}

export function csvRow(d: Discrepancy): string {
  return csvLine(DISCREPANCY_FIELDS.map((f) => cell(d[f])));
}

function cell(value: Discrepancy[keyof Discrepancy]): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'string' ? v : `${v.file}:${v.line} ${v.reason}`)).join('; ');
  }
  return String(value);
}

export function renderFragments(discrepancies: readonly Discrepancy[]): { json: string; csv: string } {
  let json = '';
  let csv = '';
  for (const d of discrepancies) {
    json += jsonLine(d);
    csv += csvRow(d);
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

  constructor(jsonPath: string, csvPath: string) {
    this.json = openSync(jsonPath, 'w');
    this.csv = openSync(csvPath, 'w');
    writeSync(this.json, '[\n');
    writeSync(this.csv, '\ufeff' + csvLine(DISCREPANCY_FIELDS));
  }

  append(json: Buffer, csv: Buffer): void {
    if (json.length === 0) return;
    if (this.pending !== undefined) writeSync(this.json, this.pending);
    this.pending = json;
    writeSync(this.csv, csv);
  }

  appendFiles(jsonPath: string, csvPath: string): void {
    this.append(readFileSync(jsonPath), readFileSync(csvPath));
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
