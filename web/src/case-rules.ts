import { coveredCount } from '../../lib/core/cases/approval-policy.js';
import { CaseActionSchema } from '../../lib/core/cases/case-action.js';
import { formatDecimal, parseDecimal } from '../../lib/core/shared/decimal.js';
import { MOVEMENT_TYPES } from '../../lib/core/records/movement-type.js';
import type { Role } from '../../lib/core/cases/roles.js';
import {
  RESOLUTION_ACTIONS,
  ROOT_CAUSES,
  type ActionType,
  type CaseAction,
  type CaseRecord,
  type JournalLine,
  type LocalUser,
  type Proposal,
  type ResolutionAction,
} from './case-types.js';
import { formatMoney, formatQuantity } from './format.js';
import { codeLabel, t, typeLabel, type MessageKey } from './i18n.js';

/**
 * What the case panel asks for and sends. What a caller may do is the API's answer
 * (`allowedActions` of the case, for the caller); each action's form has the fields of its real
 * payload (lib/core/cases/case-action.ts, resolution.ts, root-cause.ts), and a filled form is checked with
 * the very schema the API parses it with, so a refusal for a malformed field happens before the
 * request and names the same field. Amounts stay strings from the input to the request.
 */
export type FieldType = 'text' | 'textarea' | 'money' | 'decimal' | 'date' | 'user' | 'select' | 'multi';

export interface FormField {
  /** Where the value goes in the body: `text`, `resolution.voucherRef`, `rootCause.code`. */
  path: string;
  label: MessageKey;
  type: FieldType;
  required: boolean;
  options?: readonly { value: string; label: string }[];
  /** What the API takes when the field is left empty (shown as the placeholder). */
  fallback?: string;
  /** Sent as typed, spaces included: a document reference is kept verbatim (`DOC-1 ` is not `DOC-1`). */
  verbatim?: boolean;
}

export type FormValue = string | string[];
export type FormValues = Record<string, FormValue>;

const memo: FormField = { path: 'resolution.memo', label: 'memo', type: 'text', required: false };
const comment: FormField = { path: 'comment', label: 'commentText', type: 'textarea', required: false };

function movementTypes(path: string, label: MessageKey): FormField {
  return {
    path,
    label,
    type: 'select',
    required: false,
    options: MOVEMENT_TYPES.map((m) => ({ value: m, label: typeLabel(m) })),
  };
}

function rootCauseFields(required: boolean, fallback?: string): FormField[] {
  return [
    {
      path: 'rootCause.code',
      label: 'rootCause',
      type: 'select',
      required,
      options: ROOT_CAUSES.map((c) => ({ value: c, label: codeLabel(c) })),
      ...(fallback === undefined ? {} : { fallback }),
    },
    { path: 'rootCause.text', label: 'rootCauseText', type: 'text', required: false },
  ];
}

/** Exact text of a sum, at least the minor unit's two places, never rounded. */
const decimalText = (d: bigint): string => formatDecimal(d, 2);

const money = (text: string | null | undefined): bigint | undefined => {
  if (text === null || text === undefined) return undefined;
  const parsed = parseDecimal(text);
  return parsed.ok ? parsed.value : undefined;
};

/** What finance lacks by the facts (expected amount - finance amount), as the API defaults it. */
function lacking(kase: Pick<CaseRecord, 'facts'>): string | undefined {
  const expected = money(kase.facts.expectedAmount);
  if (expected === undefined) return undefined;
  return decimalText(expected - (money(kase.facts.financeAmount) ?? 0n));
}

