import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { loadCodesCsv, type CodeRow } from '../core/records/code-map.js';
import { loadCostsCsv, type CostRow } from '../core/records/costs.js';
import { loadRatesCsv, type RateRow } from '../core/records/rates.js';
import type { Rejection } from '../core/records/records.js';
import { TableHeaderError } from '../core/records/table-text.js';
import { loadUomCsv, type UomRow } from '../core/records/uom.js';
import type { ZoneClock } from '../core/shared/zone-clock.js';
import { UsageError } from './usage-error.js';

/** How many rows a reference table had and how many of them were rejected (summary.json's inputs). */
export interface TableStats {
  file: string;
  rows: number;
  rejected: number;
}

/** The reference tables a reconcile run reads whole before the inputs: units, costs, rates, codes. */
export interface ReferenceTables {
  uomRows: UomRow[];
  costRows: CostRow[];
  rateRows: RateRow[];
  codeRows: CodeRow[];
  stats: { uom?: TableStats; costs?: TableStats; rates?: TableStats; codes?: TableStats };
  rejected: Rejection[];
}

async function readTable(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Reads one table: its good rows, its rejections into `rejected`, its stats. */
async function loadTable<R>(
  path: string,
  load: (text: string, file: string) => { rows: R[]; rejected: Rejection[] },
  rejected: Rejection[],
): Promise<{ rows: R[]; stats: TableStats }> {
  const file = basename(path);
  const loaded = load(await readTable(path), file);
  rejected.push(...loaded.rejected);
  return {
    rows: loaded.rows,
    stats: { file, rows: loaded.rows.length + loaded.rejected.length, rejected: loaded.rejected.length },
  };
}

/** The `--uom`, `--costs`, `--rates` and `--codes` tables given; a bad header is a usage error. */
export async function loadReferenceTables(
  paths: {
    uom?: string | undefined;
    costs?: string | undefined;
    rates?: string | undefined;
    codes?: string | undefined;
  },
  zone: ZoneClock,
): Promise<ReferenceTables> {
  const tables: ReferenceTables = {
    uomRows: [],
    costRows: [],
    rateRows: [],
    codeRows: [],
    stats: {},
    rejected: [],
  };
  const { rejected, stats } = tables;
  try {
    if (paths.uom !== undefined) {
      const t = await loadTable(paths.uom, loadUomCsv, rejected);
      tables.uomRows = t.rows;
      stats.uom = t.stats;
    }
    if (paths.costs !== undefined) {
      const t = await loadTable(paths.costs, (text, file) => loadCostsCsv(text, file, zone), rejected);
      tables.costRows = t.rows;
      stats.costs = t.stats;
    }
    if (paths.rates !== undefined) {
      const t = await loadTable(paths.rates, (text, file) => loadRatesCsv(text, file, zone), rejected);
      tables.rateRows = t.rows;
      stats.rates = t.stats;
    }
    if (paths.codes !== undefined) {
      const t = await loadTable(
        paths.codes,
        (text, file) => {
          const loaded = loadCodesCsv(text, file);
          // A code mapped two ways would make every figure of it a guess: the run does not start.
          if (!loaded.ok) throw new UsageError(`--codes ${loaded.reason}`);
          return loaded;
        },
        rejected,
      );
      tables.codeRows = t.rows;
      stats.codes = t.stats;
    }
  } catch (error) {
    if (error instanceof TableHeaderError) throw new UsageError(error.message);
    throw error;
  }
  return tables;
}
