/**
 * The routing benchmark's figures: what the load generator reports per request, and the
 * per-strategy summary (latency percentiles in trace time, throughput, prefix-cache hit ratios
 * seen by the client and by the engines, per-engine distribution). Pure.
 */
import { parsePrometheusText } from '../engine/index.js';
import { histogramQuantile, ms3, quantile, type PromHistogram } from './latency-stats.js';

/** What the parent passes the load generator process (JSON on its command line). */
export interface ReplayPlan {
  readonly host: string;
  readonly port: number;
  readonly model: string;
  readonly strategy: string;
  readonly tracePath: string;
  readonly durationS: number;
  readonly rateScale: number;
  readonly speed: number;
  /** Per-request limit, wall ms. */
  readonly timeoutMs: number;
}

/** One request's outcome, wall milliseconds (NaN, or null after JSON, when not reached). */
export interface ReplaySample {
  i: number;
  status: number;
  ok: boolean;
  ttftMs: number;
  e2eMs: number;
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  pod: string;
  error: string;
}

/** The load generator's output. */
export interface ReplayOutput {
  readonly samples: readonly ReplaySample[];
  readonly sendSpanMs: number;
  readonly wallMs: number;
  /** Worst lateness of a send against its schedule, wall ms (client overload shows here). */
  readonly lagMaxMs: number;
}

