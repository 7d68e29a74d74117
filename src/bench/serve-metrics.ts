/**
 * `bench serve`'s metrics, computed exactly as vLLM's `bench serve` (`calculate_metrics`,
 * reference/perf.md §7.1) so numbers compare across the two tools:
 * - TTFT: send → first streamed chunk carrying text, per request.
 * - TPOT: per request `(e2el − ttft) / (output − 1)`, only for output > 1; then mean/median/pXX
 *   across those requests (for goodput a request with output ≤ 1 has TPOT 0).
 * - ITL: every gap between successive text chunks, pooled across requests.
 * - E2EL: send → end of the response.
 * Percentiles interpolate linearly between ranks, as numpy's `percentile` does.
 */

/** One request as the client saw it; times in ms, `startMs` from the run's start. */
export interface RequestOutcome {
  readonly ok: boolean;
  /** Why it failed (a stable short reason: `http 503`, `timeout`, ...); '' when ok. */
  readonly error: string;
  readonly startMs: number;
  readonly ttftMs: number;
  readonly e2elMs: number;
  /** Gaps between successive text chunks. */
  readonly itlMs: readonly number[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** SLOs for goodput, ms; an absent one is not checked. */
export interface GoodputSlos {
  readonly ttft?: number;
  readonly tpot?: number;
  readonly e2el?: number;
}

/** Mean, median, standard deviation and the chosen percentiles of one metric, ms. */
export interface MetricStats {
  readonly mean: number;
  readonly median: number;
  readonly std: number;
  /** Keyed `p50`, `p99`, `p99.9`... */
  readonly percentiles: Readonly<Record<string, number>>;
}

/** Everything a run reports. */
export interface ServeMetrics {
  readonly completed: number;
  readonly failed: number;
  /** Failed requests by reason. */
  readonly failures: Readonly<Record<string, number>>;
  readonly durationS: number;
  readonly totalInputTokens: number;
  readonly totalOutputTokens: number;
  readonly requestThroughput: number;
  readonly outputThroughput: number;
  readonly totalTokenThroughput: number;
  /** Most output tokens finished in one 1-second window (one token per text chunk). */
  readonly maxOutputTokensPerS: number;
  /** Most requests in flight at once. */
  readonly maxConcurrentRequests: number;
  /** Requests that met every given SLO per second; undefined without SLOs. */
  readonly requestGoodput: number | undefined;
  readonly goodRequests: number | undefined;
  readonly ttftMs: MetricStats;
  readonly tpotMs: MetricStats;
  readonly itlMs: MetricStats;
  readonly e2elMs: MetricStats;
}

/** The p-th percentile (0–100) of ascending `sorted`, linear interpolation (numpy default). */
export function percentileLinear(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? 0;
  return a + (b - a) * (rank - lo);
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The key a percentile gets in reports: 99 → `p99`, 99.9 → `p99.9`. */
export const percentileKey = (p: number): string => `p${String(p)}`;

/** Mean, median, population std (numpy's default) and percentiles; zeros when empty (as vLLM). */
export function metricStats(
  values: readonly number[],
  percentiles: readonly number[],
): MetricStats {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  const n = arr.length;
  let sum = 0;
  for (const v of arr) sum += v;
  const mean = n === 0 ? 0 : sum / n;
  let sq = 0;
  for (const v of arr) sq += (v - mean) ** 2;
  const out: Record<string, number> = {};
  for (const p of percentiles) out[percentileKey(p)] = round3(percentileLinear(arr, p));
  return {
    mean: round3(mean),
    median: round3(percentileLinear(arr, 50)),
    std: round3(n === 0 ? 0 : Math.sqrt(sq / n)),
    percentiles: out,
  };
}

/** A request's TPOT, ms: `(e2el − ttft) / (output − 1)`, undefined for output ≤ 1. */
export function requestTpotMs(r: RequestOutcome): number | undefined {
  return r.outputTokens > 1 ? (r.e2elMs - r.ttftMs) / (r.outputTokens - 1) : undefined;
}

/** Whether a completed request met every given SLO (TPOT counts as 0 for output ≤ 1). */
export function meetsSlos(r: RequestOutcome, slos: GoodputSlos): boolean {
  const tpot = requestTpotMs(r) ?? 0;
  return (
    (slos.ttft === undefined || r.ttftMs <= slos.ttft) &&
    (slos.tpot === undefined || tpot <= slos.tpot) &&
    (slos.e2el === undefined || r.e2elMs <= slos.e2el)
  );
}

/** The most requests in flight at once (sweep line over [start, start + e2el)). */
export function peakConcurrency(outcomes: readonly RequestOutcome[]): number {
  const edges: [number, number][] = [];
  for (const r of outcomes) edges.push([r.startMs, 1], [r.startMs + r.e2elMs, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) {
    now += d;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** Most text chunks (tokens) landing in one whole second of the run. */
export function peakOutputPerSecond(outcomes: readonly RequestOutcome[]): number {
  const perSecond = new Map<number, number>();
  for (const r of outcomes) {
    if (!r.ok) continue;
    let t = r.startMs + r.ttftMs;
    const bump = (): void => {
      const s = Math.floor(t / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    };
    bump();
    for (const gap of r.itlMs) {
      t += gap;
      bump();
    }
  }
  return Math.max(0, ...perSecond.values());
}

/** The run's metrics from every request's outcome and its wall duration. */
export function computeServeMetrics(
  outcomes: readonly RequestOutcome[],
  durationMs: number,
  percentiles: readonly number[],
  slos: GoodputSlos | undefined,
): ServeMetrics {
  const done = outcomes.filter((r) => r.ok);
  const failures: Record<string, number> = {};
  for (const r of outcomes) if (!r.ok) failures[r.error] = (failures[r.error] ?? 0) + 1;
  const durationS = durationMs / 1000;
  const per = (v: number): number => round3(durationS > 0 ? v / durationS : 0);
  const totalInputTokens = done.reduce((a, r) => a + r.inputTokens, 0);
  const totalOutputTokens = done.reduce((a, r) => a + r.outputTokens, 0);
  const tpots = done.flatMap((r) => {
    const t = requestTpotMs(r);
    return t === undefined ? [] : [t];
  });
  const good = slos === undefined ? undefined : done.filter((r) => meetsSlos(r, slos)).length;
  return {
    completed: done.length,
    failed: outcomes.length - done.length,
    failures,
    durationS: round3(durationS),
    totalInputTokens,
    totalOutputTokens,
    requestThroughput: per(done.length),
    outputThroughput: per(totalOutputTokens),
    totalTokenThroughput: per(totalInputTokens + totalOutputTokens),
    maxOutputTokensPerS: peakOutputPerSecond(done),
    maxConcurrentRequests: peakConcurrency(outcomes),
    requestGoodput: good === undefined ? undefined : per(good),
    goodRequests: good,
    ttftMs: metricStats(
      done.map((r) => r.ttftMs),
      percentiles,
    ),
    tpotMs: metricStats(tpots, percentiles),
    itlMs: metricStats(
      done.flatMap((r) => r.itlMs),
      percentiles,
    ),
    e2elMs: metricStats(
      done.map((r) => r.e2elMs),
      percentiles,
    ),
  };
}
