import { html, nothing, render, type TemplateResult } from 'lit-html';
import { formatMoney as sumText, parseDecimal } from '../../../lib/core/decimal.js';
import { ApiError, NotAvailableError, type Api } from '../api.js';
import {
  ACTION_FIELDS,
  actionBody,
  allowedActions,
  journalLines,
  REMEDY_FIELDS,
  validate,
  type FormField,
  type FormValues,
} from '../case-rules.js';
import {
  REMEDY_KINDS,
  type ActionType,
  type CaseRecord,
  type LocalUser,
  type RemedyKind,
  type Trail,
} from '../case-types.js';
import { formatInstant, formatMoney } from '../format.js';
import { codeLabel, t, type MessageKey } from '../i18n.js';
import { problem } from './common.js';

/**
 * The case of one discrepancy (issue 8's workflow, issue 9's panel): its state, owner, comments,
 * root cause, the proposal with its journal entry, approvals, the actions the signed-in roles may
 * take (each with its form) and the audit trail with its verification mark. The panel is a pure view
 * of `CasePanelState`; `mountCasePanel` loads and acts through the API. Where the workflow does not
 * answer (before it is deployed) the panel says so instead of failing.
 */
export type CasePanelState =
  | { status: 'loading' }
  | { status: 'unavailable' }
  | { status: 'none' }
  | { status: 'error'; error: unknown }
  | {
      status: 'ready';
      kase: CaseRecord;
      trail: Trail | undefined;
      form:
        | { type: ActionType; remedy: RemedyKind; values: FormValues; problems: Record<string, MessageKey> }
        | undefined;
      busy: boolean;
      error: unknown;
    };

export interface CasePanelHandlers {
  open(type: ActionType): void;
  cancel(): void;
  change(name: string, value: string): void;
  remedy(kind: RemedyKind): void;
  submit(): void;
}

/** Debit and credit totals of the proposed entry, summed exactly. */
export function journalTotals(kase: CaseRecord): { debit: string; credit: string } {
  let debit = 0n;
  let credit = 0n;
  const value = (text: string | null | undefined): bigint => {
    if (text === null || text === undefined || text === '') return 0n;
    const parsed = parseDecimal(text);
    return parsed.ok ? parsed.value : 0n;
  };
  for (const line of journalLines(kase)) {
    debit += value(line.debit);
    credit += value(line.credit);
  }
  return { debit: sumText(debit), credit: sumText(credit) };
}

function field(
  f: FormField,
  values: FormValues,
  problems: Record<string, MessageKey>,
  users: readonly LocalUser[],
  h: CasePanelHandlers,
): TemplateResult {
  const value = values[f.name] ?? '';
  const onInput = (e: Event) => h.change(f.name, (e.target as HTMLInputElement).value);
  let input: TemplateResult;
  if (f.type === 'textarea')
    input = html`<textarea name=${f.name} rows="2" .value=${value} @input=${onInput}></textarea>`;
  else if (f.type === 'user' && users.length > 0)
    input = html`<select name=${f.name} @change=${onInput}>
      <option value="" ?selected=${value === ''}>—</option>
      ${users.map((u) => html`<option value=${u.username} ?selected=${value === u.username}>${u.username} (${u.roles.map(codeLabel).join(', ')})</option>`)}
    </select>`;
  else
    input = html`<input
      name=${f.name}
      type=${f.type === 'date' ? 'date' : 'text'}
      inputmode=${f.type === 'decimal' ? 'decimal' : 'text'}
      .value=${value}
      @input=${onInput}
    />`;
  const issue = problems[f.name];
  return html`<label
    >${t(f.label)}${f.required ? ' *' : ''} ${input}
    ${issue === undefined ? nothing : html`<span class="problem">${t(issue)}</span>`}</label
  >`;
}

