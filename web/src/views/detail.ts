import { html, nothing, render, type TemplateResult } from 'lit-html';
import { keyParts } from '../../../lib/core/records/group-key.js';
import { ApiError, type DiscrepancyDetail, type RunBrief } from '../api.js';
import type { Context } from '../context.js';
import { daysBetween, formatInstant, formatMoney, formatQuantity } from '../format.js';
import { codeLabel, kindLabel, language, severityLabel, t, typeLabel, type MessageKey } from '../i18n.js';
import { loading, problem, severityBadge } from './common.js';
import { mountCasePanel } from './case-panel.js';

type Column = { key: string; label: MessageKey; kind?: 'money' | 'quantity' | 'type' | 'instant' };

const WMS_COLUMNS: readonly Column[] = [
  { key: 'eventId', label: 'event' },
  { key: 'type', label: 'movementType', kind: 'type' },
  { key: 'quantity', label: 'quantity', kind: 'quantity' },
  { key: 'uom', label: 'uom' },
  { key: 'unitCost', label: 'unitCost', kind: 'money' },
  { key: 'occurredAt', label: 'at', kind: 'instant' },
];

const FINANCE_COLUMNS: readonly Column[] = [
  { key: 'entryId', label: 'entryId' },
  { key: 'type', label: 'movementType', kind: 'type' },
  { key: 'quantity', label: 'quantity', kind: 'quantity' },
  { key: 'uom', label: 'uom' },
  { key: 'amount', label: 'amount', kind: 'money' },
  { key: 'account', label: 'account' },
  { key: 'postedAt', label: 'at', kind: 'instant' },
];

function cell(value: unknown, column: Column, zone: string): TemplateResult {
  const text = value === undefined || value === null ? '' : String(value);
  if (column.kind === 'money') return html`<td class="num">${text === '' ? '—' : formatMoney(text)}</td>`;
  if (column.kind === 'quantity') return html`<td class="num">${formatQuantity(text)}</td>`;
  if (column.kind === 'type') return html`<td>${typeLabel(text)}</td>`;
  if (column.kind === 'instant') return html`<td>${formatInstant(text, zone)}</td>`;
  return html`<td>${text}</td>`;
}

