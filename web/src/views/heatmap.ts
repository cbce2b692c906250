import { html, render, type TemplateResult } from 'lit-html';
import type { RunBrief, RunHeatMap } from '../api.js';
import { draw, STAKE_COLOURS, type ChartOption } from '../charts.js';
import { periodRun, type Context } from '../context.js';
import { formatCount, formatMoney, magnitude } from '../format.js';
import { sumOf } from '../list-set.js';
import { runsOf } from '../run-choice.js';
import { codeLabel, kindLabel, severityLabel, t } from '../i18n.js';
import { cellRoute, type ListRoute } from '../routes.js';
import type { Kind } from '../../../lib/core/reconcile/discrepancy.js';
import type { HeatCell } from '../../../lib/core/runs/run-heat-map.js';
import { loading, noRunsCard, problem, runPicker } from './common.js';

/** One heat map's cells as ECharts reads them: [x, y, shade, count, exact money]. */
export interface HeatSeries<C extends HeatCell = HeatCell> {
  columns: string[];
  rows: string[];
  data: [number, number, number, number, string][];
  /** The cell behind each data point, in the same order. */
  cells: C[];
  max: number;
}

/** Rows are warehouses (most money first), columns the axis; only non-empty cells are drawn. */
export function heatSeries<C extends HeatCell>(
  heat: RunHeatMap,
  cells: readonly C[],
  columns: readonly string[],
  column: (c: C) => string,
): HeatSeries<C> {
  const rowOf = new Map(heat.warehouses.map((w, i) => [w, i]));
  const colOf = new Map(columns.map((c, i) => [c, i]));
  const data: HeatSeries['data'] = [];
  const kept: C[] = [];
  let max = 0;
  for (const cell of cells) {
    const x = colOf.get(column(cell));
    const y = rowOf.get(cell.warehouseId);
    if (x === undefined || y === undefined) continue;
    const shade = magnitude(cell.moneyAtStake);
    max = Math.max(max, shade);
    data.push([x, y, shade, cell.count, cell.moneyAtStake]);
    kept.push(cell);
  }
  return { columns: [...columns], rows: [...heat.warehouses], data, cells: kept, max };
}

/**
 * The colour scale's thresholds: four powers of ten below the largest cell's, so the five shades
 * read "below 1,000", "1,000 – 10,000", ... "1,000,000 and above" in money (never below 1).
 */
export function heatThresholds(max: number): number[] {
  const top = Math.max(4, Math.ceil(max));
  return [top - 4, top - 3, top - 2, top - 1];
}

export interface LegendPiece {
  /** The shade's range on the magnitude scale (log10 of the money). */
  min: number;
  max: number;
  colour: string;
  label: string;
}

const tenTo = (power: number): string => formatCount(10 ** power);

/** The legend of the scale, least money first: each shade with the money it stands for. */
export function heatLegend(max: number): LegendPiece[] {
  const [a = 0, b = 1, c = 2, d = 3] = heatThresholds(max);
  const bounds: [number, number][] = [
    [-Infinity, a],
    [a, b],
    [b, c],
    [c, d],
    [d, Infinity],
  ];
  return bounds.map(([min, max], i) => ({
    min,
    max,
    colour: STAKE_COLOURS[i] ?? '#c8102e',
    label:
      min === -Infinity
        ? t('heatBelow', { v: tenTo(max) })
        : max === Infinity
          ? t('heatAtLeast', { v: tenTo(min) })
          : `${tenTo(min)} – ${tenTo(max)}`,
  }));
}

/** A row's or a column's total: the cells' count and their money summed exactly. */
export interface HeatTotal {
  count: number;
  moneyAtStake: string;
}

function totalOf(cells: readonly HeatCell[]): HeatTotal {
  return { count: cells.reduce((n, c) => n + c.count, 0), moneyAtStake: sumOf(cells, (c) => c.moneyAtStake) };
}

/** Totals per row (warehouse), per column, and of everything. */
export function heatTotals(series: HeatSeries): { rows: HeatTotal[]; columns: HeatTotal[]; all: HeatTotal } {
  const rows = series.rows.map((_, y) => totalOf(series.cells.filter((_, i) => series.data[i]?.[1] === y)));
  const columns = series.columns.map((_, x) =>
    totalOf(series.cells.filter((_, i) => series.data[i]?.[0] === x)),
  );
  return { rows, columns, all: totalOf(series.cells) };
}

/** What a point of the chart is: a cell, a row's or column's total, or the grand total. */
type Point =
  | { kind: 'cell'; cell: HeatCell }
  | { kind: 'row'; row: number; total: HeatTotal }
  | { kind: 'column'; column: number; total: HeatTotal }
  | { kind: 'all'; total: HeatTotal };

