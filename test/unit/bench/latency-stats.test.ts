import { describe, expect, it } from 'vitest';
import {
  histogramDelta,
  histogramQuantile,
  parsePromHistogram,
  parsePromValue,
  quantile,
  summarize,
} from '../../../src/bench/latency-stats.js';

const scrape = (counts: readonly number[], sum: number): string =>
  [
    '# HELP infernode_gateway_added_latency_seconds x',
    '# TYPE infernode_gateway_added_latency_seconds histogram',
    `infernode_gateway_added_latency_seconds_bucket{le="0.0001"} ${counts[0]}`,
    `infernode_gateway_added_latency_seconds_bucket{le="0.001"} ${counts[1]}`,
    `infernode_gateway_added_latency_seconds_bucket{le="+Inf"} ${counts[2]}`,
    `infernode_gateway_added_latency_seconds_sum ${sum}`,
    `infernode_gateway_added_latency_seconds_count ${counts[2]}`,
    'infernode_process_cpu_seconds_total 1.5',
  ].join('\n');

describe('latency stats', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
    const s = summarize([3, 1, 2]);
    expect(s).toMatchObject({ n: 3, p50Ms: 2, maxMs: 3, meanMs: 2 });
  });

  it('reads a histogram and a counter from exposition text', () => {
    const h = parsePromHistogram(
      scrape([1, 3, 4], 0.002),
      'infernode_gateway_added_latency_seconds',
    );
    expect(h?.buckets.map((b) => b.le)).toEqual([0.0001, 0.001, Infinity]);
    expect(h?.count).toBe(4);
    expect(parsePromValue(scrape([0, 0, 0], 0), 'infernode_process_cpu_seconds_total')).toBe(1.5);
    expect(parsePromHistogram('', 'nope')).toBeUndefined();
  });

  it('reads one labelled series of a histogram (prom-client GC pauses by kind)', () => {
    const name = 'infernode_nodejs_gc_duration_seconds';
    const text = [
      `${name}_bucket{le="0.01",kind="minor"} 8`,
      `${name}_bucket{le="+Inf",kind="minor"} 10`,
      `${name}_sum{kind="minor"} 0.09`,
      `${name}_count{kind="minor"} 10`,
      `${name}_bucket{le="0.01",kind="major"} 0`,
      `${name}_bucket{le="+Inf",kind="major"} 1`,
      `${name}_sum{kind="major"} 0.05`,
      `${name}_count{kind="major"} 1`,
    ].join('\n');
    expect(parsePromHistogram(text, name, 'kind="minor"')).toEqual({
      buckets: [
        { le: 0.01, count: 8 },
        { le: Infinity, count: 10 },
      ],
      sum: 0.09,
      count: 10,
    });
    expect(parsePromHistogram(text, name, 'kind="major"')?.sum).toBe(0.05);
    expect(parsePromHistogram(text, name, 'kind="weakcb"')).toBeUndefined();
  });

  it('estimates quantiles of a scrape delta like histogram_quantile', () => {
    const name = 'infernode_gateway_added_latency_seconds';
    const before = parsePromHistogram(scrape([1, 1, 1], 0.0001), name)!;
    const after = parsePromHistogram(scrape([1, 11, 11], 0.0051), name)!;
    const d = histogramDelta(before, after);
    expect(d.count).toBe(10);
    expect(d.sum).toBeCloseTo(0.005);
    // All 10 new observations fell in (0.0001, 0.001]: the median interpolates to the middle.
    expect(histogramQuantile(d, 0.5)).toBeCloseTo(0.00055);
    // A quantile in the +Inf bucket answers the largest finite bound.
    const tail = parsePromHistogram(scrape([0, 0, 10], 1), name)!;
    expect(histogramQuantile(tail, 0.99)).toBe(0.001);
  });
});
