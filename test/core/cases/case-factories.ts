import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chain, type ChainedEvent } from '../../../lib/core/cases/audit-chain.js';
import { caseIdOf } from '../../../lib/core/cases/case-id.js';
import type { CaseFacts } from '../../../lib/core/cases/case-facts.js';
import type { DecideContext } from '../../../lib/core/cases/case-decide.js';
import { apply, type CaseWorkflow, type EventDraft } from '../../../lib/core/cases/case-workflow.js';
import type { Caller, Role } from '../../../lib/core/cases/roles.js';
import { parseWorkflowConfig, type WorkflowConfig } from '../../../lib/core/cases/workflow-config.js';

/** Small factories for the case rules: facts, callers, the default configuration, cases in a state. */
export function defaultConfig(): WorkflowConfig {
  const parsed = parseWorkflowConfig(
    parse(readFileSync('config/workflow.yaml', 'utf8')),
    'config/workflow.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.config;
}

export function caseFacts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  const warehouseId = overrides.warehouseId ?? 'WH-01';
  const sku = overrides.sku ?? 'SKU-1';
  const documentRef = overrides.documentRef ?? 'PO-1';
  return {
    groupKey: `${warehouseId}|${sku}|${documentRef}`,
    kind: 'MISSING_IN_FINANCE',
    severity: 'RED',
    warehouseId,
    sku,
    documentRef,
    uom: 'EA',
    wmsQuantity: '600',
    financeQuantity: '0',
    quantityDelta: '-600',
    unitCost: '100',
    unitCostSource: 'wms',
    financeUnitCost: null,
    expectedAmount: '60000.00',
    financeAmount: '0.00',
    amountDelta: '-60000.00',
    moneyAtStake: '60000.00',
    wmsTypes: ['RECEIPT'],
    financeTypes: [],
    latestEventAt: '2026-10-10T10:00:00.000Z',
    latestPostingAt: null,
    wmsPeriod: '2026-10',
    financePeriod: null,
    wmsEventIds: ['E1'],
    financeEntryIds: [],
    duplicateEntryIds: [],
    explanation: 'WMS moved 600 EA, finance booked nothing',
    explanationZh: 'WMS 出库 600 EA,财务未记账',
    rejectedRows: [],
    state: 'NEW',
    firstSeen: '2026-11-02T00:00:00.000Z',
    runId: 'close-1',
    ...overrides,
  };
}

export function caller(username: string, ...roles: Role[]): Caller {
  return { userId: `sub-${username}`, username, roles };
}

export const LEAD = caller('wang.lead', 'warehouse-lead');
export const CLERK = caller('li.finance', 'finance-specialist');
export const REVIEWER = caller('zhao.reviewer', 'finance-reviewer');
export const IT = caller('chen.it', 'it-support');

export function context(facts: CaseFacts, who: Caller, extra: Partial<DecideContext> = {}): DecideContext {
  return {
    caller: who,
    now: '2026-11-03T09:00:00.000Z',
    config: defaultConfig(),
    facts,
    frozen: false,
    caseId: caseIdOf(facts.groupKey),
    ...extra,
  };
}

/** A chain of events and the case it folds to, built one draft at a time. */
export class CaseHistory {
  readonly events: ChainedEvent[] = [];
  workflow: CaseWorkflow | undefined;

  constructor(readonly groupKey: string) {}

  add(draft: EventDraft): CaseWorkflow {
    const event = chain(this.events.at(-1), { ...draft, groupKey: this.groupKey });
    this.events.push(event);
    this.workflow = apply(this.workflow, event);
    return this.workflow;
  }

  get current(): CaseWorkflow {
    if (this.workflow === undefined) throw new Error('no events yet');
    return this.workflow;
  }
}
