/**
 * `bench serve`'s printed output: vLLM's result block for each point (same labels, so operators
 * used to `vllm bench serve` read it at a glance) and one table row per point of a sweep.
 */
import { percentileKey, type MetricStats, type ServeMetrics } from './serve-metrics.js';

/** One sweep point's result, as the JSON report and the chart hold it. */
export interface ServePointResult {
  /** `rate=4`, `concurrency=16` or `single`. */
  readonly label: string;
  /** Requests per second asked for (null = inf, all at once; or the trace's own times). */
  readonly requestRate: number | null;
  /** 0 = no cap. */
  readonly maxConcurrency: number;
  readonly metrics: ServeMetrics;
}

const pad = (label: string, value: string): string => `${label.padEnd(40)}${value}`;
const f2 = (v: number | undefined): string => (v === undefined ? 'n/a' : v.toFixed(2));

function statLines(
  name: string,
  unit: string,
  s: MetricStats,
  percentiles: readonly number[],
): string[] {
  return [
    `${`-`.repeat(15)}${name}${'-'.repeat(Math.max(0, 35 - name.length))}`,
    pad(`Mean ${unit} (ms):`, f2(s.mean)),
    pad(`Median ${unit} (ms):`, f2(s.median)),
    ...percentiles.map((p) => pad(`P${p} ${unit} (ms):`, f2(s.percentiles[percentileKey(p)]))),
  ];
}

/** vLLM's `bench serve` result block for one point. */
export function resultBlock(point: ServePointResult, percentiles: readonly number[]): string {
  const m = point.metrics;
  const lines = [
    `${'='.repeat(12)} Serving Benchmark Result (${point.label}) ${'='.repeat(12)}`,
    pad('Successful requests:', String(m.completed)),
    pad('Failed requests:', String(m.failed)),
    ...Object.entries(m.failures).map(([why, n]) => pad(`  ${why}:`, String(n))),
    pad(
      'Maximum request concurrency:',
      point.maxConcurrency > 0 ? String(point.maxConcurrency) : 'none',
    ),
    pad('Benchmark duration (s):', f2(m.durationS)),
    pad('Total input tokens:', String(m.totalInputTokens)),
    pad('Total generated tokens:', String(m.totalOutputTokens)),
    pad('Request throughput (req/s):', f2(m.requestThroughput)),
    ...(m.requestGoodput === undefined
      ? []
      : [pad('Request goodput (req/s):', f2(m.requestGoodput))]),
    pad('Output token throughput (tok/s):', f2(m.outputThroughput)),
    pad('Peak output token throughput (tok/s):', f2(m.maxOutputTokensPerS)),
    pad('Peak concurrent requests:', String(m.maxConcurrentRequests)),
    pad('Total token throughput (tok/s):', f2(m.totalTokenThroughput)),
    ...statLines('Time to First Token', 'TTFT', m.ttftMs, percentiles),
    ...statLines('Time per Output Token (excl. 1st token)', 'TPOT', m.tpotMs, percentiles),
    ...statLines('Inter-token Latency', 'ITL', m.itlMs, percentiles),
    ...statLines('End-to-end Latency', 'E2EL', m.e2elMs, percentiles),
    '='.repeat(50),
  ];
  return lines.join('\n');
}

/** One row per point: the numbers to pick a sweet spot from. */
export function sweepTable(points: readonly ServePointResult[]): string {
  const head = [
    'point',
    'ok',
    'failed',
    'req/s',
    'out tok/s',
    'goodput',
    'TTFT p50',
    'TTFT p99',
    'TPOT p50',
    'TPOT p99',
    'E2EL p99',
  ];
  const rows = points.map((p) => {
    const m = p.metrics;
    return [
      p.label,
      String(m.completed),
      String(m.failed),
      f2(m.requestThroughput),
      f2(m.outputThroughput),
      f2(m.requestGoodput),
      f2(m.ttftMs.median),
      f2(p99(m.ttftMs)),
      f2(m.tpotMs.median),
      f2(p99(m.tpotMs)),
      f2(p99(m.e2elMs)),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** A metric's p99 (the command always computes it, whatever `--percentiles` prints). */
export function p99(s: MetricStats): number | undefined {
  return s.percentiles[percentileKey(99)];
}
