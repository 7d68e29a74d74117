/**
 * The charts of the last minutes per engine: running, waiting, KV usage and TTFT, one line per
 * engine, drawn by uPlot (served by the leader from its own node_modules; no CDN). The charts live
 * across renders: new data goes in with setData, and they are rebuilt only when the set of
 * engines changes or the width does.
 */
import uPlot from 'uplot';
import type { ConsoleSeries } from '../console-snapshot.js';
import { h } from './dom.js';
import { joinSeries, type SeriesField } from './series-join.js';

const CHARTS: readonly { field: SeriesField; title: string; unit: string }[] = [
  { field: 'running', title: 'Running requests', unit: '' },
  { field: 'waiting', title: 'Waiting requests', unit: '' },
  { field: 'kvUsage', title: 'KV cache usage', unit: '%' },
  { field: 'ttftMs', title: 'Time to first token', unit: 'ms' },
];

/** Line colours, picked by an engine's position in the sorted list so they stay put. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The chart panel: `element` goes in the page once; `update` feeds it each new state. */
export class EngineCharts {
  /** The panel to place in the page. */
  readonly element: HTMLElement = h('div', { class: 'charts', 'data-charts': '' });
  private plots: uPlot[] = [];
  private key = '';

  /** Draws `series`; call after `element` is in the document so it can measure its width. */
  update(series: ConsoleSeries): void {
    const engines = [...series.engines].sort((a, b) => a.engine.localeCompare(b.engine));
    const width = this.chartWidth();
    const key = `${engines.map((e) => e.engine).join('|')}@${width}`;
    if (engines.length === 0) {
      this.destroy();
      this.element.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          'No samples yet: the leader samples every engine every few seconds.',
        ),
      );
      return;
    }
    if (key !== this.key || this.plots.length === 0)
      this.build(
        engines.map((e) => e.engine),
        width,
      );
    this.key = key;
    CHARTS.forEach((chart, i) => {
      const joined = joinSeries(engines, chart.field);
      const scale = chart.field === 'kvUsage' ? 100 : 1;
      const columns = joined.columns.map((c) => c.map((v) => (v === null ? null : v * scale)));
      this.plots[i]?.setData([joined.x, ...columns] as uPlot.AlignedData);
    });
  }

  /** Frees the charts (their canvases and listeners). */
  destroy(): void {
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    this.key = '';
  }

  private chartWidth(): number {
    // Two charts per row on a wide screen, one on a narrow one.
    const available = this.element.clientWidth || 900;
    const perRow = available >= 900 ? 2 : 1;
    return Math.max(280, Math.floor(available / perRow) - 24);
  }

  private build(engines: readonly string[], width: number): void {
    this.destroy();
    const style = getComputedStyle(document.documentElement);
    const fg = style.getPropertyValue('--muted').trim() || '#888';
    const grid = style.getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)';
    const axis = (unit: string): uPlot.Axis => ({
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      values: (_u, splits) => splits.map((v) => `${v}${unit === '' ? '' : ` ${unit}`}`),
      size: 60,
    });
    this.element.replaceChildren();
    for (const chart of CHARTS) {
      const holder = h('div', { class: 'chart', 'data-chart': chart.field });
      this.element.append(holder);
      const options: uPlot.Options = {
        title: chart.title,
        width,
        height: 180,
        scales: {
          x: { time: true },
          y: {
            range: (_u, min, max) => [0, Math.max(max, chart.field === 'kvUsage' ? 100 : 1, min)],
          },
        },
        axes: [
          { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
          axis(chart.unit),
        ],
        series: [
          {},
          ...engines.map((engine, i) => ({
            label: engine,
            stroke: PALETTE[i % PALETTE.length] ?? '#888',
            width: 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) =>
              v === null
                ? '—'
                : `${Math.round(v * 10) / 10}${chart.unit === '' ? '' : ` ${chart.unit}`}`,
          })),
        ],
        legend: { live: false },
      };
      this.plots.push(new uPlot(options, [[], ...engines.map(() => [])], holder));
    }
  }
}
