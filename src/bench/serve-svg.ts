/**
 * `bench serve`'s sweep chart, hand-written SVG: two panels side by side, TTFT and TPOT against
 * output token throughput, p50 and p99 lines, one marker per sweep point labelled with it. The
 * knee where latency climbs while throughput stops growing is the configuration's sweet spot.
 */
import { escapeXml, legendSvg, niceMax } from './routing-svg.js';
import { p99, type ServePointResult } from './serve-report.js';
import type { MetricStats } from './serve-metrics.js';

const W = 440;
const H = 300;
const LEFT = 64;
const TOP = 56;
const PLOT_W = W - LEFT - 24;
const PLOT_H = H - TOP - 60;

const SERIES = [
  { name: 'p50', color: '#4e79a7', pick: (s: MetricStats) => s.median },
  { name: 'p99', color: '#e15759', pick: (s: MetricStats) => p99(s) ?? NaN },
] as const;

const fmtMs = (v: number): string =>
  v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;

function panel(
  x0: number,
  title: string,
  points: readonly ServePointResult[],
  stat: (p: ServePointResult) => MetricStats,
): string[] {
  const xs = points.map((p) => p.metrics.outputThroughput);
  const xMax = niceMax(Math.max(0, ...xs));
  const yMax = niceMax(
    Math.max(
      0,
      ...points.flatMap((p) => SERIES.map((s) => s.pick(stat(p))).filter(Number.isFinite)),
    ),
  );
  const px = (v: number): number => x0 + LEFT + (v / xMax) * PLOT_W;
  const py = (v: number): number => TOP + PLOT_H - (Number.isFinite(v) ? (v / yMax) * PLOT_H : 0);
  const out = [
    `<g class="panel" data-metric="${escapeXml(title)}">`,
    `<text x="${x0 + LEFT + PLOT_W / 2}" y="${TOP - 12}" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const yv = (yMax * t) / 4;
    const xv = (xMax * t) / 4;
    out.push(
      `<line x1="${x0 + LEFT}" x2="${x0 + LEFT + PLOT_W}" y1="${py(yv)}" y2="${py(yv)}" stroke="#ddd"/>`,
      `<text x="${x0 + LEFT - 6}" y="${py(yv) + 4}" text-anchor="end">${fmtMs(yv)}</text>`,
      `<text x="${px(xv)}" y="${TOP + PLOT_H + 16}" text-anchor="middle">${xv.toFixed(0)}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + LEFT + PLOT_W / 2}" y="${TOP + PLOT_H + 34}" text-anchor="middle">output tokens/s</text>`,
  );
  for (const s of SERIES) {
    const coords = points
      .map((p) => [px(p.metrics.outputThroughput), py(s.pick(stat(p)))] as const)
      .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${coords.join(' ')}"/>`,
    );
    points.forEach((p, i) => {
      const v = s.pick(stat(p));
      const [x, y] = (coords[i] as string).split(',');
      out.push(
        `<circle cx="${x}" cy="${y}" r="3.5" fill="${s.color}"><title>${escapeXml(p.label)} ${s.name} ${fmtMs(v)} at ${p.metrics.outputThroughput} tok/s</title></circle>`,
      );
      if (s.name === 'p99')
        out.push(
          `<text x="${x}" y="${Number(y) - 8}" text-anchor="middle" fill="#555">${escapeXml(p.label)}</text>`,
        );
    });
  }
  out.push('</g>');
  return out;
}

/** The SVG document for a sweep (a single point draws as one marker per line). */
export function sweepChartSvg(title: string, points: readonly ServePointResult[]): string {
  const width = 2 * W;
  const height = H + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    ...panel(0, 'TTFT', points, (p) => p.metrics.ttftMs),
    ...panel(W, 'TPOT', points, (p) => p.metrics.tpotMs),
  ];
  out.push(
    ...legendSvg(
      SERIES.map((s) => ({ label: s.name, color: s.color })),
      LEFT,
      height - 20,
      80,
    ),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
