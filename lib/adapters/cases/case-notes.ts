import { caseNote } from '../../core/cases/case-note.js';
import type { WorkflowLookup, WorkflowNote } from '../../core/report/report-model.js';
import type { CaseStore } from './case-store.js';

/**
 * The report's cause / rectification / owner columns, from the cases of the groups it shows: their
 * heads read in batches of 100 before rendering, because the renderers look a group up as they draw
 * its row. Memory is one small note per discrepancy of the run.
 */
export async function caseNotes(store: CaseStore, groupKeys: Iterable<string>): Promise<WorkflowLookup> {
  const notes = new Map<string, WorkflowNote>();
  const keys = [...new Set(groupKeys)];
  for (let i = 0; i < keys.length; i += 1000) {
    const found = await store.getCases(keys.slice(i, i + 1000));
    for (const [groupKey, stored] of found) notes.set(groupKey, caseNote(stored.workflow, stored.facts));
  }
  return (groupKey) => notes.get(groupKey);
}