function trailView(trail: Trail | undefined): TemplateResult {
  if (trail === undefined) return html``;
  return html`<h3>${t('trail')}</h3>
    <p data-test="trail-verified">
      ${
        trail.verified
          ? html`<span class="badge ok">✔ ${t('trailVerified')}</span>`
          : html`<span class="badge bad">✘ ${t('trailBroken', { n: trail.brokenAt ?? '?' })}</span>`
      }
    </p>
    <ol class="trail" data-test="trail">
      ${trail.events.map(
        (e) =>
          html`<li>
            <span>#${e.seq}</span>
            <span>${formatInstant(e.at)}</span>
            <span><strong>${codeLabel(e.type)}</strong> · ${e.actor}</span>
            <code title=${`prev ${e.prevHash}`}>${e.hash.slice(0, 16)}…</code>
          </li>`,
      )}
    </ol>`;
}

export function casePanelView(
  state: CasePanelState,
  roles: readonly string[],
  users: readonly LocalUser[],
  h: CasePanelHandlers,
): TemplateResult {
  const frame = (body: unknown) =>
    html`<div class="card" data-test="case-panel">
      <h2>${t('caseTitle')}</h2>
      ${body}
    </div>`;
  if (state.status === 'loading') return frame(html`<p class="muted">${t('loading')}</p>`);
  if (state.status === 'unavailable')
    return frame(
      html`<div class="notice" data-test="workflow-unavailable">${t('workflowUnavailable')}</div>`,
    );
  if (state.status === 'none') return frame(html`<p class="muted">${t('noCase')}</p>`);
  if (state.status === 'error') return frame(problem(state.error));
  const { kase, form } = state;
  const actions = allowedActions(kase, roles);
  const lines = journalLines(kase);
  const totals = journalTotals(kase);
  const formFields =
    form === undefined
      ? []
      : form.type === 'propose'
        ? REMEDY_FIELDS[form.remedy]
        : (ACTION_FIELDS[form.type] ?? []);
  return frame(html`
    <dl class="facts">
      <dt>${t('caseState')}</dt>
      <dd data-test="case-state">
        ${codeLabel(kase.state)}
        ${kase.frozen === true ? html`<span class="badge bad">${t('frozen')}</span>` : nothing}
      </dd>
      <dt>${t('caseOwner')}</dt>
      <dd data-test="case-owner">${kase.owner ?? t('unassigned')}</dd>
      ${
        kase.rootCause == null
          ? nothing
          : html`<dt>${t('rootCause')}</dt>
              <dd>${kase.rootCause}</dd>`
      }
    </dl>
    ${
      kase.proposal == null
        ? nothing
        : html`<h3>${t('proposal')}: ${codeLabel(String(kase.proposal.action.kind))}</h3>
            ${kase.proposal.proposedBy === undefined ? nothing : html`<p class="muted">${kase.proposal.proposedBy} · ${formatInstant(kase.proposal.at)}</p>`}
            ${
              lines.length === 0
                ? nothing
                : html`<h3>${t('journalEntry')}</h3>
                    <table class="data" data-test="journal">
                      <thead>
                        <tr>
                          <th>${t('account')}</th>
                          <th class="num">${t('debit')}</th>
                          <th class="num">${t('credit')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${lines.map(
                          (l) =>
                            html`<tr>
                              <td>${l.account}</td>
                              <td class="num">
                                ${l.debit == null || l.debit === '' ? '' : formatMoney(l.debit)}
                              </td>
                              <td class="num">
                                ${l.credit == null || l.credit === '' ? '' : formatMoney(l.credit)}
                              </td>
                            </tr>`,
                        )}
                        <tr>
                          <th>${t('total')}</th>
                          <th class="num">${formatMoney(totals.debit)}</th>
                          <th class="num">${formatMoney(totals.credit)}</th>
                        </tr>
                      </tbody>
                    </table>`
            }`
    }
    ${
      (kase.approvals ?? []).length === 0
        ? nothing
        : html`<h3>${t('approvals')}</h3>
            <ul data-test="approvals">
              ${(kase.approvals ?? []).map((a) => html`<li>${codeLabel(a.decision ?? 'approve')} · ${a.actor} · ${formatInstant(a.at)} ${a.reason ?? ''}</li>`)}
            </ul>`
    }
    <h3>${t('comments')}</h3>
    ${
      (kase.comments ?? []).length === 0
        ? html`<p class="muted">${t('noComments')}</p>`
        : html`<ul data-test="comments">
            ${(kase.comments ?? []).map((c) => html`<li><strong>${c.author ?? c.actor ?? ''}</strong> · ${formatInstant(c.at)}: ${c.text}</li>`)}
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
                  ${codeLabel(a)}
                </button>`,
            )}
          </div>`
    }
    ${
      form === undefined
        ? nothing
        : html`<form
            class="action"
            data-test="action-form"
            @submit=${(e: Event) => (e.preventDefault(), h.submit())}
          >
            ${
              form.type !== 'propose'
                ? nothing
                : html`<label
                    >${t('proposalKind')}
                    <select
                      name="remedy"
                      @change=${(e: Event) => h.remedy((e.target as HTMLSelectElement).value as RemedyKind)}
                    >
                      ${REMEDY_KINDS.map((k) => html`<option value=${k} ?selected=${form.remedy === k}>${codeLabel(k)}</option>`)}
                    </select></label
                  >`
            }
            ${formFields.map((f) => field(f, form.values, form.problems, users, h))}
            <div class="case-actions">
              <button type="submit" class="primary" ?disabled=${state.busy}>${t('submit')}</button>
              <button type="button" @click=${() => h.cancel()}>${t('cancel')}</button>
            </div>
          </form>`
    }
    ${state.error === undefined ? nothing : problem(state.error)} ${trailView(state.trail)}
  `);
}

/** Loads the case into `el` and keeps it live: actions go to the API, the answer is shown. */
export async function mountCasePanel(
  api: Api,
  el: HTMLElement,
  caseId: string,
  roles: readonly string[],
  users: readonly LocalUser[],
): Promise<void> {
  let state: CasePanelState = { status: 'loading' };
  const handlers: CasePanelHandlers = {
    open: (type) => {
      if (state.status !== 'ready') return;
      state = {
        ...state,
        form: { type, remedy: 'supplement-voucher', values: {}, problems: {} },
        error: undefined,
      };
      paint();
    },
    cancel: () => {
      if (state.status !== 'ready') return;
      state = { ...state, form: undefined };
      paint();
    },
    change: (name, value) => {
      if (state.status !== 'ready' || state.form === undefined) return;
      state.form.values[name] = value;
    },
    remedy: (kind) => {
      if (state.status !== 'ready' || state.form === undefined) return;
      state = { ...state, form: { ...state.form, remedy: kind, problems: {} } };
      paint();
    },
    submit: () => void submit(),
  };
  const paint = () => render(casePanelView(state, roles, users, handlers), el);

  async function load(): Promise<void> {
    try {
      const kase = await api.case(caseId);
      const trail = await api.trail(caseId).catch(() => undefined);
      state = { status: 'ready', kase, trail, form: undefined, busy: false, error: undefined };
    } catch (error) {
      if (error instanceof NotAvailableError) state = { status: 'unavailable' };
      else if (error instanceof ApiError && error.status === 404) state = { status: 'none' };
      else state = { status: 'error', error };
    }
    paint();
  }

  async function submit(): Promise<void> {
    if (state.status !== 'ready' || state.form === undefined) return;
    const { form } = state;
    const fields = form.type === 'propose' ? REMEDY_FIELDS[form.remedy] : (ACTION_FIELDS[form.type] ?? []);
    const problems = validate(fields, form.values);
    if (Object.keys(problems).length > 0) {
      state = { ...state, form: { ...form, problems } };
      paint();
      return;
    }
    state = { ...state, busy: true, error: undefined };
    paint();
    try {
      await api.act(caseId, actionBody(form.type, form.values, form.remedy));
      await load();
    } catch (error) {
      if (state.status === 'ready') state = { ...state, busy: false, error };
      paint();
    }
  }

  paint();
  await load();
}
