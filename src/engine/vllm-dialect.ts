/**
 * vLLM v0.10–v0.11 metric names mapped to the normalized EngineScrape. Where vLLM renamed a metric
 * (gpu_cache_usage_perc → kv_cache_usage_perc, time_per_output_token → inter_token_latency) both
 * names are read and the new one wins.
 */
import type { EngineScrape, HistogramTotals, LoraInfo } from './engine-metrics.js';
import type { Sample } from './prometheus-text.js';

function sumOf(samples: readonly Sample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) if (s.name === name) total = (total ?? 0) + s.value;
  return total;
}

function first(samples: readonly Sample[], ...names: string[]): number {
  for (const name of names) {
    const v = sumOf(samples, name);
    if (v !== undefined) return v;
  }
  return 0;
}

function histogram(samples: readonly Sample[], ...bases: string[]): HistogramTotals {
  for (const base of bases) {
    const count = sumOf(samples, `${base}_count`);
    if (count !== undefined) return { sum: sumOf(samples, `${base}_sum`) ?? 0, count };
  }
  return { sum: 0, count: 0 };
}

function loraInfo(samples: readonly Sample[]): LoraInfo | undefined {
  // The value is a timestamp; the newest sample is the current one.
  let newest: Sample | undefined;
  for (const s of samples) {
    if (s.name === 'vllm:lora_requests_info' && (newest === undefined || s.value >= newest.value))
      newest = s;
  }
  if (newest === undefined) return undefined;
  const split = (v: string | undefined): string[] =>
    v === undefined || v === '' ? [] : v.split(',');
  return {
    maxLoras: Number(newest.labels.max_lora ?? 0),
    running: split(newest.labels.running_lora_adapters),
    waiting: split(newest.labels.waiting_lora_adapters),
  };
}

/**
 * KV capacity in tokens from `vllm:cache_config_info` (an info gauge: the figures are labels):
 * `num_gpu_blocks × block_size`, summed over engines (data-parallel ranks); undefined without it.
 */
function kvCapacityTokens(samples: readonly Sample[]): number | undefined {
  let total: number | undefined;
  for (const s of samples) {
    if (s.name !== 'vllm:cache_config_info') continue;
    const blocks = Number(s.labels.num_gpu_blocks);
    const blockSize = Number(s.labels.block_size);
    if (!(blocks > 0) || !(blockSize > 0)) continue;
    total = (total ?? 0) + blocks * blockSize;
  }
  return total;
}

/**
 * Normalizes one vLLM /metrics exposition. A missing gauge is undefined (unknown, not idle);
 * without `vllm:prompt_tokens_total` the counters are reported as absent
 * (`hasRequestCounters: false`); other missing counters and histograms read as 0.
 */
export function normalizeVllm(samples: readonly Sample[]): EngineScrape {
  const kv =
    sumOf(samples, 'vllm:kv_cache_usage_perc') ?? sumOf(samples, 'vllm:gpu_cache_usage_perc');
  return {
    numRequestsRunning: sumOf(samples, 'vllm:num_requests_running'),
    numRequestsWaiting: sumOf(samples, 'vllm:num_requests_waiting'),
    kvCacheUsageRatio: kv === undefined ? undefined : Math.min(1, Math.max(0, kv)),
    hasRequestCounters: sumOf(samples, 'vllm:prompt_tokens_total') !== undefined,
    prefixCacheQueriesTotal: first(
      samples,
      'vllm:prefix_cache_queries_total',
      'vllm:gpu_prefix_cache_queries_total',
    ),
    prefixCacheHitsTotal: first(
      samples,
      'vllm:prefix_cache_hits_total',
      'vllm:gpu_prefix_cache_hits_total',
    ),
    numPreemptionsTotal: first(samples, 'vllm:num_preemptions_total'),
    promptTokensTotal: first(samples, 'vllm:prompt_tokens_total'),
    generationTokensTotal: first(samples, 'vllm:generation_tokens_total'),
    requestSuccessTotal: first(samples, 'vllm:request_success_total'),
    ttftSeconds: histogram(samples, 'vllm:time_to_first_token_seconds'),
    itlSeconds: histogram(
      samples,
      'vllm:inter_token_latency_seconds',
      'vllm:time_per_output_token_seconds',
    ),
    e2eSeconds: histogram(samples, 'vllm:e2e_request_latency_seconds'),
    queueSeconds: histogram(samples, 'vllm:request_queue_time_seconds'),
    prefillSeconds: histogram(samples, 'vllm:request_prefill_time_seconds'),
    decodeSeconds: histogram(samples, 'vllm:request_decode_time_seconds'),
    lora: loraInfo(samples),
    kvCapacityTokens: kvCapacityTokens(samples),
  };
}
