/**
 * The routing benchmark's chart, hand-written SVG (no dependency): TTFT per strategy as grouped
 * bars — mean, p50, p90, p99 — one group per strategy, linear axis in trace-time milliseconds.
 */

/** What the chart needs of one strategy. */
export interface TtftBars {
  readonly strategy: string;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

const SERIES = [
  { key: 'mean', color: '#4e79a7' },
  { key: 'p50', color: '#59a14f' },
  { key: 'p90', color: '#f28e2b' },
  { key: 'p99', color: '#e15759' },
] as const;

/** Escapes text for SVG/XML content and attributes. */
export const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A row of legend swatches with their labels, the first at (`x`, `y`), `step` apart. */
export function legendSvg(
  entries: readonly { readonly label: string; readonly color: string }[],
  x: number,
  y: number,
  step: number,
): string[] {
  return entries.flatMap((e, k) => [
    `<rect x="${x + k * step}" y="${y}" width="12" height="12" fill="${e.color}"/>`,
    `<text x="${x + k * step + 16}" y="${y + 10}">${escapeXml(e.label)}</text>`,
  ]);
}

/** A "nice" axis maximum (1, 2 or 5 × 10^k) at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (ms: number): string =>
  !Number.isFinite(ms) ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;

/** The SVG document: title, y axis with 5 ticks, one `<g class="strategy">` per strategy, legend. */
export function ttftChartSvg(title: string, bars: readonly TtftBars[]): string {
  const width = Math.max(480, 120 + bars.length * 150);
  const height = 360;
  const left = 70;
  const top = 40;
  const plotH = 240;
  const plotW = width - left - 20;
  const max = niceMax(
    Math.max(0, ...bars.flatMap((b) => SERIES.map((s) => b[s.key]).filter(Number.isFinite))),
  );
  const y = (v: number): number => top + plotH - (Number.isFinite(v) ? (v / max) * plotH : 0);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let t = 0; t <= 5; t++) {
    const v = (max * t) / 5;
    const ty = y(v);
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${ty + 4}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  out.push(
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">TTFT (trace time)</text>`,
  );
  const groupW = plotW / Math.max(1, bars.length);
  const barW = Math.min(28, (groupW - 20) / SERIES.length);
  bars.forEach((b, i) => {
    const x0 = left + i * groupW + (groupW - barW * SERIES.length) / 2;
    out.push(`<g class="strategy" data-strategy="${escapeXml(b.strategy)}">`);
    SERIES.forEach((s, k) => {
      const v = b[s.key];
      const by = y(v);
      const x = x0 + k * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - by).toFixed(1)}" fill="${s.color}"><title>${escapeXml(b.strategy)} ${s.key} ${fmt(v)}</title></rect>`,
      );
    });
    out.push(
      `<text x="${(left + i * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" font-size="12">${escapeXml(b.strategy)}</text>`,
      `<text x="${(left + i * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 30}" text-anchor="middle" fill="#555">mean ${fmt(b.mean)} · p99 ${fmt(b.p99)}</text>`,
      '</g>',
    );
  });
  out.push(
    ...legendSvg(
      SERIES.map((s) => ({ label: s.key, color: s.color })),
      left,
      height - 22,
      90,
    ),
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
