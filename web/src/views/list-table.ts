import { html, nothing, type TemplateResult } from 'lit-html';
import type { Kind, Severity } from '../../../lib/core/reconcile/discrepancy.js';
import type { RunDiscrepancy } from '../api.js';
import type { CaseSummary } from '../case-types.js';
import { formatCount, formatInstant, formatMoney, formatQuantity } from '../format.js';
import { codeLabel, kindLabel, severityLabel, t, type MessageKey } from '../i18n.js';
import { sumOf, type ExportColumn, type FilteredSet } from '../list-set.js';
import { routeHash, type Route } from '../routes.js';
import { severityBadge } from './common.js';

/**
 * The list's two tables (the run's discrepancies, or the cases when a case filter is set), each
 * described once by its columns: the same columns make the table, its totals row over the
 * filtered set and the CSV of exactly that set.
 */
export interface Column<T> {
  label: MessageKey;
  /** The cell as shown. */
  cell: (row: T, zone: string) => unknown;
  /** The cell in the CSV: exact decimals as they came, labels in the page's language. */
  text: (row: T, zone: string) => string;
  /** A decimal column the totals row sums exactly. */
  sum?: (row: T) => string;
  kind?: 'money' | 'quantity' | 'link';
}

const badge = (severity: string) => severityBadge(severity, severityLabel(severity as Severity));

export function discrepancyColumns(): Column<RunDiscrepancy>[] {
  return [
    { label: 'severity', cell: (d) => badge(d.severity), text: (d) => severityLabel(d.severity) },
    { label: 'kind', cell: (d) => kindLabel(d.kind), text: (d) => kindLabel(d.kind) },
    { label: 'warehouse', cell: (d) => d.warehouseId, text: (d) => d.warehouseId },
    { label: 'sku', cell: (d) => d.sku, text: (d) => d.sku },
    { label: 'document', cell: (d) => d.documentRef, text: (d) => d.documentRef, kind: 'link' },
    {
      label: 'quantityDelta',
      cell: (d) => formatQuantity(d.quantityDelta),
      text: (d) => d.quantityDelta ?? '',
      sum: (d) => d.quantityDelta ?? '',
      kind: 'quantity',
    },
    {
      label: 'amountDelta',
      cell: (d) => formatMoney(d.amountDelta),
      text: (d) => d.amountDelta ?? '',
      sum: (d) => d.amountDelta ?? '',
      kind: 'money',
    },
    {
      label: 'moneyAtStake',
      cell: (d) => formatMoney(d.moneyAtStake),
      text: (d) => d.moneyAtStake,
      sum: (d) => d.moneyAtStake,
      kind: 'money',
    },
    { label: 'state', cell: (d) => codeLabel(d.state), text: (d) => codeLabel(d.state) },
    { label: 'age', cell: (d) => codeLabel(d.ageBucket), text: (d) => codeLabel(d.ageBucket) },
    {
      label: 'firstSeen',
      cell: (d, zone) => formatInstant(d.firstSeen, zone),
      text: (d, zone) => formatInstant(d.firstSeen, zone),
    },
  ];
}

export function caseColumns(): Column<CaseSummary>[] {
  return [
    { label: 'caseState', cell: (c) => codeLabel(c.state), text: (c) => codeLabel(c.state) },
    { label: 'severity', cell: (c) => badge(c.severity), text: (c) => severityLabel(c.severity as Severity) },
    { label: 'kind', cell: (c) => kindLabel(c.kind as Kind), text: (c) => kindLabel(c.kind as Kind) },
    { label: 'warehouse', cell: (c) => c.warehouseId, text: (c) => c.warehouseId },
    { label: 'sku', cell: (c) => c.sku, text: (c) => c.sku },
    { label: 'document', cell: (c) => c.documentRef, text: (c) => c.documentRef, kind: 'link' },
    {
      label: 'moneyAtStake',
      cell: (c) => formatMoney(c.moneyAtStake),
      text: (c) => c.moneyAtStake,
      sum: (c) => c.moneyAtStake,
      kind: 'money',
    },
    { label: 'owner', cell: (c) => c.owner, text: (c) => c.owner },
    { label: 'casePeriod', cell: (c) => c.period, text: (c) => c.period },
    { label: 'age', cell: (c) => codeLabel(c.ageBucket), text: (c) => codeLabel(c.ageBucket) },
    {
      label: 'firstSeen',
      cell: (c, zone) => formatInstant(c.firstSeen, zone),
      text: (c, zone) => formatInstant(c.firstSeen, zone),
    },
  ];
}

/** The CSV columns of a table: its headers in the page's language, its cells as `text` gives them. */
export function exportColumns<T>(columns: readonly Column<T>[], zone: string): ExportColumn<T>[] {
  return columns.map((c) => ({ header: t(c.label), value: (row: T) => c.text(row, zone) }));
}

const numeric = (c: Column<unknown>): boolean => c.kind === 'money' || c.kind === 'quantity';

/** The totals row of the filtered set: its row count, and each decimal column summed exactly. */
export function totalsRow<T>(columns: readonly Column<T>[], set: FilteredSet<T> | undefined): TemplateResult {
  if (set === undefined)
    return html`<tr class="total" data-test="totals" data-ready="false">
      <th colspan=${columns.length} class="muted">${t('totalsLoading')}</th>
    </tr>`;
  const firstSum = columns.findIndex((c) => c.sum !== undefined);
  const span = firstSum < 0 ? columns.length : firstSum;
  return html`<tr class="total" data-test="totals" data-ready="true" data-count=${set.rows.length}>
    <th colspan=${span}>
      ${t('totalsRow', { n: formatCount(set.rows.length) })}
      ${set.complete ? nothing : html`<span class="badge bad">${t('totalsPartial', { n: formatCount(set.rows.length) })}</span>`}
    </th>
    ${columns.slice(span).map((c) => {
      if (c.sum === undefined) return html`<th></th>`;
      const total = sumOf(set.rows, c.sum);
      return html`<th class="num" data-sum=${c.label}>
        ${c.kind === 'money' ? formatMoney(total) : formatQuantity(total)}
      </th>`;
    })}
  </tr>`;
}

/** A table of rows, each opening its discrepancy, with the filtered set's totals beneath. */
export function rowsTable<T extends { groupKey: string; caseId?: string }>(
  test: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  set: FilteredSet<T> | undefined,
  zone: string,
  runId: string,
  navigate: (route: Route) => void,
): TemplateResult {
  return html`<table class="data" data-test=${test}>
    <thead>
      <tr>
        ${columns.map((c) => html`<th class=${numeric(c as Column<unknown>) ? 'num' : ''}>${t(c.label)}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map((row) => {
        const target = { view: 'detail' as const, run: runId, groupKey: row.groupKey };
        return html`<tr
          class="link"
          data-group=${row.groupKey}
          data-case=${row.caseId ?? nothing}
          @click=${() => navigate(target)}
        >
          ${columns.map((c) => {
            const shown = c.cell(row, zone);
            if (c.kind === 'link')
              return html`<td>
                <a href=${routeHash(target)} @click=${(e: Event) => e.stopPropagation()}>${shown}</a>
              </td>`;
            return numeric(c as Column<unknown>)
              ? html`<td class="num" data-test=${c.label === 'moneyAtStake' ? 'money' : nothing}>
                  ${shown}
                </td>`
              : html`<td>${shown}</td>`;
          })}
        </tr>`;
      })}
    </tbody>
    <tfoot>
      ${totalsRow(columns, set)}
    </tfoot>
  </table>`;
}
