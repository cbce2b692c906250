import { casePeriod } from '../../lib/core/cases/case-facts.js';
import { buildJournalEntry, type JournalEntry } from '../../lib/core/cases/journal/journal-entry.js';
import { ResolutionSchema, type Resolution } from '../../lib/core/cases/resolution.js';
import { DEFAULT_REPORT_CONFIG, type WorkflowConfig } from '../../lib/core/cases/workflow-config.js';
import type { CaseRecord } from './case-types.js';

/**
 * The entry a proposal will book, shown before it is sent (issue 19): the core's own booking
 * (journal-entry.ts) over the case's facts and the accounts the API says its warehouse books, so
 * the preview is the entry the API will build, line for line. The entry's number is the system's
 * (`ST-<period>-<case>-<version>`, its voucher number in the journal export); the clerk's voucher
 * number travels with the proposal as its reference.
 */
export type EntryPreview =
  | { status: 'entry'; entry: JournalEntry }
  | { status: 'none' }
  | { status: 'incomplete'; field: string; reason: string };

/** Fields a resolution needs but that book nothing: the preview does not wait for them. */
const UNBOOKED: Readonly<Partial<Record<Resolution['action'], Record<string, string>>>> = {
  'supplement-voucher': { voucherRef: '-' },
  'freeze-account': { reason: '-' },
  'accept-difference': { reason: '-' },
  link: { documentRef: '-', sku: '-' },
};

/** A configuration holding only what booking reads: the warehouse's accounts. */
function bookingConfig(bookings: CaseRecord['account']['bookings']): WorkflowConfig {
  return {
    version: 1,
    owners: { default: '-', byWarehouse: {} },
    accounts: {
      suspense: bookings.suspense,
      writeOff: bookings.writeOff,
      default: bookings.byType,
      byWarehouse: {},
    },
    approval: { tiers: [{ from: '0', approvers: [['finance-reviewer']] }] },
    awaitingBooksDays: 5,
    report: DEFAULT_REPORT_CONFIG,
  };
}

export function previewEntry(
  kase: Pick<CaseRecord, 'caseId' | 'facts' | 'account'>,
  resolution: Record<string, unknown>,
  entryId: string,
): EntryPreview {
  const action = resolution.action as Resolution['action'];
  const parsed = ResolutionSchema.safeParse({ ...UNBOOKED[action], ...resolution });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      status: 'incomplete',
      field: ['resolution', ...(issue?.path ?? [])].join('.'),
      reason: issue?.message ?? '',
    };
  }
  const built = buildJournalEntry(parsed.data, kase.facts, bookingConfig(kase.account.bookings), {
    entryId,
    caseId: kase.caseId,
  });
  if (!built.ok) return { status: 'incomplete', field: built.field, reason: built.reason };
  return built.entry === null ? { status: 'none' } : { status: 'entry', entry: built.entry };
}

/**
 * The number the API gives the entry of the next proposal: `ST-`, the case's period, the first
 * eight hex digits of the SHA-256 of its group key, the version the proposal makes
 * (case-decide.ts's entryIdFor, here through the browser's Web Crypto).
 */
export async function nextEntryId(kase: Pick<CaseRecord, 'groupKey' | 'facts' | 'version'>): Promise<string> {
  const bytes = new TextEncoder().encode(kase.groupKey);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `ST-${casePeriod(kase.facts).replace('-', '')}-${hex}-${kase.version + 1}`;
}