/** The fields of a resolution action's payload (resolution.ts), with the case's own choices. */
export function resolutionFields(action: ResolutionAction, kase: Pick<CaseRecord, 'facts'>): FormField[] {
  const gap = lacking(kase);
  const amount = (fallback?: string): FormField => ({
    path: 'resolution.amount',
    label: 'amount',
    type: 'money',
    required: false,
    ...(fallback === undefined ? {} : { fallback: formatMoney(fallback) }),
  });
  switch (action) {
    case 'supplement-voucher':
      return [
        { path: 'resolution.voucherRef', label: 'voucherRef', type: 'text', required: true },
        movementTypes('resolution.movementType', 'movementType'),
        amount(gap),
        memo,
      ];
    case 'reverse-entry':
      return [
        {
          path: 'resolution.entryIds',
          label: 'entryIds',
          type: 'multi',
          required: true,
          options: kase.facts.financeEntryIds.map((id) => ({
            value: id,
            label: kase.facts.duplicateEntryIds.includes(id) ? `${id} (${t('duplicate')})` : id,
          })),
        },
        movementTypes('resolution.movementType', 'movementType'),
        amount(),
        movementTypes('resolution.rebookAs', 'rebookAs'),
        memo,
      ];
    case 'adjust-price':
      return [{ path: 'resolution.unitCost', label: 'unitCost', type: 'decimal', required: true }, memo];
    case 'adjust-quantity':
      return [
        {
          path: 'resolution.quantity',
          label: 'quantity',
          type: 'decimal',
          required: false,
          fallback: formatQuantity(kase.facts.wmsQuantity),
        },
        memo,
      ];
    case 'freeze-account':
      return [
        { path: 'resolution.reason', label: 'reason', type: 'textarea', required: true },
        amount(gap),
        memo,
      ];
    case 'accept-timing':
      return [{ path: 'resolution.expectedBy', label: 'expectedBy', type: 'date', required: false }, memo];
    case 'link':
      return [...linkFields('resolution.'), memo];
    case 'accept-difference':
      return [
        { path: 'resolution.reason', label: 'writeOffReason', type: 'textarea', required: true },
        amount(gap),
        memo,
      ];
  }
}

/** The other side's group a link names (CONTRACT §11), as its codes are written. */
function linkFields(prefix: string): FormField[] {
  return [
    { path: `${prefix}documentRef`, label: 'linkDocumentRef', type: 'text', required: true, verbatim: true },
    { path: `${prefix}sku`, label: 'linkSku', type: 'text', required: true, verbatim: true },
  ];
}

/**
 * What a form starts with (CONTRACT §11): the predicted cause in the root cause of a proposal or a
 * close, and the chosen suggestion (else the first) in a link's target.
 */
export function prefill(
  type: ActionType,
  kase: Pick<CaseRecord, 'facts'>,
  match?: { documentRef: string; sku: string },
): FormValues {
  const predicted = kase.facts.predictedCause?.code;
  if ((type === 'propose' || type === 'close') && predicted !== undefined)
    return { 'rootCause.code': predicted };
  const target = match ?? kase.facts.suggestedMatches?.[0];
  if (type === 'link' && target !== undefined) return { documentRef: target.documentRef, sku: target.sku };
  return {};
}

/** The form of an action on this case (propose: of the chosen resolution action). */
export function actionFields(
  type: ActionType,
  kase: Pick<CaseRecord, 'facts' | 'rootCause'>,
  resolution: ResolutionAction = 'supplement-voucher',
): FormField[] {
  switch (type) {
    case 'assign':
      return [{ path: 'owner', label: 'assignee', type: 'user', required: true }];
    case 'comment':
      return [{ path: 'text', label: 'commentText', type: 'textarea', required: true }];
    case 'start-review':
      return [comment];
    case 'propose':
      return [...resolutionFields(resolution, kase), ...rootCauseFields(false), comment];
    case 'approve':
      return [comment];
    case 'reject':
      return [{ path: 'reason', label: 'reason', type: 'textarea', required: true }];
    case 'close':
      return [
        ...rootCauseFields(
          kase.rootCause == null,
          kase.rootCause == null ? undefined : codeLabel(kase.rootCause.code),
        ),
        comment,
      ];
    case 'freeze':
      return [{ path: 'reason', label: 'reason', type: 'textarea', required: true }];
    case 'unfreeze':
      return [{ path: 'reason', label: 'reason', type: 'textarea', required: false }];
    case 'link':
      return [...linkFields(''), ...rootCauseFields(false, codeLabel('wrong-reference')), comment];
  }
}

const filled = (value: FormValue | undefined): boolean =>
  Array.isArray(value) ? value.length > 0 : (value ?? '').trim() !== '';

/**
 * The body of POST /v1/cases/{caseId}/actions: each filled field at its path, empty ones left out,
 * the resolution's action for a proposal, and the case version the person saw (409 if it moved).
 */
