import { html, nothing, render, type TemplateResult } from 'lit-html';
import { ApiError, NotAvailableError, type Api } from '../api.js';
import { caseIdOf } from '../../../lib/core/cases/case-id.js';
import {
  actionBody,
  actionFields,
  approvalBlock,
  approvalProgress,
  checkForm,
  journalColumns,
  prefill,
  RESOLUTION_ACTIONS,
  userOptions,
  type FormField,
  type FormValues,
} from '../case-rules.js';
import type {
  ActionType,
  CaseRecord,
  LocalUser,
  Proposal,
  ResolutionAction,
  Trail,
  TrailEvent,
} from '../case-types.js';
import { formatInstant, formatMoney, formatQuantity } from '../format.js';
import { codeLabel, language, severityLabel, t, typeLabel, type MessageKey } from '../i18n.js';
import { problem, severityBadge } from './common.js';
import { nextEntryId, previewEntry } from '../entry-preview.js';

/**
 * The case of one discrepancy (issue 8's workflow, issue 9's panel): its state, owner, facts, the
 * proposal with its adjusting journal entry and approvals, the comments, the actions the API allows
 * the signed-in person (each with the form of its real payload) and the audit trail with its
 * verification mark. `casePanelView` is a pure view of `CasePanelState`; `mountCasePanel` loads and
 * acts through the API. The API decides; the panel shows its refusals as they come (403 for
 * maker-checker and roles, 409 when the case moved on, the case then read again).
 */
export interface CaseForm {
  type: ActionType;
  resolution: ResolutionAction;
  values: FormValues;
  problems: Record<string, string>;
  /** The number the API will give the proposal's entry (known once Web Crypto has answered). */
  entryId?: string;
}

export type CasePanelState =
  | { status: 'loading' }
  | { status: 'unavailable' }
  | { status: 'none' }
  | { status: 'error'; error: unknown }
  | {
      status: 'ready';
      kase: CaseRecord;
      trail: Trail | undefined;
      trailError: unknown;
      form: CaseForm | undefined;
      busy: boolean;
      error: unknown;
    };

export interface CasePanelHandlers {
  open(type: ActionType): void;
  /** Accepting a suggested match: the link form, its target filled in. */
  accept(match: { documentRef: string; sku: string }): void;
  cancel(): void;
  change(path: string, value: string): void;
  toggle(path: string, value: string, on: boolean): void;
  resolution(action: ResolutionAction): void;
  submit(): void;
}

/** Who is looking: what the panel says about their own proposal, and whom they can assign. */
export interface Viewer {
  username: string;
  users: readonly LocalUser[];
  zone: string;
}

/** An action's or remedy's name; `link` is also an audit-chain reason, so it has its own label. */
const actionLabel = (code: string): string => (code === 'link' ? t('linkAction') : codeLabel(code));

const percent = (p: number): string => `${Math.round(p * 100)} %`;

/**
 * What diagnosis says of the discrepancy (CONTRACT §11): the suggested matches beside it, each with
 * an accept button when the caller may link, the predicted cause and the clearing probability.
 */
function diagnosisView(kase: CaseRecord, actions: readonly ActionType[], h: CasePanelHandlers) {
  const { suggestedMatches: matches, predictedCause: cause, clearingProbability: clearing } = kase.facts;
  if (matches === undefined && cause === undefined && clearing === undefined) return nothing;
  const zh = language() === 'zh';
  return html`<div data-test="diagnosis">
    <h3>${t('diagnosis')}</h3>
    ${
      matches === undefined
        ? nothing
        : html`<h4>${t('suggestedMatches')}</h4>
            ${
              matches.length === 0
                ? html`<p class="muted" data-test="no-suggestions">${t('noSuggestions')}</p>`
                : html`<ul class="plain" data-test="suggestions">
                    ${matches.map(
                      (m) =>
                        html`<li data-ref=${m.documentRef} data-sku=${m.sku}>
                          <strong>${m.documentRef}</strong> · ${m.sku} ·
                          <span class="badge">${t('suggestionScore', { score: m.score })}</span>
                          <div class="muted small">${zh ? m.reasonZh : m.reason}</div>
                          ${
                            actions.includes('link')
                              ? html`<button
                                  type="button"
                                  data-test="accept-link"
                                  @click=${() => h.accept(m)}
                                >
                                  ${t('acceptLink')}
                                </button>`
                              : nothing
                          }
                        </li>`,
                    )}
                  </ul>`
            }`
    }
    <dl class="facts">
      ${
        cause === undefined
          ? nothing
          : html`<dt>${t('predictedCause')}</dt>
              <dd data-test="predicted-cause" data-code=${cause.code}>
                ${codeLabel(cause.code)} · ${t('predictedConfidence', { p: percent(cause.confidence) })}
                <div class="muted small">${zh ? cause.basisZh : cause.basis}</div>
              </dd>`
      }
      ${
        clearing === undefined
          ? nothing
          : html`<dt>${t('clearingProbability')}</dt>
              <dd data-test="clearing-probability">${percent(clearing)}</dd>`
      }
    </dl>
  </div>`;
}

