import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { csvLine } from '../core/csv.js';
import { DISCREPANCY_FIELDS, type Discrepancy } from '../core/discrepancy.js';

/** Writes discrepancies.json and discrepancies.csv (with a BOM for Excel) as a stream. */
export class DiscrepancyWriter {
  private readonly json: WriteStream;
  private readonly csv: WriteStream;
  private first = true;
  count = 0;

  constructor(jsonPath: string, csvPath: string) {
    this.json = createWriteStream(jsonPath);
    this.csv = createWriteStream(csvPath);
    this.json.write('[');
    this.csv.write('\ufeff' + csvLine(DISCREPANCY_FIELDS));
  }

  async write(d: Discrepancy): Promise<void> {
    const okJson = this.json.write((this.first ? '\n' : ',\n') + JSON.stringify(d));
    this.first = false;
    const okCsv = this.csv.write(csvLine(DISCREPANCY_FIELDS.map((f) => cell(d[f]))));
    this.count++;
    // Wait on each stream only while it still needs it: one may drain while we wait on the other.
    if (!okJson && this.json.writableNeedDrain) await once(this.json, 'drain');
    if (!okCsv && this.csv.writableNeedDrain) await once(this.csv, 'drain');
  }

  async close(): Promise<void> {
    this.json.end(this.first ? ']\n' : '\n]\n');
    this.csv.end();
    await Promise.all([once(this.json, 'finish'), once(this.csv, 'finish')]);
  }
}

function cell(value: Discrepancy[keyof Discrepancy]): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'string' ? v : `${v.file}:${v.line} ${v.reason}`)).join('; ');
  }
  return String(value);
}

/** Reads back a partition's result file, one discrepancy per line. */
export async function* readResults(path: string): AsyncGenerator<Discrepancy> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as Discrepancy;
}
