import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { bundledSettings } from '../../../lib/adapters/runs/settings-source.js';
import {
  parseSettingsConfig,
  runSettingsOf,
  settingsOfRun,
  type SettingsConfig,
} from '../../../lib/core/reconcile/settings-config.js';
import { DEFAULT_SETTINGS, thresholdsFor } from '../../../lib/core/reconcile/settings.js';
import { d, movement, run } from '../factories.js';

// The pipeline's settings document (config/settings.yaml): validated with every refusal naming its
// path and field, exact decimals, and a warehouse's own thresholds raising or lowering severity.

const SOURCE = 's3://data/config/settings.yaml@e1';
const BASE = {
  version: '1',
  lagHours: '48',
  amountTolerance: '0.01',
  amountToleranceRate: '0.001',
  severity: { red: '50000', yellow: '5000', yellowRate: '0.05' },
};
const ORIGIN = { source: 's3://data/config/settings.yaml', version: 'e1' };
const AS_OF = '2026-11-02T00:00:00.000Z';

function parsed(raw: unknown): SettingsConfig {
  const result = parseSettingsConfig(raw, SOURCE);
  if (!result.ok) throw new Error(result.reason);
  return result.config;
}

function refusal(raw: unknown): string {
  const result = parseSettingsConfig(raw, SOURCE);
  if (result.ok) throw new Error('accepted');
  return result.reason;
}

/** The settings a run reconciles with, from a document, through the record a run keeps. */
function settingsOf(raw: unknown) {
  return settingsOfRun(runSettingsOf(parsed(raw), ORIGIN, 'Asia/Shanghai'), AS_OF, 'Asia/Shanghai');
}

describe('the bundled config/settings.yaml', () => {
  it("holds the contract's defaults, and Shanghai's RED from 30,000", () => {
    const { config, version } = bundledSettings();
    const recorded = runSettingsOf(config, { source: 'bundled config/settings.yaml', version }, 'UTC');
    expect(recorded).toEqual({
      source: 'bundled config/settings.yaml',
      version: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      timezone: 'UTC',
      lagHours: 48,
      amountTolerance: '0.01',
      amountToleranceRate: '0.001',
      red: '50000',
      yellow: '5000',
      yellowRate: '0.05',
      warehouses: { 'WH-上海-02': { red: '30000' } },
    });
    const settings = settingsOfRun(recorded, AS_OF, 'UTC');
    const { warehouses, asOf, ...rest } = settings;
    expect(rest).toEqual(DEFAULT_SETTINGS);
    expect(asOf).toBe(Date.parse(AS_OF));
    expect(warehouses).toEqual({ 'WH-上海-02': { red: d('30000') } });
  });

  it('gives the same Shanghai RED threshold as config/alerts.yaml alerts from', () => {
    const alerts = parse(readFileSync('config/alerts.yaml', 'utf8')) as {
      warehouses: Record<string, { thresholds?: { RED?: number } }>;
    };
    const { config } = bundledSettings();
    for (const [id, route] of Object.entries(alerts.warehouses)) {
      const red = route.thresholds?.RED;
      if (red !== undefined) expect(config.warehouses[id]?.red).toBe(d(String(red)));
    }
  });
});

