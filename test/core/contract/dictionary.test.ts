// The data dictionary (数据字典): the committed docs/data-dictionary.md must be what the schemas
// generate, every field must be documented, and the output schemas must describe real outputs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { runDictionary } from '../../../lib/cli/dictionary-command.js';
import type { Summary } from '../../../lib/cli/reconcile-command.js';
import { UsageError } from '../../../lib/cli/usage-error.js';
import { CostTable } from '../../../lib/core/records/costs.js';
import { parseDecimal, type Decimal } from '../../../lib/core/shared/decimal.js';
import {
  dataDictionary,
  describeSchema,
  dictionaryMarkdown,
  dictionaryText,
  displayWidth,
} from '../../../lib/core/contract/dictionary.js';
import { KINDS, type Discrepancy, type Kind } from '../../../lib/core/reconcile/discrepancy.js';
import type { MovementType } from '../../../lib/core/records/movement-type.js';
import {
  DiscrepancySchema,
  SummarySchema,
  UnpricedSchema,
  VoucherSchema,
  type Assert,
  type Equal,
  type SummaryOutput,
} from '../../../lib/core/contract/output-schemas.js';
import { reconcilePartition } from '../../../lib/core/reconcile/reconcile.js';
import { EntryWire, MovementWire, type Entry, type Movement } from '../../../lib/core/records/records.js';
import { DEFAULT_SETTINGS } from '../../../lib/core/reconcile/settings.js';
import { RateTable } from '../../../lib/core/records/rates.js';
import { UomTable } from '../../../lib/core/records/uom.js';
import { defaultConfig } from '../cases/case-factories.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { sampleDir } from '../../support/acceptance.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOC = path.join(ROOT, 'docs', 'data-dictionary.md');
const SAMPLE = sampleDir('sample');

// Summary lives in lib/cli, out of lib/core's reach, so its schema is checked against it here:
// the same top-level and nested keys, and whatever the schema accepts is a Summary. (Summary types
// `settings` as Record<string, string> and `rejected[].source` as string; the schema is narrower.)
type Keys<T> = keyof T;
type Row<T> = T extends readonly (infer E)[] ? E : never;
type _SummaryKeys = Assert<Equal<Keys<SummaryOutput>, Keys<Summary>>>;
type _SummaryFits = Assert<[SummaryOutput] extends [Summary] ? true : false>;
type _InputsKeys = Assert<Equal<Keys<SummaryOutput['inputs']>, Keys<Summary['inputs']>>>;
type _RunKeys = Assert<Equal<Keys<SummaryOutput['run']>, Keys<Summary['run']>>>;
type _RejectedKeys = Assert<Equal<Keys<Row<SummaryOutput['rejected']>>, Keys<Row<Summary['rejected']>>>>;
type _ConflictKeys = Assert<Equal<Keys<Row<SummaryOutput['conflicts']>>, Keys<Row<Summary['conflicts']>>>>;

const SCHEMAS: readonly { section: string; schema: z.ZodObject }[] = [
  { section: 'WMS movement / WMS出入库事件', schema: MovementWire },
  { section: 'Finance entry / 财务分录行', schema: EntryWire },
  { section: 'Discrepancy / 差异明细', schema: DiscrepancySchema },
  { section: 'Summary / 对账汇总', schema: SummarySchema },
  { section: 'Voucher / 业务凭证', schema: VoucherSchema },
  { section: 'Unpriced movement / 无法计价的业务', schema: UnpricedSchema },
];

const CJK = /[\u4e00-\u9fff]/;
const LATIN = /[A-Za-z]/;

