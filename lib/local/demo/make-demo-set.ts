import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AS_OF, generate } from '../../../bench/generate.js';
import { tokenizeCsv } from '../../core/records/csv.js';
import { readCsvFile, readNdjsonRecords, stripBom } from '../../core/records/readers.js';
import type { Entry, Movement, Rejection } from '../../core/records/records.js';
import { ZoneClock } from '../../core/shared/zone-clock.js';
import { DEMO_FILES, type DemoCounts, type DemoManifest } from './demo-set.js';

/**
 * Makes demo/ once, from the bench generator with a fixed seed: finance as CSV (an S3 drop), WMS as
 * NDJSON (the webhook), the unit table as CSV, and a manifest with the ingest counts the files must
 * give (computed with the core readers the handlers use). The generator writes one format per run and
 * its documents depend on the format, so WMS is converted from the CSV run, row for row, to keep the
 * two sides of every document together.
 *
 *   npx esbuild lib/local/demo/make-demo-set.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/make-demo-set.mjs &&
 *   node --input-type=module -e "import('/tmp/make-demo-set.mjs').then((m) => m.makeDemoSet('demo'))"
 */
export const DEMO_GENERATOR = { documents: 300, seed: 20261102, malformedEvery: 60 } as const;

/** A CSV file to NDJSON, one line per physical record, empty fields left out, values as strings. */
export function csvToNdjson(csv: string): string {
  const lines: string[] = [];
  let header: string[] | undefined;
  const emit = (fields: string[]): void => {
    if (header === undefined) {
      header = fields;
      return;
    }
    const names = header;
    const record: Record<string, string> = {};
    fields.forEach((value, i) => {
      const name = names[i];
      if (name !== undefined && value !== '') record[name] = value;
    });
    lines.push(JSON.stringify(record));
  };
  tokenizeCsv(stripBom(csv), { record: emit, malformed: (_line, _reason, fields) => emit(fields) });
  return lines.map((l) => `${l}\n`).join('');
}

function counts(
  records: (Movement | Entry)[],
  rejected: Rejection[],
  rawById: Map<string, string>,
): DemoCounts {
  const ids = new Set(records.map((r) => r.id));
  if (ids.size !== rawById.size) throw new Error('every record id must have one raw text');
  return {
    accepted: ids.size,
    duplicates: records.length - ids.size,
    conflicts: 0,
    rejected: rejected.length,
  };
}

/** Same id, same text: the generator's retried deliveries. Another text under one id would be a conflict. */
function rawTexts(rows: { id: string; text: string }[]): Map<string, string> {
  const byId = new Map<string, string>();
  for (const row of rows) {
    const seen = byId.get(row.id);
    if (seen !== undefined && seen !== row.text) throw new Error(`id ${row.id} repeats with other content`);
    byId.set(row.id, row.text);
  }
  return byId;
}

export async function makeDemoSet(outDir: string): Promise<DemoManifest> {
  const scratch = await mkdtemp(join(tmpdir(), 'stocktally-demo-'));
  try {
    const made = await generate({ ...DEMO_GENERATOR, outDir: scratch, format: 'csv' });
    const wmsCsv = await readFile(made.files.wms, 'utf8');
    const financeCsv = await readFile(made.files.finance, 'utf8');
    const uomCsv = await readFile(made.files.uom, 'utf8');
    const wmsNdjson = csvToNdjson(wmsCsv);

    const zone = new ZoneClock('UTC');
    const wms = readNdjsonRecords<Movement>(wmsNdjson, { source: 'wms', file: DEMO_FILES.wms, zone });
    const wmsLines = wmsNdjson.split('\n');
    const finance = readCsvFile<Entry>(financeCsv, { source: 'finance', file: DEMO_FILES.finance, zone });
    const financeLines = financeCsv.split(/\r?\n/);
    const manifest: DemoManifest = {
      about:
        'Demo data for `stocktally start --demo`: WMS movements sent through the signed webhook, finance ' +
        'entries and the unit table dropped into S3. Made by lib/local/demo/make-demo-set.ts.',
      generator: { ...DEMO_GENERATOR, asOf: AS_OF },
      files: { ...DEMO_FILES },
      expected: {
        wms: counts(
          wms.records,
          wms.rejected,
          rawTexts(wms.records.map((r) => ({ id: r.id, text: wmsLines[r.line - 1] ?? '' }))),
        ),
        finance: counts(
          finance.records,
          finance.rejected,
          rawTexts(finance.records.map((r) => ({ id: r.id, text: financeLines[r.line - 1] ?? '' }))),
        ),
      },
    };
    await writeFile(join(outDir, DEMO_FILES.wms), wmsNdjson);
    await writeFile(join(outDir, DEMO_FILES.finance), financeCsv);
    await writeFile(join(outDir, DEMO_FILES.uom), uomCsv);
    await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