/** Percentiles in trace-time milliseconds. */
export interface Percentiles {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The engines' own counters, summed over every engine (simulated time). */
export interface EngineCounters {
  readonly prefixCacheHits: number;
  readonly prefixCacheQueries: number;
  readonly ttft: PromHistogram | undefined;
  readonly preemptions: number;
  /** vllm:request_queue_time_seconds sum and count (simulated seconds). */
  readonly queueSeconds: number;
  readonly queueCount: number;
}

/** One strategy's result. */
export interface StrategyResult {
  readonly strategy: string;
  readonly requests: number;
  readonly completed: number;
  readonly errors: number;
  readonly rejected: number;
  readonly errorExamples: readonly string[];
  readonly ttftMs: Percentiles;
  readonly tpotMs: { readonly p50: number; readonly p99: number };
  readonly e2eMs: { readonly p50: number; readonly p99: number };
  readonly outputTokensPerS: number;
  readonly prefixHitRatioUsage: number;
  readonly prefixHitRatioEngines: number;
  /** The engines' vllm:time_to_first_token_seconds (simulated time), ms. */
  readonly engineTtftMs: { readonly mean: number; readonly p50: number; readonly p99: number };
  readonly preemptions: number;
  /** Mean time requests waited in the engines' queues (simulated), ms. */
  readonly engineQueueMeanMs: number;
  readonly perEngineRequests: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
  readonly sendLagMaxMs: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const r3 = (v: number): number => (Number.isFinite(v) ? ms3(v) : NaN);

/** Mean and nearest-rank p50/p90/p99 of `values` (any order). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    mean: r3(mean),
    p50: r3(quantile(sorted, 0.5)),
    p90: r3(quantile(sorted, 0.9)),
    p99: r3(quantile(sorted, 0.99)),
  };
}

/** A refusal by the engine for the request's size (vLLM's 400 "maximum context length"). */
export function isRejection(s: ReplaySample): boolean {
  return s.status === 400 && s.error.includes('maximum context length');
}

/** Sums one metric family over every exposition text (every engine, every label set). */
export function engineCounters(texts: readonly string[]): EngineCounters {
  let hits = 0;
  let queries = 0;
  let preemptions = 0;
  let sum = 0;
  let count = 0;
  let queueSeconds = 0;
  let queueCount = 0;
  const buckets = new Map<number, number>();
  for (const text of texts) {
    for (const s of parsePrometheusText(text).samples) {
      if (s.name === 'vllm:prefix_cache_hits_total') hits += s.value;
      else if (s.name === 'vllm:prefix_cache_queries_total') queries += s.value;
      else if (s.name === 'vllm:num_preemptions_total') preemptions += s.value;
      else if (s.name === 'vllm:request_queue_time_seconds_sum') queueSeconds += s.value;
      else if (s.name === 'vllm:request_queue_time_seconds_count') queueCount += s.value;
      else if (s.name === 'vllm:time_to_first_token_seconds_sum') sum += s.value;
      else if (s.name === 'vllm:time_to_first_token_seconds_count') count += s.value;
      else if (s.name === 'vllm:time_to_first_token_seconds_bucket') {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        buckets.set(le, (buckets.get(le) ?? 0) + s.value);
      }
    }
  }
  const ttft =
    buckets.size === 0
      ? undefined
      : {
          buckets: [...buckets].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le),
          sum,
          count,
        };
  return {
    prefixCacheHits: hits,
    prefixCacheQueries: queries,
    ttft,
    preemptions,
    queueSeconds,
    queueCount,
  };
}

/**
 * Summarizes one strategy's run. Client latencies (wall) are multiplied by `speed` into trace
 * time; TPOT = (E2E − TTFT) / (output − 1) for outputs above one token, as `vllm bench serve`.
 */
export function summarizeStrategy(
  strategy: string,
  out: ReplayOutput,
  speed: number,
  engines: EngineCounters,
): StrategyResult {
  const ok = out.samples.filter((s) => s.ok);
  const rejected = out.samples.filter((s) => !s.ok && isRejection(s));
  const failed = out.samples.filter((s) => !s.ok && !isRejection(s));
  const ttft = ok.map((s) => s.ttftMs * speed).filter(finite);
  const e2e = percentiles(ok.map((s) => s.e2eMs * speed).filter(finite));
  const tpot = percentiles(
    ok
      .filter((s) => s.outputTokens > 1)
      .map((s) => ((s.e2eMs - s.ttftMs) * speed) / (s.outputTokens - 1))
      .filter(finite),
  );
  const perEngine: Record<string, number> = {};
  for (const s of ok) perEngine[s.pod] = (perEngine[s.pod] ?? 0) + 1;
  const prompt = ok.reduce((a, s) => a + s.promptTokens, 0);
  const cached = ok.reduce((a, s) => a + s.cachedTokens, 0);
  const outputTokens = ok.reduce((a, s) => a + s.outputTokens, 0);
  const traceSeconds = (out.wallMs * speed) / 1000;
  const h = engines.ttft;
  return {
    strategy,
    requests: out.samples.length,
    completed: ok.length,
    errors: failed.length,
    rejected: rejected.length,
    errorExamples: [...new Set(failed.map((s) => `${s.status} ${s.error}`.slice(0, 200)))].slice(
      0,
      5,
    ),
    ttftMs: percentiles(ttft),
    tpotMs: { p50: tpot.p50, p99: tpot.p99 },
    e2eMs: { p50: e2e.p50, p99: e2e.p99 },
    outputTokensPerS: r3(traceSeconds > 0 ? outputTokens / traceSeconds : NaN),
    prefixHitRatioUsage: r3(prompt > 0 ? cached / prompt : NaN),
    prefixHitRatioEngines: r3(
      engines.prefixCacheQueries > 0 ? engines.prefixCacheHits / engines.prefixCacheQueries : NaN,
    ),
    engineTtftMs: {
      mean: r3(h !== undefined && h.count > 0 ? (h.sum / h.count) * 1000 : NaN),
      p50: r3(h === undefined ? NaN : histogramQuantile(h, 0.5) * 1000),
      p99: r3(h === undefined ? NaN : histogramQuantile(h, 0.99) * 1000),
    },
    preemptions: engines.preemptions,
    engineQueueMeanMs: r3(
      engines.queueCount > 0 ? (engines.queueSeconds / engines.queueCount) * 1000 : NaN,
    ),
    perEngineRequests: perEngine,
    wallSeconds: r3(out.wallMs / 1000),
    sendLagMaxMs: r3(out.lagMaxMs),
  };
}

/** Restores NaN where JSON carried null (the load generator's NaN latencies). */
export function reviveSamples(raw: readonly Record<string, unknown>[]): ReplaySample[] {
  return raw.map((s) => ({
    ...(s as unknown as ReplaySample),
    ttftMs: finite(s.ttftMs) ? s.ttftMs : NaN,
    e2eMs: finite(s.e2eMs) ? s.e2eMs : NaN,
  }));
}