function side(
  title: MessageKey,
  rows: readonly Record<string, unknown>[],
  ids: readonly string[],
  columns: readonly Column[],
  zone: string,
  test: string,
): TemplateResult {
  return html`<div class="card" data-test=${test}>
    <h2>${t(title)} (${ids.length})</h2>
    ${
      rows.length === 0
        ? html`<p class="muted">${t('noRecords')}</p>`
        : html`<div class="scroll">
            <table class="data">
              <thead>
                <tr>
                  ${columns.map((c) => html`<th class=${c.kind === 'money' || c.kind === 'quantity' ? 'num' : ''}>${t(c.label)}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    html`<tr>
                      ${columns.map((c) => cell(r[c.key], c, zone))}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${ids.length > rows.length ? html`<p class="muted">${t('moreRecords', { n: ids.length - rows.length })}</p>` : nothing}
  </div>`;
}

/** The case panel below a detail, signed in as the session's person. */
async function mountCase(ctx: Context, el: HTMLElement, groupKey: string, zone: string): Promise<void> {
  const panel = el.querySelector<HTMLElement>('#case-panel');
  if (panel === null) return;
  const users = await ctx.users();
  if (!ctx.current()) return;
  await mountCasePanel(ctx.api, panel, groupKey, { username: ctx.session.username, users, zone });
}

/** A group the run did not find (resolved, or a case opened by another run): its case is still there. */
async function notInRun(ctx: Context, el: HTMLElement, groupKey: string, zone: string): Promise<void> {
  render(
    html`<div class="card" data-test="detail">
        <h2>${t('detail')}: ${(keyParts(groupKey) ?? [groupKey]).join(' · ')}</h2>
        <div class="notice" data-test="not-in-run">${t('notInRun')}</div>
      </div>
      <div id="case-panel"></div>`,
    el,
  );
  await mountCase(ctx, el, groupKey, zone);
}

type Shown = DiscrepancyDetail['discrepancy'];

function summaryCard(d: Shown): TemplateResult {
  return html`<div class="card" data-test="detail">
    <h2>${t('detail')}: ${d.warehouseId} · ${d.sku} · ${d.documentRef}</h2>
    <p>${severityBadge(d.severity, severityLabel(d.severity))} · ${kindLabel(d.kind)}</p>
    <p data-test="explanation">
      <strong>${t('explanation')}:</strong>
      ${language() === 'zh' && d.explanationZh ? d.explanationZh : d.explanation}
    </p>
    <dl class="facts">
      <dt>${t('moneyAtStake')}</dt>
      <dd data-test="detail-money">${formatMoney(d.moneyAtStake)}</dd>
      <dt>${t('wmsQuantity')}</dt>
      <dd>${formatQuantity(d.wmsQuantity)} ${d.uom}</dd>
      <dt>${t('financeQuantity')}</dt>
      <dd>${formatQuantity(d.financeQuantity)} ${d.uom}</dd>
      <dt>${t('quantityDelta')}</dt>
      <dd>${formatQuantity(d.quantityDelta)}</dd>
      <dt>${t('unitCost')}</dt>
      <dd>${formatMoney(d.unitCost)}</dd>
      <dt>${t('expectedAmount')}</dt>
      <dd>${formatMoney(d.expectedAmount)}</dd>
      <dt>${t('financeAmount')}</dt>
      <dd>${formatMoney(d.financeAmount)}</dd>
      <dt>${t('amountDelta')}</dt>
      <dd>${formatMoney(d.amountDelta)}</dd>
    </dl>
  </div>`;
}

function historyTable(detail: DiscrepancyDetail, groupKey: string): TemplateResult {
  return html`<table class="data">
    <thead>
      <tr>
        <th>${t('run')}</th>
        <th>${t('state')}</th>
        <th>${t('kind')}</th>
        <th>${t('severity')}</th>
        <th class="num">${t('moneyAtStake')}</th>
      </tr>
    </thead>
    <tbody>
      ${detail.history.map(
        (h) =>
          html`<tr>
            <td>
              <a href=${`#/d/${encodeURIComponent(h.runId)}/${encodeURIComponent(groupKey)}`}>${h.runId}</a>
            </td>
            <td>${codeLabel(h.state)}</td>
            <td>${kindLabel(h.kind as never)}</td>
            <td>${severityBadge(h.severity, severityLabel(h.severity as never))}</td>
            <td class="num">${formatMoney(h.moneyAtStake)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function lifecycleCard(
  detail: DiscrepancyDetail,
  groupKey: string,
  zone: string,
  asOf: string,
): TemplateResult {
  const d = detail.discrepancy;
  return html`<div class="card" data-test="lifecycle">
    <h2>${t('lifecycle')}</h2>
    <dl class="facts">
      <dt>${t('state')}</dt>
      <dd>${codeLabel(d.state)}</dd>
      <dt>${t('firstSeen')}</dt>
      <dd>${formatInstant(d.firstSeen, zone)} (${daysBetween(d.firstSeen, asOf)} ${t('days')})</dd>
      <dt>${t('lastSeen')}</dt>
      <dd>${formatInstant(d.lastSeen, zone)}</dd>
      <dt>${t('age')}</dt>
      <dd>${codeLabel(d.ageBucket)}</dd>
    </dl>
    <h3>${t('history')}</h3>
    ${historyTable(detail, groupKey)}
  </div>`;
}

export async function renderDetail(
  ctx: Context,
  el: HTMLElement,
  runId: string,
  groupKey: string,
): Promise<void> {
  render(loading(), el);
  let detail: DiscrepancyDetail;
  let runs: RunBrief[] = [];
  try {
    [detail, runs] = await Promise.all([ctx.api.discrepancy(runId, groupKey), ctx.runs().catch(() => [])]);
  } catch (error) {
    if (!ctx.current()) return;
    if (error instanceof ApiError && error.status === 404) {
      await notInRun(ctx, el, groupKey, runs.find((r) => r.runId === runId)?.summary?.timezone ?? 'UTC');
      return;
    }
    render(problem(error), el);
    return;
  }
  if (!ctx.current()) return;
  const d = detail.discrepancy;
  const run = runs.find((r) => r.runId === runId);
  const zone = run?.summary?.timezone ?? 'UTC';
  const back = {
    view: 'list' as const,
    run: runId,
    filters: { warehouseId: d.warehouseId },
    sort: 'stake-desc' as const,
    cursors: [],
  };
  render(
    html`<p>
        <a href="#" @click=${(e: Event) => (e.preventDefault(), ctx.navigate(back))}>← ${t('back')}</a>
      </p>
      ${summaryCard(d)}
      <div class="sides">
        ${side('wmsSide', detail.records.wms, d.wmsEventIds, WMS_COLUMNS, zone, 'wms-records')}
        ${side('financeSide', detail.records.finance, d.financeEntryIds, FINANCE_COLUMNS, zone, 'finance-records')}
      </div>
      ${lifecycleCard(detail, groupKey, zone, run?.asOf ?? d.lastSeen)}
      <div id="case-panel"></div>`,
    el,
  );
  await mountCase(ctx, el, groupKey, zone);
}