/** What hovering a point says: a cell's count and money by severity, or a total's. */
function tooltipOf(
  series: HeatSeries,
  columnLabel: (c: string) => string,
  pointAt: (x: number, y: number) => Point | undefined,
): (p: unknown) => string {
  return (p: unknown) => {
    const [x, y] = (p as { data: [number, number] }).data;
    const point = pointAt(x, y);
    if (point === undefined) return '';
    if (point.kind !== 'cell') {
      const name =
        point.kind === 'row'
          ? escape(series.rows[point.row] ?? '')
          : point.kind === 'column'
            ? escape(columnLabel(series.columns[point.column] ?? ''))
            : '';
      return [
        `<b>${name === '' ? '' : `${name} · `}${t('heatTotal')}</b>`,
        `${t('discrepancies')}: ${formatCount(point.total.count)}`,
        `${t('moneyAtStake')}: ${formatMoney(point.total.moneyAtStake)}`,
      ].join('<br/>');
    }
    const { cell } = point;
    const lines = (['RED', 'YELLOW', 'GREEN'] as const)
      .filter((s) => cell.bySeverity[s].count > 0)
      .map(
        (s) =>
          `${severityLabel(s)}: ${formatCount(cell.bySeverity[s].count)} · ${formatMoney(cell.bySeverity[s].moneyAtStake)}`,
      );
    return [
      `<b>${escape(series.rows[y] ?? '')}</b> · ${escape(columnLabel(series.columns[x] ?? ''))}`,
      `${t('discrepancies')}: ${formatCount(cell.count)}`,
      `${t('moneyAtStake')}: ${formatMoney(cell.moneyAtStake)}`,
      ...lines,
    ].join('<br/>');
  };
}

function option(
  series: HeatSeries,
  columnLabel: (c: string) => string,
  pointAt: (x: number, y: number) => Point | undefined,
): ChartOption {
  const totals = heatTotals(series);
  const X = series.columns.length;
  const Y = series.rows.length;
  const totalCells: [number, number, number, number, string][] = [
    ...totals.rows.map((r, y): [number, number, number, number, string] => [
      X,
      y,
      0,
      r.count,
      r.moneyAtStake,
    ]),
    ...totals.columns.map((c, x): [number, number, number, number, string] => [
      x,
      Y,
      0,
      c.count,
      c.moneyAtStake,
    ]),
    [X, Y, 0, totals.all.count, totals.all.moneyAtStake],
  ];
  const label = {
    show: true,
    formatter: (p: unknown) => formatCount((p as { data: number[] }).data[3] ?? 0),
  };
  return {
    tooltip: { formatter: tooltipOf(series, columnLabel, pointAt) },
    grid: { left: 150, right: 30, top: 10, bottom: 60 },
    xAxis: {
      type: 'category',
      data: [...series.columns.map(columnLabel), t('heatTotal')],
      splitArea: { show: true },
      // Centred under each column and wrapped when narrow, never rotated: a label names its column.
      axisLabel: { interval: 0, width: 150, overflow: 'break', lineHeight: 14 },
    },
    yAxis: {
      type: 'category',
      data: [...series.rows, t('heatTotal')],
      inverse: true,
      splitArea: { show: true },
      axisLabel: { width: 130, overflow: 'truncate' },
    },
    // The shades of the cells (not the totals): pieces whose money the legend beside the chart names.
    visualMap: {
      type: 'piecewise',
      show: false,
      dimension: 2,
      seriesIndex: 0,
      pieces: heatLegend(series.max).map((piece) => ({
        ...(piece.min === -Infinity ? {} : { gte: piece.min }),
        ...(piece.max === Infinity ? {} : { lt: piece.max }),
        color: piece.colour,
      })),
    },
    series: [
      {
        type: 'heatmap',
        data: series.data,
        encode: { x: 0, y: 1, value: 2 },
        label,
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: '#14324f', borderWidth: 2 } },
        cursor: 'pointer',
      },
      {
        type: 'heatmap',
        data: totalCells,
        encode: { x: 0, y: 1, value: 2 },
        label: { ...label, fontWeight: 'bold' },
        itemStyle: { color: '#e6ebf1', borderColor: '#fff', borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: '#14324f', borderWidth: 2 } },
        cursor: 'pointer',
      },
    ],
  };
}