export function actionBody(
  type: ActionType,
  fields: readonly FormField[],
  values: FormValues,
  version: number | undefined,
  resolution?: ResolutionAction,
): Record<string, unknown> {
  const body: Record<string, unknown> = { type };
  if (type === 'propose') body.resolution = { action: resolution ?? 'supplement-voucher' };
  for (const field of fields) {
    const value = values[field.path];
    if (!filled(value)) continue;
    const parts = field.path.split('.');
    let at = body;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    const leaf = Array.isArray(value)
      ? value
      : field.verbatim === true
        ? (value ?? '')
        : (value ?? '').trim();
    at[parts[parts.length - 1] ?? field.path] = leaf;
  }
  if (version !== undefined) body.version = version;
  return body;
}

const MONEY = /^-?\d+(\.\d{1,2})?$/;
const DECIMAL = /^-?\d+(\.\d{1,6})?$/;

/**
 * The problems of a filled form by field path ('' for the form as a whole); none: it may be sent,
 * and `action` is the body as the API will parse it.
 */
export function checkForm(
  fields: readonly FormField[],
  values: FormValues,
  body: Record<string, unknown>,
): { problems: Record<string, string>; action?: CaseAction } {
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.path];
    if (!filled(value)) {
      if (field.required) problems[field.path] = t('required');
      continue;
    }
    const text = Array.isArray(value) ? '' : (value ?? '').trim();
    if (field.type === 'money' && !MONEY.test(text)) problems[field.path] = t('invalidMoney');
    if (field.type === 'decimal' && !DECIMAL.test(text)) problems[field.path] = t('invalidDecimal');
  }
  if (Object.keys(problems).length > 0) return { problems };
  const parsed = CaseActionSchema.safeParse(body);
  if (parsed.success) return { problems, action: parsed.data };
  const known = new Set(fields.map((f) => f.path));
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    const slot = known.has(path) ? path : '';
    problems[slot] = problems[slot] === undefined ? issue.message : `${problems[slot]}; ${issue.message}`;
  }
  return { problems };
}

/** The user field's choices: the known users, whoever owns the case now, and the caller. */
export function userOptions(users: readonly LocalUser[]): { value: string; label: string }[] {
  return users
    .filter((u) => u.username !== 'local')
    .map((u) => ({ value: u.username, label: `${u.username} (${u.roles.map(codeLabel).join(', ')})` }));
}

/** A proposal's entry lines as debit and credit columns, with both sides' totals summed exactly. */
export function journalColumns(lines: readonly JournalLine[]): {
  rows: { line: JournalLine; debit: string; credit: string }[];
  debit: string;
  credit: string;
  balanced: boolean;
} {
  let debit = 0n;
  let credit = 0n;
  const rows = lines.map((line) => {
    const amount = money(line.amount) ?? 0n;
    if (line.side === 'debit') debit += amount;
    else credit += amount;
    return {
      line,
      debit: line.side === 'debit' ? line.amount : '',
      credit: line.side === 'credit' ? line.amount : '',
    };
  });
  return { rows, debit: decimalText(debit), credit: decimalText(credit), balanced: debit === credit };
}

/** How far a proposal's approvals have come: requirements met of those needed (maker-checker). */
export function approvalProgress(proposal: Proposal): { given: number; needed: number } {
  const approvers = proposal.approvals.map((a) => ({
    userId: a.by.userId,
    username: a.by.username,
    roles: a.by.roles as Role[],
  }));
  return {
    given: coveredCount(proposal.requirements, approvers),
    needed: proposal.requirements.length,
  };
}

/** Why the caller sees no approve button on a proposal: theirs, or approved by them already. */
export function approvalBlock(
  kase: Pick<CaseRecord, 'state' | 'proposal' | 'allowedActions'>,
  username: string,
): 'own-proposal' | 'approved-already' | undefined {
  if (kase.state !== 'PROPOSED' || kase.proposal == null || kase.allowedActions.includes('approve'))
    return undefined;
  if (kase.proposal.proposedBy.username === username) return 'own-proposal';
  if (kase.proposal.approvals.some((a) => a.by.username === username)) return 'approved-already';
  return undefined;
}

export { RESOLUTION_ACTIONS };
