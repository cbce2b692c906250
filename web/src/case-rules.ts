import type { ActionType, CaseRecord, CaseState, JournalLine, RemedyKind, Role } from './case-types.js';
import type { MessageKey } from './i18n.js';

/**
 * What the case panel offers: the actions a case's state allows, narrowed to the signed-in roles.
 * The server decides (403/409 are shown as they come); this table only keeps the panel from
 * offering what cannot succeed. Maker-checker: whoever proposes is not whoever approves, and the
 * server refuses a proposer's own approval. One table, so the merge with the workflow is one edit.
 */
const BY_STATE: Readonly<Record<CaseState, readonly ActionType[]>> = {
  OPEN: ['assign', 'comment', 'start-review', 'freeze', 'unfreeze'],
  IN_REVIEW: ['assign', 'comment', 'propose', 'freeze', 'unfreeze'],
  PROPOSED: ['comment', 'approve', 'reject', 'freeze', 'unfreeze'],
  REJECTED: ['comment', 'propose', 'assign', 'freeze', 'unfreeze'],
  APPROVED: ['comment', 'close'],
  CLOSED: ['comment'],
};

const BY_ROLE: Readonly<Record<Role, readonly ActionType[]>> = {
  'warehouse-lead': ['comment', 'start-review', 'propose'],
  'finance-specialist': ['assign', 'comment', 'start-review', 'propose', 'close'],
  'finance-reviewer': ['comment', 'approve', 'reject', 'close'],
  'it-support': ['comment', 'freeze', 'unfreeze'],
  admin: ['assign', 'comment', 'start-review', 'propose', 'approve', 'reject', 'close', 'freeze', 'unfreeze'],
};

export function allowedActions(
  kase: Pick<CaseRecord, 'state' | 'frozen'>,
  roles: readonly string[],
): ActionType[] {
  const byRole = new Set(roles.flatMap((r) => BY_ROLE[r as Role] ?? []));
  return BY_STATE[kase.state]
    .filter((a) => byRole.has(a))
    .filter((a) => (a === 'freeze' ? kase.frozen !== true : a === 'unfreeze' ? kase.frozen === true : true))
    .filter((a) => kase.frozen !== true || a === 'comment' || a === 'unfreeze');
}

export type FieldType = 'text' | 'textarea' | 'decimal' | 'date' | 'user';

export interface FormField {
  name: string;
  label: MessageKey;
  type: FieldType;
  required: boolean;
}

/** The fields of each action's form; `propose` adds its remedy's fields under `action`. */
export const ACTION_FIELDS: Readonly<Partial<Record<ActionType, readonly FormField[]>>> = {
  assign: [{ name: 'owner', label: 'assignee', type: 'user', required: true }],
  comment: [{ name: 'text', label: 'commentText', type: 'textarea', required: true }],
  'start-review': [],
  approve: [{ name: 'comment', label: 'commentText', type: 'textarea', required: false }],
  reject: [{ name: 'reason', label: 'reason', type: 'textarea', required: true }],
  close: [{ name: 'comment', label: 'commentText', type: 'textarea', required: false }],
  freeze: [{ name: 'reason', label: 'reason', type: 'textarea', required: true }],
  unfreeze: [{ name: 'reason', label: 'reason', type: 'textarea', required: false }],
};

const memo: FormField = { name: 'memo', label: 'memo', type: 'textarea', required: false };

export const REMEDY_FIELDS: Readonly<Record<RemedyKind, readonly FormField[]>> = {
  'supplement-voucher': [
    { name: 'account', label: 'account', type: 'text', required: true },
    { name: 'amount', label: 'amount', type: 'decimal', required: true },
    memo,
  ],
  'reverse-entry': [{ name: 'entryId', label: 'entryId', type: 'text', required: true }, memo],
  'adjust-price': [{ name: 'unitCost', label: 'unitCost', type: 'decimal', required: true }, memo],
  'adjust-quantity': [{ name: 'quantity', label: 'quantity', type: 'decimal', required: true }, memo],
  'freeze-account': [{ name: 'account', label: 'account', type: 'text', required: true }, memo],
  'accept-timing': [{ name: 'expectedBy', label: 'expectedBy', type: 'date', required: true }, memo],
};

const DECIMAL = /^-?\d+(\.\d{1,6})?$/;

export type FormValues = Record<string, string>;

/** The problems of a filled form, by field name (empty: it may be sent). */
export function validate(fields: readonly FormField[], values: FormValues): Record<string, MessageKey> {
  const problems: Record<string, MessageKey> = {};
  for (const field of fields) {
    const value = (values[field.name] ?? '').trim();
    if (value === '') {
      if (field.required) problems[field.name] = 'required';
    } else if (field.type === 'decimal' && !DECIMAL.test(value)) problems[field.name] = 'invalidDecimal';
  }
  return problems;
}

/** The body of POST /v1/cases/{id}/actions: empty optional fields left out, decimals as strings. */
export function actionBody(
  type: ActionType,
  values: FormValues,
  remedy?: RemedyKind,
): { type: ActionType } & Record<string, unknown> {
  const pick = (fields: readonly FormField[]) =>
    Object.fromEntries(
      fields.flatMap((f) => {
        const value = (values[f.name] ?? '').trim();
        return value === '' ? [] : [[f.name, value]];
      }),
    );
  if (type === 'propose') {
    const kind = remedy ?? 'supplement-voucher';
    return { type, action: { kind, ...pick(REMEDY_FIELDS[kind]) } };
  }
  return { type, ...pick(ACTION_FIELDS[type] ?? []) };
}

/** A proposal's journal entry as lines, whichever of the two agreed shapes it came in. */
export function journalLines(kase: Pick<CaseRecord, 'proposal'>): JournalLine[] {
  const entry = kase.proposal?.journalEntry;
  if (entry === undefined) return [];
  return Array.isArray(entry) ? entry : entry.lines;
}
