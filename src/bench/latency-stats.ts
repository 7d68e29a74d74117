/**
 * Small statistics for the load benchmarks: percentiles of latency samples, and the gateway's own
 * Prometheus histogram read from `/metrics` text (delta between two scrapes, mean and the
 * bucket-interpolated quantile the way PromQL's `histogram_quantile` estimates it).
 */

/** Percentiles of a sample set, milliseconds. */
export interface LatencySummary {
  readonly n: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The q-quantile (0–1) of ascending `sorted`, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Rounds to microsecond precision (3 decimals of a millisecond). */
export const ms3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Mean and percentiles of `samples` (milliseconds). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    n: arr.length,
    meanMs: ms3(arr.length === 0 ? NaN : sum / arr.length),
    p50Ms: ms3(quantile(arr, 0.5)),
    p90Ms: ms3(quantile(arr, 0.9)),
    p99Ms: ms3(quantile(arr, 0.99)),
    maxMs: ms3(arr[arr.length - 1] ?? NaN),
  };
}

/** The median of a list (not necessarily sorted). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** A Prometheus histogram's state at one scrape: cumulative bucket counts by upper bound. */
export interface PromHistogram {
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

const number = (text: string): number => (text === '+Inf' ? Infinity : Number(text));

/**
 * Reads the histogram `name` from Prometheus text exposition, unlabelled (or `le`-only) or the
 * series with `label` (as `key="value"`); undefined when absent.
 */
export function parsePromHistogram(
  text: string,
  name: string,
  label?: string,
): PromHistogram | undefined {
  const buckets: { le: number; count: number }[] = [];
  let sum: number | undefined;
  let count: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (label !== undefined && !rest.slice(0, rest.indexOf(' ')).includes(label)) continue;
    const value = number(line.slice(line.lastIndexOf(' ') + 1));
    if (rest.startsWith('_bucket{')) {
      const le = /le="([^"]+)"/.exec(rest)?.[1];
      if (le !== undefined) buckets.push({ le: number(le), count: value });
    } else if (rest.startsWith('_sum ') || rest.startsWith('_sum{')) sum = value;
    else if (rest.startsWith('_count ') || rest.startsWith('_count{')) count = value;
  }
  if (sum === undefined || count === undefined || buckets.length === 0) return undefined;
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, sum, count };
}

/** Reads one unlabelled counter or gauge from Prometheus text; undefined when absent. */
export function parsePromValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
  }
  return undefined;
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: PromHistogram, after: PromHistogram): PromHistogram {
  return {
    buckets: after.buckets.map((b, i) => ({
      le: b.le,
      count: b.count - (before.buckets[i]?.count ?? 0),
    })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile estimated from cumulative buckets, interpolating linearly inside the bucket
 * (PromQL `histogram_quantile`); in the +Inf bucket it answers the largest finite bound.
 */
export function histogramQuantile(h: PromHistogram, q: number): number {
  if (h.count <= 0) return NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** The gateway's own view of one phase: request count, mean and bucket-estimated p50/p99, ms. */
export interface GatewayOwnSummary {
  readonly n: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Summarizes a histogram delta whose unit is seconds, in milliseconds. */
export function summarizeHistogram(h: PromHistogram): GatewayOwnSummary {
  return {
    n: h.count,
    meanMs: ms3(h.count > 0 ? (h.sum / h.count) * 1000 : NaN),
    p50Ms: ms3(histogramQuantile(h, 0.5) * 1000),
    p99Ms: ms3(histogramQuantile(h, 0.99) * 1000),
  };
}
