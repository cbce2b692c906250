import { html, render, type TemplateResult } from 'lit-html';
import type { RunBrief, RunHeatMap } from '../api.js';
import { draw, STAKE_COLOURS, type ChartOption } from '../charts.js';
import { pickRun, type Context } from '../context.js';
import { formatCount, formatMoney, magnitude } from '../format.js';
import { codeLabel, kindLabel, severityLabel, t } from '../i18n.js';
import { cellRoute } from '../routes.js';
import type { Kind } from '../../../lib/core/reconcile/discrepancy.js';
import type { HeatCell } from '../../../lib/core/runs/run-heat-map.js';
import { loading, problem, runPicker } from './common.js';

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

function option(
  series: HeatSeries,
  columnLabel: (c: string) => string,
  cellsOf: (x: number, y: number) => HeatCell | undefined,
): ChartOption {
  return {
    tooltip: {
      formatter: (p: unknown) => {
        const [x, y] = (p as { data: [number, number] }).data;
        const cell = cellsOf(x, y);
        if (cell === undefined) return '';
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
      },
    },
    grid: { left: 150, right: 30, top: 34, bottom: 60 },
    xAxis: {
      type: 'category',
      data: series.columns.map(columnLabel),
      splitArea: { show: true },
      // Centred under each column and wrapped when narrow, never rotated: a label names its column.
      axisLabel: { interval: 0, width: 150, overflow: 'break', lineHeight: 14 },
    },
    yAxis: {
      type: 'category',
      data: series.rows,
      inverse: true,
      splitArea: { show: true },
      axisLabel: { width: 130, overflow: 'truncate' },
    },
    visualMap: {
      min: 0,
      max: Math.max(series.max, 1),
      dimension: 2,
      // The scale's ends only: the shade is a log of the amount, the exact figure is in the tooltip.
      show: true,
      orient: 'horizontal',
      right: 30,
      top: 0,
      itemWidth: 12,
      itemHeight: 140,
      text: [t('heatMore'), t('heatLess')],
      textStyle: { color: '#5b6878' },
      inRange: { color: STAKE_COLOURS },
    },
    series: [
      {
        type: 'heatmap',
        data: series.data,
        encode: { x: 0, y: 1, value: 2 },
        label: { show: true, formatter: (p: unknown) => formatCount((p as { data: number[] }).data[3] ?? 0) },
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: '#14324f', borderWidth: 2 } },
        cursor: 'pointer',
      },
    ],
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const heightFor = (rows: number): number => Math.max(200, rows * 36 + 110);

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
    run = pickRun(runs, wanted);
    if (run === undefined) {
      if (ctx.current()) render(html`<div class="card"><p>${t('noRuns')}</p></div>`, el);
      return;
    }
    heat = await ctx.api.heatMap(run.runId);
  } catch (error) {
    if (ctx.current()) render(problem(error), el);
    return;
  }
  if (!ctx.current()) return;
  const runId = run.runId;
  const byKind = heatSeries(heat, heat.byKind, heat.kinds, (c) => c.kind);
  const byAge = heatSeries(heat, heat.byAge, heat.ageBuckets, (c) => c.ageBucket);
  const empty = heat.warehouses.length === 0;
  const card = (title: string, id: string, rows: number): TemplateResult =>
    html`<div class="card">
      <h2>${title}</h2>
      <div class="heat" id=${id} data-test=${id} data-rows=${rows}></div>
    </div>`;
  render(
    html`<div class="card">
        <div class="links">
          ${runPicker(runs, runId, (next) => ctx.navigate({ view: 'heatmap', run: next }))}
          <span class="muted">${t('heatHint')}</span>
        </div>
      </div>
      ${
        empty
          ? html`<div class="card"><p>${t('heatEmpty')}</p></div>`
          : html`${card(t('heatByKind'), 'heat-kind', heat.warehouses.length)}
            ${card(t('heatByAge'), 'heat-age', heat.warehouses.length)}`
      }`,
    el,
  );
  if (empty) return;
  const mount = (
    id: string,
    series: HeatSeries,
    label: (c: string) => string,
    axis: (c: string) => { kind: string } | { age: string },
  ) => {
    const node = el.querySelector<HTMLElement>(`#${id}`);
    if (node === null) return;
    // Sized through the CSSOM (allowed by the page's CSP), not a style attribute.
    node.style.height = `${heightFor(series.rows.length)}px`;
    const at = new Map(series.data.map((d, i) => [`${d[0]},${d[1]}`, i]));
    const cellAt = (x: number, y: number) => {
      const i = at.get(`${x},${y}`);
      return i === undefined ? undefined : series.cells[i];
    };
    const chart = draw(node, option(series, label, cellAt));
    chart.off('click');
    chart.on('click', (p) => {
      const [x, y] = (p.data as [number, number]) ?? [];
      const warehouseId = series.rows[y ?? -1];
      const column = series.columns[x ?? -1];
      if (warehouseId === undefined || column === undefined) return;
      ctx.navigate(cellRoute(runId, warehouseId, axis(column)));
    });
  };
  mount(
    'heat-kind',
    byKind,
    (k) => kindLabel(k as Kind),
    (kind) => ({ kind }),
  );
  mount(
    'heat-age',
    byAge,
    (a) => codeLabel(a),
    (age) => ({ age }),
  );
}
