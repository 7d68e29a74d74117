import { describe, expect, it } from 'vitest';
import { computeServeMetrics, type RequestOutcome } from '../../../src/bench/serve-metrics.js';
import { resultBlock, sweepTable, type ServePointResult } from '../../../src/bench/serve-report.js';
import { sweepChartSvg } from '../../../src/bench/serve-svg.js';

const ok = (ttftMs: number, gap: number, tokens: number): RequestOutcome => ({
  ok: true,
  error: '',
  startMs: 0,
  ttftMs,
  e2elMs: ttftMs + gap * (tokens - 1),
  itlMs: new Array<number>(tokens - 1).fill(gap),
  inputTokens: 10,
  outputTokens: tokens,
});

const point = (label: string, ttft: number, gap: number): ServePointResult => ({
  label,
  requestRate: 1,
  maxConcurrency: 0,
  metrics: computeServeMetrics([ok(ttft, gap, 5), ok(ttft * 2, gap, 5)], 1000, [50, 90, 99], {
    ttft: 150,
  }),
});

describe('bench serve report', () => {
  const points = [point('rate=1', 100, 10), point('rate=2', 300, 20)];

  it("prints vLLM's result block with the asked percentiles", () => {
    const text = resultBlock(points[0]!, [90]);
    expect(text).toMatch(/Successful requests: +2\n/);
    expect(text).toMatch(/Request goodput \(req\/s\): +1\.00\n/);
    expect(text).toMatch(/P90 TTFT \(ms\): +190\.00\n/);
    expect(text).toMatch(/Mean TPOT \(ms\): +10\.00\n/);
    expect(text).not.toContain('P99 TTFT');
  });

  it('prints one sweep row per point with p50/p99', () => {
    const rows = sweepTable(points).split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(
      /^rate=2\s+2\s+0\s+2\.00\s+10\.00\s+0\.00\s+450\.00\s+597\.00\s+20\.00\s+20\.00/,
    );
  });

  it('charts TTFT and TPOT panels with a marker per point and series', () => {
    const svg = sweepChartSvg('t', points);
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(2 * 2 * points.length);
    expect(svg).toContain('rate=2 p99 597 ms at 10 tok/s');
  });
});
