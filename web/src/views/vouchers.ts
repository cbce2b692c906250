import { html, render, type TemplateResult } from 'lit-html';
import type { VoucherAnswer, VoucherQuery } from '../api.js';
import { now } from '../clock.js';
import { pickRun, type Context } from '../context.js';
import { formatMoney, formatQuantity } from '../format.js';
import { codeLabel, t, typeLabel } from '../i18n.js';
import { routeHash, type VouchersRoute } from '../routes.js';
import { VOUCHER_STATUSES } from '../../../lib/core/vouchers/voucher-names.js';
import { ZoneClock } from '../../../lib/core/shared/zone-clock.js';
import { loading, problem, saveText } from './common.js';
import { closingPeriod } from './overview.js';

/**
 * The voucher of every movement (CONTRACT §9) for a period: status, warehouse, document, type,
 * its debit and credit lines with exact amounts, the cases of a voucher that differs, the movements
 * that could not be priced, and the ERP import CSV of exactly what is shown.
 */

/** The period shown first: the one asked for, else the last month ended as of the latest run. */
export function defaultPeriod(runAsOf: string | undefined, zone: string): string {
  if (runAsOf !== undefined) return closingPeriod(runAsOf, zone);
  return new ZoneClock(zone).periodOf(now().getTime());
}

export function voucherQuery(route: VouchersRoute, period: string): VoucherQuery {
  return {
    period,
    ...(route.status === undefined ? {} : { status: route.status }),
    ...(route.warehouseId === undefined ? {} : { warehouseId: route.warehouseId }),
  };
}

