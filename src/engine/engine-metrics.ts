/**
 * The normalized view of one engine's load, whatever its dialect (vLLM, SGLang). Agents build it
 * from scrapes, the protocol carries it, routing scores on it.
 */

/** Cumulative histogram totals: enough to compute means over a window from two scrapes. */
export interface HistogramTotals {
  readonly sum: number;
  readonly count: number;
}

/** LoRA adapters as the engine reports them (vLLM `vllm:lora_requests_info`). */
export interface LoraInfo {
  readonly maxLoras: number;
  readonly running: readonly string[];
  readonly waiting: readonly string[];
}

/**
 * One scrape, normalized. Counters are cumulative since engine start. Unknown is not zero: a
 * gauge the engine does not expose (another dialect, metrics turned off) is undefined, and
 * `hasRequestCounters: false` says the token and request counters are missing, so routing
 * never reads an engine it cannot see as idle.
 */
export interface EngineScrape {
  /** Requests running now; undefined when the engine does not expose it. */
  readonly numRequestsRunning: number | undefined;
  /** Requests waiting now; undefined when the engine does not expose it. */
  readonly numRequestsWaiting: number | undefined;
  /** KV cache usage, 0–1; undefined when the engine does not expose it. */
  readonly kvCacheUsageRatio: number | undefined;
  /**
   * False when the engine does not expose its token and request counters (and latency
   * histograms): the counters below then read 0 and every window is empty (unknown). Absent
   * means true (agents before this field always had them), so old reports stay readable.
   */
  readonly hasRequestCounters?: boolean;
  readonly prefixCacheQueriesTotal: number;
  readonly prefixCacheHitsTotal: number;
  readonly numPreemptionsTotal: number;
  readonly promptTokensTotal: number;
  readonly generationTokensTotal: number;
  readonly requestSuccessTotal: number;
  readonly ttftSeconds: HistogramTotals;
  readonly itlSeconds: HistogramTotals;
  readonly e2eSeconds: HistogramTotals;
  readonly queueSeconds: HistogramTotals;
  readonly prefillSeconds: HistogramTotals;
  readonly decodeSeconds: HistogramTotals;
  readonly lora: LoraInfo | undefined;
  /**
   * KV cache capacity in tokens (`num_gpu_blocks × block_size` of vLLM's `cache_config_info`);
   * undefined when the engine does not report it.
   */
  readonly kvCapacityTokens: number | undefined;
}

/** Rates and means over the agent's sliding window (between two scrapes ~window apart). */
export interface EngineWindow {
  /** Length of the window the figures cover, ms. 0 when only one scrape exists. */
  readonly windowMs: number;
  readonly promptTokensPerSecond: number;
  readonly generationTokensPerSecond: number;
  readonly requestsPerSecond: number;
  /** Means of requests finished in the window; undefined when none finished. */
  readonly meanTtftSeconds: number | undefined;
  readonly meanItlSeconds: number | undefined;
  readonly meanQueueSeconds: number | undefined;
  readonly meanPrefillSeconds: number | undefined;
  readonly meanDecodeSeconds: number | undefined;
  readonly meanPromptTokens: number | undefined;
  readonly meanGenerationTokens: number | undefined;
  /** Prefix cache hit ratio (tokens) in the window, 0–1; undefined without queries. */
  readonly prefixCacheHitRatio: number | undefined;
}

/** What an agent reports per engine. */
export interface EngineMetrics {
  readonly scrape: EngineScrape;
  readonly window: EngineWindow;
  /** When the agent took the latest scrape (ms since epoch, agent clock). */
  readonly scrapedAtMs: number;
}

function meanOf(a: HistogramTotals, b: HistogramTotals): number | undefined {
  const count = b.count - a.count;
  return count > 0 ? (b.sum - a.sum) / count : undefined;
}

/** A window with nothing in it: one scrape only, or a counter reset. */
export const EMPTY_WINDOW: EngineWindow = Object.freeze({
  windowMs: 0,
  promptTokensPerSecond: 0,
  generationTokensPerSecond: 0,
  requestsPerSecond: 0,
  meanTtftSeconds: undefined,
  meanItlSeconds: undefined,
  meanQueueSeconds: undefined,
  meanPrefillSeconds: undefined,
  meanDecodeSeconds: undefined,
  meanPromptTokens: undefined,
  meanGenerationTokens: undefined,
  prefixCacheHitRatio: undefined,
});

/**
 * Window figures from an older and a newer scrape; counter resets give zeros, not negatives, and
 * scrapes without request counters give the empty (unknown) window.
 */
export function computeWindow(
  older: EngineScrape | undefined,
  newer: EngineScrape,
  windowMs: number,
): EngineWindow {
  if (
    older === undefined ||
    windowMs <= 0 ||
    newer.hasRequestCounters === false ||
    older.hasRequestCounters === false ||
    newer.promptTokensTotal < older.promptTokensTotal
  ) {
    return EMPTY_WINDOW;
  }
  const seconds = windowMs / 1000;
  const finished = newer.e2eSeconds.count - older.e2eSeconds.count;
  const queries = newer.prefixCacheQueriesTotal - older.prefixCacheQueriesTotal;
  const promptTokens = newer.promptTokensTotal - older.promptTokensTotal;
  const generationTokens = newer.generationTokensTotal - older.generationTokensTotal;
  return {
    windowMs,
    promptTokensPerSecond: promptTokens / seconds,
    generationTokensPerSecond: generationTokens / seconds,
    requestsPerSecond: finished / seconds,
    meanTtftSeconds: meanOf(older.ttftSeconds, newer.ttftSeconds),
    meanItlSeconds: meanOf(older.itlSeconds, newer.itlSeconds),
    meanQueueSeconds: meanOf(older.queueSeconds, newer.queueSeconds),
    meanPrefillSeconds: meanOf(older.prefillSeconds, newer.prefillSeconds),
    meanDecodeSeconds: meanOf(older.decodeSeconds, newer.decodeSeconds),
    meanPromptTokens: finished > 0 ? promptTokens / finished : undefined,
    meanGenerationTokens: finished > 0 ? generationTokens / finished : undefined,
    prefixCacheHitRatio:
      queries > 0 ? (newer.prefixCacheHitsTotal - older.prefixCacheHitsTotal) / queries : undefined,
  };
}
