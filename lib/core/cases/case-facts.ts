import type { MovementType } from '../records/movement-type.js';
import type { RunDiscrepancy } from '../runs/run-events.js';

/**
 * What a case knows of its discrepancy: the group as the latest run that saw it found it (or
 * resolved it). lastSeen and the age bucket are left out: they move on every run, and a case is
 * rewritten only when something it shows changed. The age is computed when it is shown.
 */
export type CaseFacts = Omit<RunDiscrepancy, 'lastSeen' | 'ageBucket'> & {
  /** The run that last changed these facts. */
  runId: string;
};

export function toCaseFacts(shown: RunDiscrepancy, runId: string): CaseFacts {
  const { lastSeen: _lastSeen, ageBucket: _ageBucket, ...facts } = shown;
  return { ...facts, runId };
}

/**
 * The accounting period a case belongs to: the earlier of the two sides' periods, the first period
 * whose books disagree with the stock (a cut-off difference belongs to the month the goods moved).
 */
export function casePeriod(facts: Pick<CaseFacts, 'wmsPeriod' | 'financePeriod'>): string {
  const periods = [facts.wmsPeriod, facts.financePeriod].filter((p): p is string => p !== null);
  return periods.sort()[0] ?? 'unknown';
}

/** The movement type the group is about: the WMS's (what physically happened), else finance's. */
export function primaryType(facts: Pick<CaseFacts, 'wmsTypes' | 'financeTypes'>): MovementType {
  return facts.wmsTypes[0] ?? facts.financeTypes[0] ?? 'ADJUSTMENT';
}
