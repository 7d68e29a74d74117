/**
 * llama.cpp's llama-server metric names (`--metrics`, `llamacpp:` prefix) mapped to the normalized
 * EngineScrape. llama.cpp exposes far less than vLLM: no latency histograms, no request counter,
 * no preemptions, and (since its KV-cache metrics were dropped) no KV usage. What it does not
 * expose stays undefined, never 0, so routing can tell "idle" from "unknown".
 *
 * llama-server prints values with C++ stream defaults (6 significant digits), so counters past
 * 999999 arrive as e.g. `1.23457e+06`: rates computed from them are approximate at that scale.
 */
import type { EngineScrape } from './engine-metrics.js';
import type { Sample } from './prometheus-text.js';

/** An EngineScrape where any figure may be unknown (undefined) because the engine lacks it. */
export type PartialEngineScrape = {
  readonly [K in keyof EngineScrape]: EngineScrape[K] | undefined;
};

function sumOf(samples: readonly Sample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples)
    if (s.name === name && Number.isFinite(s.value)) total = (total ?? 0) + s.value;
  return total;
}

const plus = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? undefined : a + (b ?? 0);

/**
 * Normalizes one llama-server /metrics exposition.
 *
 * - running ← `requests_processing` (slots busy), waiting ← `requests_deferred` (queued for a slot)
 * - prompt tokens ← `prompt_tokens_total` + `prompt_tokens_cached_total`: llama.cpp counts only
 *   the tokens it evaluated, vLLM (the normalized meaning) every prompt token
 * - prefix cache: queries = all prompt tokens, hits = `prompt_tokens_cached_total` (token counts,
 *   as vLLM's); unknown on builds without the cached counter
 * - generation tokens ← `tokens_predicted_total`
 * - KV usage ← `kv_cache_usage_ratio`, which only older llama.cpp builds expose
 */
export function normalizeLlamaCpp(samples: readonly Sample[]): PartialEngineScrape {
  const processed = sumOf(samples, 'llamacpp:prompt_tokens_total');
  const cached = sumOf(samples, 'llamacpp:prompt_tokens_cached_total');
  const kv = sumOf(samples, 'llamacpp:kv_cache_usage_ratio');
  return {
    numRequestsRunning: sumOf(samples, 'llamacpp:requests_processing'),
    numRequestsWaiting: sumOf(samples, 'llamacpp:requests_deferred'),
    kvCacheUsageRatio: kv === undefined ? undefined : Math.min(1, Math.max(0, kv)),
    prefixCacheQueriesTotal: cached === undefined ? undefined : plus(processed, cached),
    prefixCacheHitsTotal: processed === undefined ? undefined : cached,
    numPreemptionsTotal: undefined,
    promptTokensTotal: plus(processed, cached),
    generationTokensTotal: sumOf(samples, 'llamacpp:tokens_predicted_total'),
    requestSuccessTotal: undefined,
    ttftSeconds: undefined,
    itlSeconds: undefined,
    e2eSeconds: undefined,
    queueSeconds: undefined,
    prefillSeconds: undefined,
    decodeSeconds: undefined,
    lora: undefined,
    kvCapacityTokens: undefined,
  };
}