/** `the base64url of a group key` -> the key (what case-id.ts makes, undone). */
function groupKeyOfCase(caseId: string): string {
  const binary = atob(caseId.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function voucherTable(answer: VoucherAnswer, runId: string | undefined): TemplateResult {
  if (answer.vouchers.length === 0) return html`<p class="muted" data-test="no-items">${t('noItems')}</p>`;
  return html`<table class="data vouchers" data-test="voucher-table">
    <thead>
      <tr>
        <th>${t('voucherNo')}</th>
        <th>${t('voucherDate')}</th>
        <th>${t('voucherStatus')}</th>
        <th>${t('warehouse')}</th>
        <th>${t('document')}</th>
        <th>${t('movementType')}</th>
        <th>${t('sku')}</th>
        <th class="num">${t('quantity')}</th>
        <th>${t('account')}</th>
        <th class="num">${t('debit')}</th>
        <th class="num">${t('credit')}</th>
      </tr>
    </thead>
    <tbody>
      ${answer.vouchers.map((v) =>
        v.lines.map(
          (line, i) =>
            html`<tr data-voucher=${v.voucherId} data-status=${v.status}>
              ${
                i === 0
                  ? html`<td rowspan=${v.lines.length}>${v.voucherId}</td>
                      <td rowspan=${v.lines.length}>${v.date}</td>
                      <td rowspan=${v.lines.length}>
                        <span class="voucher-status ${v.status}">${codeLabel(v.status)}</span>
                        ${v.caseIds.map((caseId) => {
                          const groupKey = groupKeyOfCase(caseId);
                          return runId === undefined
                            ? html`<div class="muted">${groupKey}</div>`
                            : html`<div>
                                <a
                                  data-test="voucher-case"
                                  href=${routeHash({ view: 'detail', run: runId, groupKey })}
                                  >${groupKey}</a
                                >
                              </div>`;
                        })}
                      </td>
                      <td rowspan=${v.lines.length}>${v.warehouseId}</td>
                      <td rowspan=${v.lines.length}>${v.documentRef}</td>
                      <td rowspan=${v.lines.length}>${typeLabel(v.type)}</td>`
                  : ''
              }
              <td>${line.sku}</td>
              <td class="num">${formatQuantity(line.quantity)}</td>
              <td>${line.account} ${line.accountName}</td>
              <td class="num">${i % 2 === 0 ? formatMoney(line.debit) : ''}</td>
              <td class="num">${i % 2 === 0 ? '' : formatMoney(line.credit)}</td>
            </tr>`,
        ),
      )}
    </tbody>
  </table>`;
}

function unpricedTable(answer: VoucherAnswer): TemplateResult | string {
  if (answer.unpriced.length === 0) return '';
  return html`<div class="card" data-test="unpriced">
    <h2>${t('unpriced')} (${answer.unpriced.length})</h2>
    <p class="muted">${t('unpricedNote')}</p>
    <table class="data">
      <thead>
        <tr>
          <th>${t('eventId')}</th>
          <th>${t('warehouse')}</th>
          <th>${t('document')}</th>
          <th>${t('sku')}</th>
          <th>${t('reason')}</th>
        </tr>
      </thead>
      <tbody>
        ${answer.unpriced.map(
          (u) =>
            html`<tr>
              <td>${u.eventId}</td>
              <td>${u.warehouseId}</td>
              <td>${u.documentRef}</td>
              <td>${u.sku}</td>
              <td>${u.reason}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Fetches the CSV with the token (a plain link would go without it) and hands it to the browser. */
async function downloadCsv(ctx: Context, query: VoucherQuery, el: HTMLElement): Promise<void> {
  try {
    saveText(await ctx.api.vouchersCsv(query), `vouchers-${query.period ?? 'all'}.csv`);
  } catch (error) {
    const slot = el.querySelector<HTMLElement>('#csv-problem');
    if (slot !== null) render(problem(error), slot);
  }
}

/** The period, status and warehouse the vouchers are shown for, and the ERP CSV of them. */
function voucherFilters(
  ctx: Context,
  query: VoucherQuery,
  period: string,
  route: VouchersRoute,
  warehouses: readonly string[],
  go: (change: Partial<VouchersRoute>) => void,
  el: HTMLElement,
): TemplateResult {
  return html`<form class="filters" data-test="voucher-filters" @submit=${(e: Event) => e.preventDefault()}>
    <label
      >${t('period')}
      <input
        type="month"
        data-test="voucher-period"
        .value=${period}
        @change=${(e: Event) => {
          const value = (e.target as HTMLInputElement).value;
          if (/^\d{4}-\d{2}$/.test(value)) go({ period: value });
        }}
    /></label>
    <label
      >${t('voucherStatus')}
      <select
        data-test="voucher-status"
        @change=${(e: Event) => go({ status: (e.target as HTMLSelectElement).value })}
      >
        <option value="" ?selected=${route.status === undefined}>${t('all')}</option>
        ${VOUCHER_STATUSES.map(
          (s) => html`<option value=${s} ?selected=${route.status === s}>${codeLabel(s)}</option>`,
        )}
      </select></label
    >
    <label
      >${t('warehouse')}
      <select
        data-test="voucher-warehouse"
        @change=${(e: Event) => go({ warehouseId: (e.target as HTMLSelectElement).value })}
      >
        <option value="" ?selected=${route.warehouseId === undefined}>${t('all')}</option>
        ${warehouses.map((w) => html`<option value=${w} ?selected=${route.warehouseId === w}>${w}</option>`)}
      </select></label
    >
    <button type="button" data-test="voucher-csv" @click=${() => void downloadCsv(ctx, query, el)}>
      ${t('exportCsv')}
    </button>
  </form>`;
}

export async function renderVouchers(ctx: Context, el: HTMLElement, route: VouchersRoute): Promise<void> {
  render(loading(), el);
  const runs = await ctx.runs().catch(() => []);
  const run = pickRun(runs, undefined);
  const zone = run?.summary?.timezone ?? 'UTC';
  // The route's period, else the one the whole dashboard answers for, else the last closed month.
  const period = route.period ?? ctx.period ?? defaultPeriod(run?.asOf, zone);
  const query = voucherQuery(route, period);
  const warehouses =
    run === undefined
      ? []
      : await ctx.api.heatMap(run.runId).then(
          (h) => h.warehouses,
          () => [] as string[],
        );
  let body: TemplateResult;
  let answer: VoucherAnswer | undefined;
  try {
    answer = await ctx.api.vouchers(query);
    body = voucherTable(answer, run?.runId);
  } catch (error) {
    body = problem(error);
  }
  if (!ctx.current()) return;
  const go = (change: Partial<VouchersRoute>): void => {
    const next: VouchersRoute = { ...route, period, ...change };
    for (const name of ['status', 'warehouseId'] as const) if (next[name] === '') delete next[name];
    ctx.navigate(next);
  };
  const shownWarehouses = [
    ...new Set([
      ...warehouses,
      ...(answer?.vouchers.map((v) => v.warehouseId) ?? []),
      ...(route.warehouseId === undefined ? [] : [route.warehouseId]),
    ]),
  ].sort();
  render(
    html`<div class="card">
        <h2>${t('vouchersTitle')}</h2>
        <p class="muted">${t('vouchersNote')}</p>
        ${voucherFilters(ctx, query, period, route, shownWarehouses, go, el)}
        <div id="csv-problem"></div>
        ${
          answer === undefined
            ? ''
            : html`<p data-test="voucher-count">
                ${t('voucherCount', { n: answer.vouchers.length })}
                ${VOUCHER_STATUSES.map(
                  (s) =>
                    html` ·
                      <span class="voucher-status ${s}">${codeLabel(s)}</span>
                      ${answer?.vouchers.filter((v) => v.status === s).length ?? 0}`,
                )}
              </p>`
        }
        ${body}
      </div>
      ${answer === undefined ? '' : unpricedTable(answer)}`,
    el,
  );
}
