import { html, nothing, type TemplateResult } from 'lit-html';
import { ApiError, NotAvailableError, type RunBrief } from '../api.js';
import { formatInstant } from '../format.js';
import { codeLabel, t } from '../i18n.js';
import { isScoped, scopeText } from '../run-choice.js';

export function loading(): TemplateResult {
  return html`<p class="muted">${t('loading')}</p>`;
}

export function problem(error: unknown): TemplateResult {
  if (error instanceof NotAvailableError) return html`<div class="notice">${t('workflowUnavailable')}</div>`;
  if (error instanceof ApiError && error.status === 401)
    return html`<div class="error">${t('unauthorized')}</div>`;
  if (error instanceof ApiError && error.status === 403)
    return html`<div class="error">${t('forbidden')} ${error.message}</div>`;
  const text = error instanceof Error ? error.message : String(error);
  return html`<div class="error">${t('errorPrefix')}: ${text}</div>`;
}

/** A run as a person picks it: when, which kind (a scoped run says what it covered), status, id. */
export function runLabel(run: RunBrief): string {
  const zone = run.summary?.timezone ?? 'UTC';
  const mode = run.mode === 'close' ? t('modeClose') : t('modeContinuous');
  const scoped = isScoped(run) ? ` · ${t('scopedRun')} ${scopeText(run)}` : '';
  const period = run.period === undefined ? '' : ` · ${run.period}`;
  return `${formatInstant(run.asOf, zone)} · ${mode}${period}${scoped} · ${codeLabel(run.status)} · ${run.runId}`;
}

export function runPicker(
  runs: readonly RunBrief[],
  selected: string,
  choose: (runId: string) => void,
): TemplateResult {
  return html`<label class="run-picker"
    >${t('run')}
    <select data-test="run-picker" @change=${(e: Event) => choose((e.target as HTMLSelectElement).value)}>
      ${runs.map((r) => html`<option value=${r.runId} ?selected=${r.runId === selected}>${runLabel(r)}</option>`)}
    </select></label
  >`;
}

export function severityBadge(severity: string, label: string): TemplateResult {
  return html`<span class="sev ${severity}">${label}</span>`;
}

export const maybe = <T>(value: T | undefined | null, show: (v: T) => unknown): unknown =>
  value === undefined || value === null ? nothing : show(value);

/** Hands text to the browser as a file download (a CSV made or fetched by the page). */
export function saveText(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** No run to show: none at all, or none of the chosen period (the selector offers another). */
export function noRunsCard(period: string | undefined): TemplateResult {
  return html`<div class="card" data-test="no-runs">
    <p>${period === undefined ? t('noRuns') : t('noRunsInPeriod', { period })}</p>
  </div>`;
}