/** The scale's legend as the page shows it: a swatch and the money of each shade. */
export function legendView(max: number): TemplateResult {
  return html`<div class="heat-legend" data-test="heat-legend">
    <span class="muted">${t('heatLegend')}:</span>
    ${heatLegend(max).map(
      (p, i) => html`<span class="legend-piece"><span class="swatch shade-${i}"></span>${p.label}</span>`,
    )}
  </div>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const heightFor = (rows: number): number => Math.max(200, (rows + 1) * 36 + 80);

/** The list a point opens: a cell's filters, a row's warehouse, a column's kind or age, or all. */
function pointRoute(
  runId: string,
  series: HeatSeries,
  x: number,
  y: number,
  axis: (c: string) => { kind: string } | { age: string },
): ListRoute | undefined {
  const warehouseId = series.rows[y];
  const column = series.columns[x];
  const base: ListRoute = { view: 'list', run: runId, filters: {}, sort: 'stake-desc', cursors: [] };
  if (warehouseId !== undefined && column !== undefined) return cellRoute(runId, warehouseId, axis(column));
  if (warehouseId !== undefined) return { ...base, filters: { warehouseId } };
  if (column !== undefined) return { ...base, filters: axis(column) };
  return base;
}

function mountChart(
  ctx: Context,
  el: HTMLElement,
  runId: string,
  id: string,
  series: HeatSeries,
  label: (c: string) => string,
  axis: (c: string) => { kind: string } | { age: string },
): void {
  const node = el.querySelector<HTMLElement>(`#${id}`);
  if (node === null) return;
  // Sized through the CSSOM (allowed by the page's CSP), not a style attribute.
  node.style.height = `${heightFor(series.rows.length)}px`;
  const at = new Map(series.data.map((d, i) => [`${d[0]},${d[1]}`, i]));
  const totals = heatTotals(series);
  const X = series.columns.length;
  const Y = series.rows.length;
  const pointAt = (x: number, y: number): Point | undefined => {
    if (x === X && y === Y) return { kind: 'all', total: totals.all };
    if (x === X)
      return totals.rows[y] === undefined ? undefined : { kind: 'row', row: y, total: totals.rows[y] };
    if (y === Y)
      return totals.columns[x] === undefined
        ? undefined
        : { kind: 'column', column: x, total: totals.columns[x] };
    const i = at.get(`${x},${y}`);
    const cell = i === undefined ? undefined : series.cells[i];
    return cell === undefined ? undefined : { kind: 'cell', cell };
  };
  const chart = draw(node, option(series, label, pointAt));
  chart.off('click');
  chart.on('click', (p) => {
    const [x, y] = (p.data as [number, number]) ?? [];
    if (x === undefined || y === undefined) return;
    const route = pointRoute(runId, series, x, y, axis);
    if (route !== undefined) ctx.navigate(route);
  });
}

function heatCard(title: string, id: string, series: HeatSeries): TemplateResult {
  const totals = heatTotals(series);
  return html`<div class="card">
    <h2>${title}</h2>
    ${legendView(series.max)}
    <div
      class="heat"
      id=${id}
      data-test=${id}
      data-rows=${series.rows.length}
      data-total-count=${totals.all.count}
      data-total-money=${totals.all.moneyAtStake}
    ></div>
  </div>`;
}

export async function renderHeatMap(
  ctx: Context,
  el: HTMLElement,
  wanted: string | undefined,
): Promise<void> {
  render(loading(), el);
  let runs: RunBrief[];
  let run: RunBrief | undefined;
  let heat: RunHeatMap;
  try {
    runs = await ctx.runs();
    run = await periodRun(ctx, runs, wanted);
    if (run === undefined) {
      if (ctx.current()) render(noRunsCard(ctx.period), el);
      return;
    }
    heat = await ctx.api.heatMap(run.runId);
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return;
  }
  if (!ctx.current()) return;
  const runId = run.runId;
  const choices = runsOf(runs, ctx.period);
  const byKind = heatSeries(heat, heat.byKind, heat.kinds, (c) => c.kind);
  const byAge = heatSeries(heat, heat.byAge, heat.ageBuckets, (c) => c.ageBucket);
  const empty = heat.warehouses.length === 0;
  render(
    html`<div class="card">
        <div class="links">
          ${runPicker(choices.some((r) => r.runId === runId) ? choices : [run, ...choices], runId, (next) =>
            ctx.navigate({ view: 'heatmap', run: next }),
          )}
          <span class="muted">${t('heatHint')} ${t('heatTotalsHint')}</span>
        </div>
      </div>
      ${
        empty
          ? html`<div class="card"><p>${t('heatEmpty')}</p></div>`
          : html`${heatCard(t('heatByKind'), 'heat-kind', byKind)}
            ${heatCard(t('heatByAge'), 'heat-age', byAge)}`
      }`,
    el,
  );
  if (empty) return;
  mountChart(
    ctx,
    el,
    runId,
    'heat-kind',
    byKind,
    (k) => kindLabel(k as Kind),
    (kind) => ({ kind }),
  );
  mountChart(
    ctx,
    el,
    runId,
    'heat-age',
    byAge,
    (a) => codeLabel(a),
    (age) => ({ age }),
  );
}
