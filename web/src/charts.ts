import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

/**
 * ECharts trimmed to what the dashboard draws (heat maps, lines, bars) and drawn as SVG: crisp at
 * any zoom, text a screen reader and the browser tests can find, and cheap at the cell counts a heat
 * map of warehouses has.
 */
use([
  HeatmapChart,
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  VisualMapComponent,
  LegendComponent,
  DataZoomComponent,
  SVGRenderer,
]);

export type ChartOption = ComposeOption<
  | HeatmapSeriesOption
  | LineSeriesOption
  | BarSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
  | LegendComponentOption
  | DataZoomComponentOption
>;

const charts = new WeakMap<HTMLElement, ECharts>();
const resizing = new Set<ECharts>();
let listening = false;

/** Draws `option` into `element`, reusing the chart already there. */
export function draw(element: HTMLElement, option: ChartOption): ECharts {
  let chart = charts.get(element);
  if (chart === undefined || chart.isDisposed()) {
    chart = init(element, undefined, { renderer: 'svg' });
    charts.set(element, chart);
    resizing.add(chart);
  }
  chart.setOption(option, { notMerge: true });
  if (!listening && typeof window !== 'undefined') {
    listening = true;
    window.addEventListener('resize', () => {
      for (const c of resizing)
        if (c.isDisposed()) resizing.delete(c);
        else c.resize();
    });
  }
  return chart;
}

/** Money shades: green-grey for little at stake up to deep red for the most (colour only). */
export const STAKE_COLOURS = ['#f3f6f4', '#fde6c8', '#f9b77a', '#ef7b45', '#c8102e'];
export const SEVERITY_COLOURS = { RED: '#c8102e', YELLOW: '#d99a00', GREEN: '#2e8b57' } as const;