function actorText(actor: { username: string; roles: readonly string[] }): string {
  if (actor.roles.length === 0) return actor.username;
  return `${actor.username} (${actor.roles.map(codeLabel).join(', ')})`;
}

function input(f: FormField, form: CaseForm, viewer: Viewer, h: CasePanelHandlers): TemplateResult {
  const raw = form.values[f.path];
  const value = Array.isArray(raw) ? '' : (raw ?? '');
  const onInput = (e: Event) => h.change(f.path, (e.target as HTMLInputElement).value);
  const users = userOptions(viewer.users);
  if (f.type === 'textarea')
    return html`<textarea name=${f.path} rows="2" .value=${value} @input=${onInput}></textarea>`;
  if (f.type === 'multi') {
    const chosen = Array.isArray(raw) ? raw : [];
    return html`<span class="choices" data-field=${f.path}>
      ${(f.options ?? []).map(
        (o) =>
          html`<label class="choice"
            ><input
              type="checkbox"
              name=${f.path}
              value=${o.value}
              .checked=${chosen.includes(o.value)}
              @change=${(e: Event) => h.toggle(f.path, o.value, (e.target as HTMLInputElement).checked)}
            />
            ${o.label}</label
          >`,
      )}
    </span>`;
  }
  const options = f.type === 'user' ? users : f.type === 'select' ? (f.options ?? []) : undefined;
  if (options !== undefined && (f.type === 'select' || options.length > 0))
    return html`<select name=${f.path} @change=${onInput}>
      <option value="" ?selected=${value === ''}>
        ${f.fallback === undefined ? '—' : `${t('byDefault')}: ${f.fallback}`}
      </option>
      ${options.map((o) => html`<option value=${o.value} ?selected=${value === o.value}>${o.label}</option>`)}
    </select>`;
  return html`<input
    name=${f.path}
    type=${f.type === 'date' ? 'date' : 'text'}
    inputmode=${f.type === 'money' || f.type === 'decimal' ? 'decimal' : 'text'}
    placeholder=${f.fallback === undefined ? '' : `${t('byDefault')}: ${f.fallback}`}
    .value=${value}
    @input=${onInput}
  />`;
}

function field(f: FormField, form: CaseForm, viewer: Viewer, h: CasePanelHandlers): TemplateResult {
  const issue = form.problems[f.path];
  return html`<label data-path=${f.path}
    >${t(f.label)}${f.required ? ' *' : ''} ${input(f, form, viewer, h)}
    ${issue === undefined ? nothing : html`<span class="problem">${issue}</span>`}</label
  >`;
}

/** A refusal of the API in words a person acts on, with what the API said beneath. */
export function actionError(error: unknown): TemplateResult {
  if (!(error instanceof ApiError) || error instanceof NotAvailableError) return problem(error);
  const key: MessageKey | undefined =
    error.code === 'proposer_cannot_approve' || error.code === 'proposer_cannot_reject'
      ? 'errProposer'
      : error.code === 'version_conflict'
        ? 'errVersion'
        : error.code === 'already_approved'
          ? 'errAlreadyApproved'
          : error.status === 409
            ? 'errState'
            : error.status === 403
              ? 'errRole'
              : error.status === 400
                ? 'errInvalid'
                : error.status === 401
                  ? 'unauthorized'
                  : undefined;
  return html`<div
    class="error"
    role="alert"
    data-test="action-error"
    data-status=${error.status}
    data-code=${error.code ?? ''}
  >
    <strong>${key === undefined ? t('errorPrefix') : t(key)}</strong>
    <div class="muted">${error.status} · ${t('errCode')} ${error.code ?? '—'} · ${error.message}</div>
  </div>`;
}