describe('validation', () => {
  it('refuses a bad value naming the document, the path and the field', () => {
    expect(refusal({ ...BASE, warehouses: { 'WH-上海-02': { red: 'thirty thousand' } } })).toBe(
      `${SOURCE}: warehouses.WH-上海-02.red: must be a non-negative decimal, got 'thirty thousand'`,
    );
    expect(refusal({ ...BASE, severity: { ...BASE.severity, yellowRate: '5' } })).toBe(
      `${SOURCE}: severity.yellowRate: must be a rate from 0 to 1`,
    );
    expect(refusal({ ...BASE, lagHours: '48.5' })).toContain(
      `${SOURCE}: lagHours: must be a whole number of hours`,
    );
    expect(refusal({ ...BASE, amountTolerance: '-0.01' })).toContain(
      'amountTolerance: must be a non-negative decimal',
    );
  });

  it('refuses an unknown field, a missing one and a wrong version, each by its path', () => {
    expect(refusal({ ...BASE, severity: { ...BASE.severity, orange: '1000' } })).toContain('severity: ');
    expect(refusal({ ...BASE, severity: { ...BASE.severity, orange: '1000' } })).toContain('orange');
    const { lagHours: _lag, ...noLag } = BASE;
    expect(refusal(noLag)).toContain(`${SOURCE}: lagHours: `);
    expect(refusal({ ...BASE, version: '2' })).toContain(`${SOURCE}: version: `);
    expect(refusal({ ...BASE, warehouses: { 'WH-01': { rd: '1' } } })).toContain('warehouses.WH-01');
  });

  it('refuses YELLOW above RED, in the defaults and in a warehouse once its own and the defaults meet', () => {
    expect(refusal({ ...BASE, severity: { ...BASE.severity, yellow: '60000' } })).toBe(
      `${SOURCE}: severity.yellow: must not exceed severity.red`,
    );
    expect(refusal({ ...BASE, warehouses: { 'WH-01': { red: '3000' } } })).toBe(
      `${SOURCE}: warehouses.WH-01.red: YELLOW at 5000 must not exceed RED at 3000`,
    );
    // Lowered together, it is consistent.
    expect(parsed({ ...BASE, warehouses: { 'WH-01': { red: '3000', yellow: '300' } } }).warehouses).toEqual({
      'WH-01': { red: d('3000'), yellow: d('300') },
    });
  });

  it('reads decimals exactly, as text or as JSON numbers, never through a binary float', () => {
    const text = settingsOf({ ...BASE, severity: { ...BASE.severity, red: '12345678901234.123456' } });
    expect(text.red).toBe(12345678901234123456n);
    const numbers = settingsOf({
      ...BASE,
      version: 1,
      lagHours: 24,
      amountTolerance: 0.1,
      severity: { red: 30000.5, yellow: 0.3, yellowRate: 0.07 },
    });
    expect([
      numbers.lagHours,
      numbers.amountTolerance,
      numbers.red,
      numbers.yellow,
      numbers.yellowRate,
    ]).toEqual([24, d('0.1'), d('30000.5'), d('0.3'), d('0.07')]);
    // More places than six cannot be held exactly: refused rather than rounded.
    expect(refusal({ ...BASE, amountTolerance: '0.0000001' })).toContain('amountTolerance: ');
  });
});

describe("a warehouse's own thresholds", () => {
  const settings = settingsOf({
    ...BASE,
    warehouses: { 'WH-上海-02': { red: '30000' }, 'WH-10': { red: '100000' } },
  });
  // One-sided in the WMS and past the lag window: money at stake = quantity x unit cost.
  const unbooked = (warehouseId: string, quantity: string) =>
    movement({ warehouseId, quantity, unitCost: '100', documentRef: `PO-${warehouseId}-${quantity}` });
  const severities = (...movements: ReturnType<typeof movement>[]) =>
    run(movements, [], { settings }).discrepancies.map((x) => [x.warehouseId, x.moneyAtStake, x.severity]);

  it('raises: a 30,000 item in Shanghai is RED, the same item elsewhere YELLOW', () => {
    expect(severities(unbooked('WH-上海-02', '300'), unbooked('WH-01', '300'))).toEqual([
      ['WH-01', '30000.00', 'YELLOW'],
      ['WH-上海-02', '30000.00', 'RED'],
    ]);
  });

  it('lowers: a 60,000 item in a warehouse with RED from 100,000 is YELLOW, elsewhere RED', () => {
    expect(severities(unbooked('WH-10', '600'), unbooked('WH-01', '600'))).toEqual([
      ['WH-01', '60000.00', 'RED'],
      ['WH-10', '60000.00', 'YELLOW'],
    ]);
  });

  it("keeps the run's thresholds for what a warehouse does not give, and takes only its own keys", () => {
    expect(thresholdsFor(settings, 'WH-10')).toEqual({
      red: d('100000'),
      yellow: d('5000'),
      yellowRate: d('0.05'),
    });
    for (const id of ['WH-01', '__proto__', 'constructor', 'toString']) {
      expect(thresholdsFor(settings, id)).toEqual({
        red: d('50000'),
        yellow: d('5000'),
        yellowRate: d('0.05'),
      });
    }
  });

  it('changes nothing when the settings give no warehouse (the CLI)', () => {
    const plain = settingsOf(BASE);
    expect(plain.warehouses).toBeUndefined();
    expect(
      run([unbooked('WH-上海-02', '300')], [], { settings: plain }).discrepancies.map((x) => x.severity),
    ).toEqual(['YELLOW']);
  });
});
