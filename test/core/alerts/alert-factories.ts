import { parseAlertConfig, type AlertConfig } from '../../../lib/core/alerts/alert-config.js';
import type { AlertMark, AlertPlan, AlertRunInfo } from '../../../lib/core/alerts/alert-plan.js';
import type { RunDiscrepancy } from '../../../lib/core/runs/run-events.js';
import { discrepancy } from '../../report/factories.js';

/** Small factories for the alert tests: a run's discrepancy with its lifecycle, a config, a run. */

export const AS_OF = '2026-11-02T00:00:00.000Z';

export function found(spec: Partial<RunDiscrepancy> = {}): RunDiscrepancy {
  return {
    ...discrepancy({ severity: 'RED', moneyAtStake: '60000.00', ...spec }),
    state: 'NEW',
    firstSeen: AS_OF,
    lastSeen: AS_OF,
    ageBucket: '0-1',
    ...spec,
  };
}

export function resolved(d: RunDiscrepancy): RunDiscrepancy {
  return { ...d, state: 'RESOLVED', resolvedAt: AS_OF };
}

export const CONFIG_DOC = {
  version: 1,
  channels: {
    ding: { type: 'dingtalk', secret: 'alerts/ding' },
    wecom: { type: 'wecom', secret: 'alerts/wecom' },
    slack: { type: 'slack', secret: 'alerts/slack' },
    mail: { type: 'email', addresses: ['finance@example.com'] },
    boss: { type: 'email', addresses: ['boss@example.com'], severities: ['RED'] },
  },
  default: {
    owners: ['Inventory control'],
    channels: ['ding', 'slack', 'mail', 'boss'],
    thresholds: { RED: '50000', YELLOW: '5000', GREEN: '0' },
  },
  warehouses: {
    'WH-上海-02': { owners: ['王芳'], channels: ['wecom'], thresholds: { RED: '30000' } },
  },
};

export function config(overrides: Record<string, unknown> = {}): AlertConfig {
  const parsed = parseAlertConfig({ ...CONFIG_DOC, ...overrides });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

export function runInfo(spec: Partial<AlertRunInfo> = {}): AlertRunInfo {
  return {
    runId: 'continuous-1',
    mode: 'continuous',
    asOf: AS_OF,
    digest: false,
    day: '2026-11-02',
    reportUrl: 'https://api.example.com/v1/runs/continuous-1/report?format=pdf',
    ...spec,
  };
}

/** The marks a plan leaves, applied to those before it (as the store does). */
export function applyMarks(before: ReadonlyMap<string, AlertMark>, plan: AlertPlan): Map<string, AlertMark> {
  const after = new Map(before);
  for (const change of plan.marks) {
    if (change.mark === undefined) after.delete(change.groupKey);
    else after.set(change.groupKey, change.mark);
  }
  return after;
}