const RESOLUTION_LABELS: Readonly<Record<string, MessageKey>> = {
  voucherRef: 'voucherRef',
  movementType: 'movementType',
  amount: 'amount',
  entryIds: 'entryIds',
  rebookAs: 'rebookAs',
  unitCost: 'unitCost',
  quantity: 'quantity',
  reason: 'reason',
  expectedBy: 'expectedBy',
  memo: 'memo',
};

function resolutionValue(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  const text = String(value);
  if (name === 'movementType' || name === 'rebookAs') return typeLabel(text);
  if (name === 'amount') return formatMoney(text);
  if (name === 'unitCost' || name === 'quantity') return formatQuantity(text);
  return text;
}

function rootCauseText(cause: { code: string; text?: string } | null | undefined): string {
  if (cause === null || cause === undefined) return '—';
  return cause.text === undefined ? codeLabel(cause.code) : `${codeLabel(cause.code)}: ${cause.text}`;
}

function entryView(proposal: Proposal): TemplateResult {
  const entry = proposal.entry;
  if (entry === null) return html`<p class="muted" data-test="no-entry">${t('noEntry')}</p>`;
  const { rows, debit, credit, balanced } = journalColumns(entry.lines);
  const ref = 'voucherRef' in proposal.resolution ? proposal.resolution.voucherRef : undefined;
  return html`<h3>${t('journalEntry')}</h3>
    <p class="muted" data-test="entry-voucher">
      ${t('entryVoucher', { id: entry.entryId, period: entry.period, type: typeLabel(entry.movementType) })}
      ${ref === undefined ? nothing : html`(${t('entryRef', { ref })})`} · ${entry.memo}
    </p>
    <div class="scroll">
      <table class="data journal" data-test="journal">
        <thead>
          <tr>
            <th>#</th>
            <th>${t('account')}</th>
            <th class="num">${t('debit')}</th>
            <th class="num">${t('credit')}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                <td>${r.line.line}</td>
                <td>${r.line.accountCode} ${r.line.accountName}</td>
                <td class="num">${r.debit === '' ? '' : formatMoney(r.debit)}</td>
                <td class="num">${r.credit === '' ? '' : formatMoney(r.credit)}</td>
              </tr>`,
          )}
          <tr class="total">
            <th></th>
            <th>
              ${t('total')}
              <span class="badge ${balanced ? 'ok' : 'bad'}"
                >${balanced ? t('balanced') : t('notBalanced')}</span
              >
            </th>
            <th class="num">${formatMoney(debit)}</th>
            <th class="num">${formatMoney(credit)}</th>
          </tr>
        </tbody>
      </table>
    </div>`;
}

function proposalView(proposal: Proposal, zone: string): TemplateResult {
  const { given, needed } = approvalProgress(proposal);
  const details = Object.entries(proposal.resolution).filter(([name]) => name !== 'action');
  return html`<div data-test="proposal">
    <h3>
      ${t('proposal')}: ${actionLabel(proposal.resolution.action)}
      ${
        proposal.outcome === undefined
          ? nothing
          : html`<span class="badge ${proposal.outcome === 'approved' ? 'ok' : 'bad'}"
              >${proposal.outcome === 'approved' ? t('outcomeApproved') : t('outcomeRejected')}</span
            >`
      }
    </h3>
    <dl class="facts">
      ${details.map(
        ([name, value]) =>
          html`<dt>${t(RESOLUTION_LABELS[name] ?? 'memo')}</dt>
            <dd>${resolutionValue(name, value)}</dd>`,
      )}
      <dt>${t('rootCause')}</dt>
      <dd>${rootCauseText(proposal.rootCause)}</dd>
      <dt>${t('proposedBy')}</dt>
      <dd data-test="proposed-by">${actorText(proposal.proposedBy)}</dd>
      <dt>${t('proposedAt')}</dt>
      <dd>${formatInstant(proposal.proposedAt, zone)}</dd>
      <dt>${t('proposalAmount')}</dt>
      <dd class="amount">${formatMoney(proposal.amount)}</dd>
      <dt>${t('requirements')}</dt>
      <dd data-test="requirements">
        ${proposal.requirements.map((roles) => roles.map(codeLabel).join(' / ')).join(' + ')}
        <span class="badge ${given === needed ? 'ok' : ''}">${t('approvalProgress', { given, needed })}</span>
      </dd>
    </dl>
    ${entryView(proposal)}
    <h3>${t('approvals')}</h3>
    ${
      proposal.approvals.length === 0
        ? html`<p class="muted">${t('noApprovals')}</p>`
        : html`<ul class="plain" data-test="approvals">
            ${proposal.approvals.map(
              (a) =>
                html`<li data-user=${a.by.username}>
                  ✔ ${actorText(a.by)} ·
                  ${formatInstant(a.at, zone)}${a.comment === undefined ? '' : ` · ${a.comment}`}
                </li>`,
            )}
          </ul>`
    }
  </div>`;
}

const text = (data: Record<string, unknown>, name: string): string | undefined => {
  const value = data[name];
  return typeof value === 'string' ? value : undefined;
};

/** What an event of the trail did, in a line. */
export function eventDetail(e: TrailEvent): string {
  const d = e.data;
  const withComment = (head: string) => {
    const c = text(d, 'comment');
    return [head, c].filter((p) => p !== undefined && p !== '').join(' · ');
  };
  switch (e.type) {
    case 'open':
      return `${severityLabel((text(d, 'severity') ?? 'GREEN') as 'GREEN')} · ${formatMoney(text(d, 'moneyAtStake'))} · ${t('owner')} ${text(d, 'owner') ?? ''}`;
    case 'reopen':
      return `${t('run')} ${text(d, 'runId') ?? ''}`;
    case 'assign':
      return `${text(d, 'from') ?? ''} → ${text(d, 'owner') ?? ''}`;
    case 'comment':
      return text(d, 'text') ?? '';
    case 'start-review':
      return withComment('');
    case 'propose': {
      const resolution = d.resolution as { action?: string } | undefined;
      const entry = d.entry as { entryId?: string } | null | undefined;
      return withComment(
        [actionLabel(resolution?.action ?? ''), formatMoney(text(d, 'amount')), entry?.entryId]
          .filter((p) => p !== undefined)
          .join(' · '),
      );
    }
    case 'approve':
      return withComment(d.complete === true ? t('approvalComplete') : '');
    case 'reject':
      return text(d, 'reason') ?? '';
    case 'close':
      return withComment(
        `${rootCauseText(d.rootCause as { code: string; text?: string } | undefined)}${d.auto === true ? ` · ${t('autoClose')}` : ''}`,
      );
    case 'freeze':
    case 'unfreeze':
      return [text(d, 'account'), text(d, 'reason')].filter((p) => p !== undefined).join(' · ');
    case 'hold':
      return text(d, 'account') ?? '';
    case 'export':
      return `${text(d, 'entryId') ?? ''} · ${text(d, 'format') ?? ''}`;
    default:
      return '';
  }
}

function trailView(trail: Trail | undefined, error: unknown, zone: string): TemplateResult {
  if (trail === undefined)
    return error === undefined
      ? html``
      : html`<h3>${t('trail')}</h3>
          ${problem(error)}`;
  const broken = trail.brokenAt;
  return html`<h3>
      ${t('trail')} <span class="muted">· ${t('trailEvents', { n: trail.events.length })}</span>
    </h3>
    <p data-test="trail-verified" data-verified=${String(trail.verified)}>
      ${
        trail.verified
          ? html`<span class="badge ok">✔ ${t('trailVerified')}</span>`
          : html`<span class="badge bad"
              >✘
              ${t('trailBroken', {
                n:
                  broken === undefined
                    ? '?'
                    : t('trailBrokenDetail', { n: broken.seq, reason: codeLabel(broken.reason) }),
              })}</span
            >`
      }
    </p>
    <ol class="trail" data-test="trail">
      ${trail.events.map(
        (e) =>
          html`<li data-type=${e.type} data-actor=${e.actor.username}>
            <span class="seq">#${e.seq}</span>
            <span>${formatInstant(e.at, zone)}</span>
            <span><strong>${actionLabel(e.type)}</strong> · ${actorText(e.actor)}</span>
            <span class="detail">${eventDetail(e)}</span>
            <code title=${`${e.hash}\n${t('trailPrev')} ${e.prevHash}`}>${e.hash.slice(0, 12)}…</code>
          </li>`,
      )}
    </ol>`;
}

function factsView(kase: CaseRecord, zone: string): TemplateResult {
  const frozen = kase.account.frozen;
  return html`<dl class="facts">
    <dt>${t('caseState')}</dt>
    <dd data-test="case-state" data-state=${kase.state}>
      <strong>${codeLabel(kase.state)}</strong>
      ${frozen === null ? nothing : html`<span class="badge bad">${t('frozen')}</span>`}
    </dd>
    <dt>${t('caseOwner')}</dt>
    <dd data-test="case-owner">${kase.owner}</dd>
    <dt>${t('severity')}</dt>
    <dd>
      ${severityBadge(kase.severity, severityLabel(kase.severity as 'RED'))} ·
      ${formatMoney(kase.moneyAtStake)}
    </dd>
    <dt>${t('casePeriod')}</dt>
    <dd>${kase.period}</dd>
    <dt>${t('ageToDate')}</dt>
    <dd>
      ${codeLabel(kase.ageBucket)} (${t('firstSeen')} ${formatInstant(kase.firstSeen, zone)}, ${kase.ageDays}
      ${t('days')})
    </dd>
    <dt>${t('caseAccount')}</dt>
    <dd data-test="case-account" data-key=${kase.account.key}>
      ${kase.account.code} ${kase.account.name}
      <span class="muted">(${t('accountKey', { warehouse: kase.warehouseId })})</span>
      ${
        frozen === null
          ? nothing
          : html`·
            ${t('frozenBy', { by: frozen.by, at: formatInstant(frozen.at, zone), reason: frozen.reason })}`
      }
    </dd>
    ${
      kase.held == null
        ? nothing
        : html`<dt></dt>
            <dd>
              ${t('heldFor', { account: kase.held.account, at: formatInstant(kase.held.since, zone) })}
            </dd>`
    }
    ${
      kase.rootCause == null
        ? nothing
        : html`<dt>${t('rootCause')}</dt>
            <dd data-test="root-cause">${rootCauseText(kase.rootCause)}</dd>`
    }
    ${
      kase.closed == null
        ? nothing
        : html`<dt>${codeLabel('CLOSED')}</dt>
            <dd>
              ${
                kase.closed.auto
                  ? t('closedAuto', { at: formatInstant(kase.closed.at, zone) })
                  : t('closedBy', { by: kase.closed.by, at: formatInstant(kase.closed.at, zone) })
              }
            </dd>`
    }
    <dt>${t('caseVersion')}</dt>
    <dd data-test="case-version">${kase.version} · ${t('openedAt')} ${formatInstant(kase.openedAt, zone)}</dd>
  </dl>`;
}

/** The proposal's entry as the API will book it, Dr/Cr line by line, and how it will be numbered. */
export function previewView(form: CaseForm, kase: CaseRecord): TemplateResult {
  const fields = actionFields('propose', kase, form.resolution);
  const body = actionBody('propose', fields, form.values, undefined, form.resolution);
  const entryId = form.entryId ?? 'ST-…';
  const preview = previewEntry(kase, (body.resolution ?? {}) as Record<string, unknown>, entryId);
  let shown: TemplateResult;
  if (preview.status === 'none') shown = html`<p class="muted">${t('previewNone')}</p>`;
  else if (preview.status === 'incomplete')
    shown = html`<p class="muted" data-test="preview-incomplete">
      ${t('previewIncomplete', { field: preview.field, reason: preview.reason })}
    </p>`;
  else {
    const { entry } = preview;
    shown = html`<table class="data journal" data-test="entry-preview-lines">
      <thead>
        <tr>
          <th>${t('drCr')}</th>
          <th>${t('account')}</th>
          <th class="num">${t('amount')}</th>
        </tr>
      </thead>
      <tbody>
        ${entry.lines.map(
          (l) =>
            html`<tr data-side=${l.side}>
              <td>${l.side === 'debit' ? t('debitShort') : t('creditShort')}</td>
              <td>${l.accountCode} ${l.accountName}</td>
              <td class="num">${formatMoney(l.amount)}</td>
            </tr>`,
        )}
        <tr class="total">
          <th></th>
          <th>${t('total')}</th>
          <th class="num">${formatMoney(entry.total)}</th>
        </tr>
      </tbody>
    </table>`;
  }
  return html`<div class="preview" data-test="entry-preview">
    <h4>${t('entryPreview')}</h4>
    ${shown}
    <p class="muted small" data-test="entry-number-note">${t('entryNumberNote', { id: entryId })}</p>
  </div>`;
}

function formView(form: CaseForm, kase: CaseRecord, viewer: Viewer, busy: boolean, h: CasePanelHandlers) {
  const fields = actionFields(form.type, kase, form.resolution);
  const general = form.problems[''];
  return html`<form
    class="action"
    data-test="action-form"
    data-type=${form.type}
    @submit=${(e: Event) => (e.preventDefault(), h.submit())}
  >
    <h3>${actionLabel(form.type)}</h3>
    ${
      form.type !== 'propose'
        ? nothing
        : html`<label
            >${t('proposalKind')} *
            <select
              name="resolution.action"
              @change=${(e: Event) => h.resolution((e.target as HTMLSelectElement).value as ResolutionAction)}
            >
              ${RESOLUTION_ACTIONS.map((k) => html`<option value=${k} ?selected=${form.resolution === k}>${actionLabel(k)}</option>`)}
            </select></label
          >`
    }
    ${fields.map((f) => field(f, form, viewer, h))}
    ${form.type === 'propose' ? previewView(form, kase) : nothing}
    ${general === undefined ? nothing : html`<span class="problem">${general}</span>`}
    <div class="case-actions">
      <button type="submit" class="primary" data-test="submit-action" ?disabled=${busy}>
        ${t('submit')}
      </button>
      <button type="button" @click=${() => h.cancel()}>${t('cancel')}</button>
    </div>
  </form>`;
}

export function casePanelView(state: CasePanelState, viewer: Viewer, h: CasePanelHandlers): TemplateResult {
  const frame = (body: unknown, id = '') =>
    html`<div class="card" data-test="case-panel">
      <h2>
        ${t('caseTitle')} ${id === '' ? nothing : html`<span class="muted small">${t('caseId')} ${id}</span>`}
      </h2>
      ${body}
    </div>`;
  if (state.status === 'loading') return frame(html`<p class="muted">${t('loading')}</p>`);
  if (state.status === 'unavailable')
    return frame(
      html`<div class="notice" data-test="workflow-unavailable">${t('workflowUnavailable')}</div>`,
    );
  if (state.status === 'none') return frame(html`<p class="muted" data-test="no-case">${t('noCase')}</p>`);
  if (state.status === 'error') return frame(problem(state.error));
  const { kase, form, trail } = state;
  const actions = kase.allowedActions as ActionType[];
  const block = approvalBlock(kase, viewer.username);
  const comments = (trail?.events ?? []).filter((e) => e.type === 'comment');
  return frame(
    html`
      ${factsView(kase, viewer.zone)} ${diagnosisView(kase, actions, h)}
      ${kase.proposal == null ? nothing : proposalView(kase.proposal, viewer.zone)}
      ${
        block === undefined
          ? nothing
          : html`<div class="notice" data-test="maker-checker" data-reason=${block}>
              ${block === 'own-proposal' ? t('ownProposal', { user: viewer.username }) : t('approvedAlready')}
            </div>`
      }
      <h3>${t('comments')} (${kase.comments})</h3>
      ${
        comments.length === 0
          ? html`<p class="muted">${t('noComments')}</p>`
          : html`<ul class="plain" data-test="comments">
              ${comments.map((c) => html`<li><strong>${c.actor.username}</strong> · ${formatInstant(c.at, viewer.zone)}: ${text(c.data, 'text') ?? ''}</li>`)}
            </ul>`
      }
      <h3>${t('actions')}</h3>
      ${
        actions.length === 0
          ? html`<p class="muted" data-test="no-actions">${t('noActions')}</p>`
          : html`<div class="case-actions" data-test="case-actions">
              ${actions.map(
                (a) =>
                  html`<button
                    type="button"
                    data-action=${a}
                    class=${form?.type === a ? 'primary' : ''}
                    ?disabled=${state.busy}
                    @click=${() => h.open(a)}
                  >
                    ${actionLabel(a)}
                  </button>`,
              )}
            </div>`
      }
      ${state.error === undefined ? nothing : actionError(state.error)}
      ${form === undefined ? nothing : formView(form, kase, viewer, state.busy, h)}
      ${trailView(trail, state.trailError, viewer.zone)}
    `,
    kase.caseId,
  );
}

/**
 * Loads the case of `groupKey` into `el` and keeps it live: actions go to the API with the version
 * shown, the case and its trail are read again after each, and a refusal is shown as it came (a 409
 * also reads the case again: someone else moved it).
 */
export async function mountCasePanel(
  api: Api,
  el: HTMLElement,
  groupKey: string,
  viewer: Viewer,
): Promise<void> {
  const caseId = caseIdOf(groupKey);
  let state: CasePanelState = { status: 'loading' };
  const paint = () => render(casePanelView(state, viewer, handlers), el);
  const handlers: CasePanelHandlers = {
    open: (type) => openForm(type),
    accept: (match) => openForm('link', match),
    cancel: () => {
      if (state.status !== 'ready') return;
      state = { ...state, form: undefined };
      paint();
    },
    change: (path, value) => {
      if (state.status !== 'ready' || state.form === undefined) return;
      state.form.values[path] = value;
      // The entry preview follows what is typed (the inputs keep their caret: values are unchanged).
      if (state.form.type === 'propose') paint();
    },
    toggle: (path, value, on) => {
      if (state.status !== 'ready' || state.form === undefined) return;
      const now = state.form.values[path];
      const list = Array.isArray(now) ? now.filter((v) => v !== value) : [];
      state.form.values[path] = on ? [...list, value] : list;
      if (state.form.type === 'propose') paint();
    },
    resolution: (action) => {
      if (state.status !== 'ready' || state.form === undefined) return;
      // The resolution's own fields start empty; the root cause and comment are kept.
      const kept = Object.fromEntries(
        Object.entries(state.form.values).filter(([path]) => !path.startsWith('resolution.')),
      );
      state = { ...state, form: { ...state.form, resolution: action, values: kept, problems: {} } };
      paint();
    },
    submit: () => void submit(),
  };

  /** An action's form, filled with what diagnosis suggests (the predicted cause, a match). */
  function openForm(type: ActionType, match?: { documentRef: string; sku: string }): void {
    if (state.status !== 'ready') return;
    const values: FormValues = prefill(type, state.kase, match);
    state = {
      ...state,
      form: { type, resolution: 'supplement-voucher', values, problems: {} },
      error: undefined,
    };
    paint();
    if (type === 'propose') {
      void nextEntryId(state.kase).then((entryId) => {
        if (state.status !== 'ready' || state.form?.type !== 'propose') return;
        state.form.entryId = entryId;
        paint();
      });
    }
    el.querySelector<HTMLElement>('[data-test="action-form"]')?.scrollIntoView?.({ block: 'nearest' });
  }

  async function load(): Promise<void> {
    try {
      const [kase, trail] = await Promise.all([
        api.case(caseId),
        api.trail(caseId).then(
          (value) => ({ value, error: undefined }),
          (error: unknown) => ({ value: undefined, error }),
        ),
      ]);
      const previous = state.status === 'ready' ? state : undefined;
      state = {
        status: 'ready',
        kase,
        trail: trail.value,
        trailError: trail.error,
        form: previous?.form,
        busy: false,
        error: previous?.error,
      };
    } catch (error) {
      if (error instanceof NotAvailableError) state = { status: 'unavailable' };
      else if (error instanceof ApiError && error.status === 404) state = { status: 'none' };
      else state = { status: 'error', error };
    }
    paint();
  }

  async function submit(): Promise<void> {
    if (state.status !== 'ready' || state.form === undefined) return;
    const { form, kase } = state;
    const fields = actionFields(form.type, kase, form.resolution);
    const body = actionBody(form.type, fields, form.values, kase.version, form.resolution);
    const checked = checkForm(fields, form.values, body);
    if (checked.action === undefined) {
      state = { ...state, form: { ...form, problems: checked.problems } };
      paint();
      return;
    }
    state = { ...state, busy: true, error: undefined, form: { ...form, problems: {} } };
    paint();
    try {
      await api.act(caseId, checked.action);
      if (state.status === 'ready') state = { ...state, form: undefined, error: undefined };
      await load();
    } catch (error) {
      if (state.status === 'ready') {
        // 409: the case is not as the person saw it; show it as it is now, with why.
        const moved = error instanceof ApiError && error.status === 409;
        state = { ...state, busy: false, error, ...(moved ? { form: undefined } : {}) };
        if (moved) await load();
        else paint();
      }
    }
  }

  paint();
  await load();
}