/** The markdown tables of the section whose `## n. heading` contains `title`, rows split into cells. */
function sectionRows(markdown: string, title: string): string[][] {
  const sections = markdown.split(/^## /m);
  const section = sections.find((s) => (s.split('\n')[0] ?? '').includes(title));
  if (section === undefined) throw new Error(`no section ${title}`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe('docs/data-dictionary.md', () => {
  it('is exactly what the schemas generate', () => {
    const committed = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    const generated = dictionaryMarkdown();
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      expect.fail(
        `docs/data-dictionary.md is stale: regenerate it with \`npm run dictionary\` and commit it.\n` +
          `first difference at line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`,
      );
    }
  });
});

describe('dictionaryMarkdown', () => {
  const markdown = dictionaryMarkdown();

  it('has the title and one section per record, types, kinds and severities', () => {
    expect(markdown.startsWith('# 数据字典 / Data dictionary\n')).toBe(true);
    for (const { section } of SCHEMAS) expect(markdown).toContain(`. ${section}\n`);
    for (const heading of [
      'Movement types / 业务类型',
      'Discrepancy kinds / 差异类型',
      'Severities / 严重程度',
    ]) {
      expect(markdown).toContain(heading);
    }
  });

  it.each(SCHEMAS)(
    'documents every field of $section in Chinese and English with an example',
    ({ section, schema }) => {
      const rows = sectionRows(markdown, section);
      const [header, ...body] = rows;
      expect(header).toEqual([
        '字段 field',
        '类型 type',
        '必填 required',
        '中文含义',
        'English meaning',
        '示例 example',
      ]);
      const byName = new Map(body.map((r) => [r[0]?.replace(/^`|`$/g, ''), r]));
      // The top level straight from the zod shape, nested fields from the walker.
      const names = new Set([...Object.keys(schema.shape), ...describeSchema(schema).map((f) => f.name)]);
      expect(names.size).toBeGreaterThan(5);
      for (const name of names) {
        const row = byName.get(name);
        expect(row, `${section}: ${name} is missing`).toBeDefined();
        expect(row?.length, `${section}: ${name} has ${row?.length} cells`).toBe(6);
        for (const c of row ?? [])
          expect(c.replaceAll('`', '').trim(), `${section}: ${name} has an empty cell`).not.toBe('');
        const [, , required, zh, en, example] = row ?? [];
        expect(required, name).toMatch(/^(是 yes|否 no)/);
        expect(zh, `${name}: 中文含义`).toMatch(CJK);
        expect(en, `${name}: English meaning`).toMatch(LATIN);
        expect(example, `${name}: example`).toMatch(/^`.+`$/);
      }
      expect(body).toHaveLength(names.size);
    },
  );

  it('marks optional fields and their defaults, and nullable output fields', () => {
    const movement = new Map(sectionRows(markdown, 'WMS movement').map((r) => [r[0], r[2]]));
    expect(movement.get('`eventId`')).toBe('是 yes');
    expect(movement.get('`uom`')).toBe('否 no (默认 default: EA)');
    expect(movement.get('`unitCost`')).toBe('否 no');
    const discrepancy = new Map(sectionRows(markdown, 'Discrepancy /').map((r) => [r[0], r[2]]));
    expect(discrepancy.get('`expectedAmount`')).toBe('是 yes (可为 null)');
    const summary = new Map(sectionRows(markdown, 'Summary /').map((r) => [r[0], r[2]]));
    expect(summary.get('`inputs.uom`')).toBe('否 no');
    expect(summary.get('`rejected[].line`')).toBe('是 yes');
  });

  it('uses the Chinese names of CONTRACT §6', () => {
    const names: [string, string][] = [
      ['RECEIPT', '采购入库'],
      ['SHIPMENT', '销售出库'],
      ['TRANSFER_IN', '调拨入库'],
      ['TRANSFER_OUT', '调拨出库'],
      ['ADJUSTMENT', '盘点调整'],
      ['CUSTOMER_RETURN', '销售退货'],
      ['VENDOR_RETURN', '采购退货'],
      ['MISSING_IN_WMS', 'WMS缺失(财务有记录)'],
      ['MISSING_IN_FINANCE', '财务缺失(WMS有记录)'],
      ['TIMING_LAG', '时间滞后差异'],
      ['TYPE_MISMATCH', '业务类型不匹配'],
      ['DUPLICATE_POSTING', '重复记账'],
      ['QUANTITY_MISMATCH', '数量差异'],
      ['AMOUNT_MISMATCH', '金额差异'],
      ['RED', '红灯'],
      ['YELLOW', '黄灯'],
      ['GREEN', '绿灯'],
    ];
    for (const [code, zh] of names) expect(markdown).toContain(`| \`${code}\` | ${zh} |`);
    expect(markdown).toContain('| rejected row | 拒收行 |');
  });
});

describe('dictionaryText', () => {
  it('lists every field, aligned in terminal columns', () => {
    const text = dictionaryText();
    const d = dataDictionary();
    for (const record of d.records) {
      const lines = text.split('\n');
      const start = lines.indexOf(`${record.en} / ${record.zh}`);
      expect(start).toBeGreaterThanOrEqual(0);
      const header = lines[start + 4] ?? '';
      const meaningColumn = displayWidth(header.slice(0, header.indexOf('meaning / 含义')));
      for (const [i, f] of record.fields.entries()) {
        const line = lines[start + 5 + i * 3] ?? '';
        expect(line.trimStart().startsWith(`${f.name} `)).toBe(true);
        expect(displayWidth(line.slice(0, line.indexOf(f.zh)))).toBe(meaningColumn);
        expect(lines[start + 6 + i * 3]?.trim()).toBe(f.en);
      }
    }
  });

  it('counts Chinese characters as two columns', () => {
    expect(displayWidth('WH-上海-02')).toBe(10);
    expect(displayWidth('是 yes')).toBe(6);
  });
});

describe('the output schemas against real outputs', () => {
  const AS_OF = Date.parse('2026-11-02T00:00:00Z');

  function dec(text: string): Decimal {
    const parsed = parseDecimal(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value;
  }

  let line = 1;
  function movement(
    documentRef: string,
    type: MovementType,
    quantity: string,
    at: string,
    id: string,
  ): Movement {
    return {
      source: 'wms',
      file: 'wms.csv',
      line: ++line,
      id,
      warehouseId: 'WH-上海-02',
      sku: `SKU-${documentRef}`,
      type,
      quantity: dec(quantity),
      uom: 'EA',
      documentRef,
      at: Date.parse(at),
      unitCost: dec('5'),
    };
  }
  function entry(
    documentRef: string,
    type: MovementType,
    quantity: string,
    amount: string,
    at: string,
    id: string,
  ): Entry {
    return {
      source: 'finance',
      file: 'finance.csv',
      line: ++line,
      id,
      warehouseId: 'WH-上海-02',
      sku: `SKU-${documentRef}`,
      type,
      quantity: dec(quantity),
      uom: 'EA',
      amount: dec(amount),
      currency: undefined,
      documentRef,
      at: Date.parse(at),
      account: '1405',
    };
  }

  it('DiscrepancySchema.strict() accepts every discrepancy the core produces, losing nothing', () => {
    const old = '2026-10-05T08:00:00Z';
    const movements = [
      movement('D1', 'RECEIPT', '10', old, 'E1'), // no finance line, long ago
      movement('D3', 'RECEIPT', '4', '2026-11-01T12:00:00Z', 'E3'), // no finance line yet
      movement('D4', 'SHIPMENT', '5', old, 'E4'),
      movement('D5', 'RECEIPT', '10', old, 'E5'),
      movement('D6', 'RECEIPT', '10', old, 'E6'),
      movement('D7', 'RECEIPT', '10', old, 'E7'),
      movement('D8', 'RECEIPT', '10', old, 'E8'),
    ];
    const entries = [
      entry('D2', 'SHIPMENT', '3', '15', '2026-10-06', 'F2'), // no WMS event
      entry('D4', 'RECEIPT', '5', '25', old, 'F4'),
      entry('D5', 'RECEIPT', '8', '40', old, 'F5'),
      entry('D6', 'RECEIPT', '10', '80', old, 'F6'),
      entry('D7', 'RECEIPT', '10', '50', old, 'F7a'),
      entry('D7', 'RECEIPT', '10', '50', old, 'F7b'),
      entry('D8', 'RECEIPT', '10', '50', old, 'F8'),
    ];
    const result = reconcilePartition(movements, entries, {
      uom: new UomTable(),
      costs: new CostTable(),
      zone: new ZoneClock('UTC'),
      settings: { ...DEFAULT_SETTINGS, asOf: AS_OF },
    });
    // With the account mapping and converted currencies: ACCOUNT_MISMATCH, and the facts they add.
    const checked = reconcilePartition(
      [movement('D9', 'RECEIPT', '10', old, 'E9'), movement('D10', 'RECEIPT', '10', old, 'E10')],
      [
        entry('D9', 'RECEIPT', '10', '50', old, 'F9'),
        { ...entry('D10', 'RECEIPT', '10', '7', old, 'F10'), account: '1403', currency: 'USD' },
      ],
      {
        uom: new UomTable(),
        costs: new CostTable(),
        zone: new ZoneClock('UTC'),
        settings: { ...DEFAULT_SETTINGS, asOf: AS_OF },
        accounts: defaultConfig(),
        currency: {
          currency: 'CNY',
          rates: new RateTable([{ currency: 'USD', date: Date.parse('2026-10-01'), rate: dec('7.5') }]),
          shown: true,
        },
      },
    );
    expect(checked.discrepancies.map((d) => [d.kind, d.currency, d.originalAmount])).toEqual([
      // Sorted by group: D10 before D9. 7 USD at 7.5 is 52.50 against the 50.00 expected.
      ['AMOUNT_MISMATCH', 'USD', '7.00'],
      ['ACCOUNT_MISMATCH', 'CNY', '50.00'],
    ]);
    result.discrepancies.push(...checked.discrepancies);
    const kinds = new Set<Kind>(result.discrepancies.map((d) => d.kind));
    expect([...kinds].sort()).toEqual([...KINDS].sort());
    // A cited rejected row, as the CLI adds them.
    const withRejection: Discrepancy[] = result.discrepancies.map((d, i) =>
      i === 0 ? { ...d, rejectedRows: [{ file: 'wms.csv', line: 92, reason: 'missing sku' }] } : d,
    );
    for (const d of withRejection) {
      const parsed = DiscrepancySchema.strict().safeParse(d);
      expect(parsed.error?.issues, `${d.kind} ${d.documentRef}`).toBeUndefined();
      // Stripping nothing: no nested field the schema does not know either.
      expect(parsed.data).toEqual(d);
    }
  });

  it('SummarySchema describes summary.json of the CLI on the public sample', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'stocktally-dictionary-'));
    try {
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'dist', 'stocktally.js'),
          'reconcile',
          '--wms',
          path.join(SAMPLE, 'wms.csv'),
          '--finance',
          path.join(SAMPLE, 'finance.csv'),
          '--uom',
          path.join(SAMPLE, 'uom.csv'),
          '--as-of',
          '2026-11-02T00:00:00Z',
          '--no-report',
          '--out',
          out,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const summary: unknown = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
      const parsed = SummarySchema.strict().safeParse(summary);
      expect(parsed.error?.issues).toBeUndefined();
      expect(parsed.data).toEqual(summary);
      expect(parsed.data?.inputs.uom).toBeDefined();
      expect(parsed.data?.rejected.length).toBeGreaterThan(0);

      const discrepancies: unknown = JSON.parse(readFileSync(path.join(out, 'discrepancies.json'), 'utf8'));
      expect(Array.isArray(discrepancies)).toBe(true);
      for (const d of discrepancies as unknown[]) {
        const one = DiscrepancySchema.strict().safeParse(d);
        expect(one.error?.issues).toBeUndefined();
        expect(one.data).toEqual(d);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('stocktally dictionary', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function capture(argv: string[]): { code: number; out: string } {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = runDictionary(argv);
    vi.restoreAllMocks();
    return { code, out };
  }

  it('prints text by default, markdown with --markdown and JSON with --json', () => {
    expect(capture([])).toEqual({ code: 0, out: dictionaryText() });
    expect(capture(['--markdown'])).toEqual({ code: 0, out: dictionaryMarkdown() });
    const json = capture(['--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(dataDictionary());
  });

  it('refuses unknown flags and arguments with a one-line UsageError', () => {
    for (const argv of [['--html'], ['extra'], ['--markdown', '--json']]) {
      let caught: unknown;
      try {
        capture(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((caught as Error).message).not.toContain('\n');
    }
  });

  it('VoucherSchema and UnpricedSchema describe vouchers.json of the CLI on the NDJSON sample', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'stocktally-dictionary-'));
    const s2 = sampleDir('sample-2');
    try {
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'dist', 'stocktally.js'),
          'vouchers',
          '--wms',
          path.join(s2, 'wms.ndjson'),
          '--costs',
          path.join(s2, 'costs.csv'),
          '--timezone',
          'Asia/Shanghai',
          '--quiet',
          '--out',
          out,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const written = JSON.parse(readFileSync(path.join(out, 'vouchers.json'), 'utf8')) as {
        vouchers: unknown[];
        unpriced: unknown[];
      };
      expect(written.vouchers.length).toBeGreaterThan(0);
      expect(written.unpriced.length).toBeGreaterThan(0);
      for (const [schema, items] of [
        [VoucherSchema, written.vouchers],
        [UnpricedSchema, written.unpriced],
      ] as const) {
        for (const item of items) {
          const one = schema.strict().safeParse(item);
          expect(one.error?.issues).toBeUndefined();
          expect(one.data).toEqual(item);
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
