/**
 * The autoscaling benchmark's chart, hand-written SVG (no dependency): one panel per workload,
 * the offered load (requests/s, grey area, right axis) under each strategy's replicas over time
 * (step lines, left axis).
 */
import { niceMax } from './routing-svg.js';

/** One strategy's replicas over time: [seconds, replicas] at each change. */
export interface ReplicaSeries {
  readonly strategy: string;
  readonly points: readonly (readonly [number, number])[];
}

/** One panel: a workload, its load and every strategy's replicas. */
export interface ScalingPanel {
  readonly title: string;
  readonly durationS: number;
  /** Requests per second, one value per `loadBinS` seconds. */
  readonly load: readonly number[];
  readonly loadBinS: number;
  readonly series: readonly ReplicaSeries[];
}

/** Colours by strategy, in the order the bench runs them. */
export const STRATEGY_COLORS: Readonly<Record<string, string>> = {
  HPA: '#e15759',
  KPA: '#4e79a7',
  APA: '#59a14f',
  SLO: '#f28e2b',
  // The weight-prefetch variants (autoscaling-prefetch.ts): the same hue, lighter.
  'HPA+prefetch': '#ff9d9a',
  'KPA+prefetch': '#a0cbe8',
  'APA+prefetch': '#8cd17d',
  'SLO+prefetch': '#ffbe7d',
};

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const WIDTH = 900;
const PANEL_H = 220;
const LEFT = 60;
const RIGHT = 60;
const TOP = 30;

function panelSvg(p: ScalingPanel, y0: number, maxReplicas: number): string[] {
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = PANEL_H - 60;
  const top = y0 + TOP;
  const x = (s: number): number => LEFT + (Math.min(s, p.durationS) / p.durationS) * plotW;
  const yR = (r: number): number => top + plotH - (r / maxReplicas) * plotH;
  const loadMax = niceMax(Math.max(1, ...p.load));
  const yL = (v: number): number => top + plotH - (v / loadMax) * plotH;
  const out: string[] = [
    `<g class="panel" data-title="${escapeXml(p.title)}">`,
    `<text x="${LEFT}" y="${top - 8}" font-size="13">${escapeXml(p.title)}</text>`,
  ];
  for (let r = 0; r <= maxReplicas; r += Math.max(1, Math.ceil(maxReplicas / 4))) {
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yR(r)}" y2="${yR(r)}" stroke="#eee"/>`,
      `<text x="${LEFT - 6}" y="${yR(r) + 4}" text-anchor="end">${r}</text>`,
    );
  }
  out.push(
    `<text x="${LEFT + plotW + 6}" y="${yL(loadMax) + 4}">${loadMax} rps</text>`,
    `<text x="${LEFT + plotW + 6}" y="${yL(0) + 4}">0</text>`,
  );
  const area = [`M${x(0)},${yL(0)}`];
  p.load.forEach((v, i) => {
    area.push(`L${x(i * p.loadBinS).toFixed(1)},${yL(v).toFixed(1)}`);
    area.push(`L${x((i + 1) * p.loadBinS).toFixed(1)},${yL(v).toFixed(1)}`);
  });
  area.push(`L${x(p.durationS)},${yL(0)}Z`);
  out.push(`<path class="load" d="${area.join(' ')}" fill="#ddd" stroke="none"/>`);
  for (const s of p.series) {
    const d: string[] = [];
    let last: number | undefined;
    for (const [t, r] of s.points) {
      if (t > p.durationS) break;
      if (last === undefined) d.push(`M${x(t).toFixed(1)},${yR(r).toFixed(1)}`);
      else
        d.push(
          `L${x(t).toFixed(1)},${yR(last).toFixed(1)}`,
          `L${x(t).toFixed(1)},${yR(r).toFixed(1)}`,
        );
      last = r;
    }
    if (last !== undefined) d.push(`L${x(p.durationS).toFixed(1)},${yR(last).toFixed(1)}`);
    const color = STRATEGY_COLORS[s.strategy] ?? '#333';
    out.push(
      `<path class="replicas" data-strategy="${escapeXml(s.strategy)}" d="${d.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"/>`,
    );
  }
  out.push(
    `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#999"/>`,
    `<text x="${LEFT + plotW / 2}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">seconds (0–${p.durationS})</text>`,
    '</g>',
  );
  return out;
}

/** The whole chart: title, one panel per workload, a legend. */
export function scalingChartSvg(title: string, panels: readonly ScalingPanel[]): string {
  const height = TOP + panels.length * PANEL_H + 30;
  const maxReplicas = Math.max(
    1,
    ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([, r]) => r))),
  );
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  panels.forEach((p, i) => out.push(...panelSvg(p, 20 + i * PANEL_H, maxReplicas)));
  const strategies = [...new Set(panels.flatMap((p) => p.series.map((s) => s.strategy)))];
  strategies.forEach((s, k) => {
    const lx = LEFT + k * 110;
    out.push(
      `<rect x="${lx}" y="${height - 22}" width="12" height="12" fill="${STRATEGY_COLORS[s] ?? '#333'}"/>`,
      `<text x="${lx + 16}" y="${height - 12}">${escapeXml(s)} replicas</text>`,
    );
  });
  out.push(
    `<rect x="${LEFT + strategies.length * 110}" y="${height - 22}" width="12" height="12" fill="#ddd"/>`,
    `<text x="${LEFT + strategies.length * 110 + 16}" y="${height - 12}">load (rps)</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
