import { describe, expect, it } from 'vitest';
import { computeWindow, normalizeVllm, parsePrometheusText } from '../../../src/engine/index.js';

const TEXT = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} 3.0
vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.9
vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
vllm:prefix_cache_queries_total{engine="0",model_name="m"} 1000.0
vllm:prefix_cache_hits_total{engine="0",model_name="m"} 400.0
vllm:prompt_tokens_total{engine="0",model_name="m"} 5000.0
vllm:generation_tokens_total{engine="0",model_name="m"} 700.0
vllm:request_success_total{engine="0",finished_reason="length",model_name="m"} 4.0
vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} 6.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="m"} 0.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 10.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 10.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 2.5
vllm:time_per_output_token_seconds_count{engine="0",model_name="m"} 690.0
vllm:time_per_output_token_seconds_sum{engine="0",model_name="m"} 6.9
vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} 10.0
vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 9.0
vllm:lora_requests_info{max_lora="4",running_lora_adapters="a,b",waiting_lora_adapters=""} 1.7e+09
vllm:lora_requests_info{max_lora="4",running_lora_adapters="c",waiting_lora_adapters="d"} 1.8e+09
garbage line without value
`;

describe('parsePrometheusText', () => {
  it('parses samples with labels, escapes and +Inf, and counts malformed lines', () => {
    const { samples, malformedLines } = parsePrometheusText(`${TEXT}x{a="q\\"uote"} +Inf\n`);
    expect(malformedLines).toBe(1);
    const last = samples[samples.length - 1]!;
    expect(last).toEqual({ name: 'x', labels: { a: 'q"uote' }, value: Infinity });
  });
});

describe('normalizeVllm', () => {
  const scrape = normalizeVllm(parsePrometheusText(TEXT).samples);

  it('maps vLLM names, preferring kv_cache_usage_perc over the deprecated gpu_cache_usage_perc', () => {
    expect(scrape.numRequestsRunning).toBe(3);
    expect(scrape.numRequestsWaiting).toBe(2);
    expect(scrape.kvCacheUsageRatio).toBe(0.25);
    expect(scrape.prefixCacheHitsTotal).toBe(400);
    expect(scrape.requestSuccessTotal).toBe(10);
    expect(scrape.ttftSeconds).toEqual({ sum: 2.5, count: 10 });
    expect(scrape.itlSeconds).toEqual({ sum: 6.9, count: 690 });
  });

  it.each([
    ['absent', '', undefined],
    [
      'one engine',
      'vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="26700"} 1.0',
      427_200,
    ],
    [
      'two data-parallel engines',
      'vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="100"} 1.0\n' +
        'vllm:cache_config_info{block_size="16",engine="1",num_gpu_blocks="100"} 1.0',
      3_200,
    ],
    ['blocks not reported', 'vllm:cache_config_info{block_size="16",engine="0"} 1.0', undefined],
  ])('reads KV capacity from cache_config_info — %s', (_name, lines, tokens) => {
    const s = normalizeVllm(parsePrometheusText(`${TEXT}${lines}\n`).samples);
    expect(s.kvCapacityTokens).toBe(tokens);
  });

  it('reads metrics of another dialect as unknown, not as an idle engine', () => {
    const llamaCpp = `llamacpp:requests_processing 3
llamacpp:kv_cache_usage_ratio 0.8
llamacpp:prompt_tokens_total 1200
`;
    const scrape = normalizeVllm(parsePrometheusText(llamaCpp).samples);
    expect(scrape.numRequestsRunning).toBeUndefined();
    expect(scrape.numRequestsWaiting).toBeUndefined();
    expect(scrape.kvCacheUsageRatio).toBeUndefined();
    expect(scrape.hasRequestCounters).toBe(false);
    expect(computeWindow(scrape, scrape, 10_000).windowMs).toBe(0);
    expect(normalizeVllm(parsePrometheusText(TEXT).samples).hasRequestCounters).toBe(true);
  });

  it('takes the newest lora_requests_info sample', () => {
    expect(scrape.lora).toEqual({ maxLoras: 4, running: ['c'], waiting: ['d'] });
  });

  it('computes window rates and means from two scrapes', () => {
    const later = {
      ...scrape,
      promptTokensTotal: 7000,
      generationTokensTotal: 900,
      e2eSeconds: { sum: 11, count: 12 },
      ttftSeconds: { sum: 3.5, count: 12 },
      prefixCacheQueriesTotal: 2000,
      prefixCacheHitsTotal: 900,
    };
    const w = computeWindow(scrape, later, 2000);
    expect(w.promptTokensPerSecond).toBe(1000);
    expect(w.generationTokensPerSecond).toBe(100);
    expect(w.requestsPerSecond).toBe(1);
    expect(w.meanTtftSeconds).toBe(0.5);
    expect(w.meanPromptTokens).toBe(1000);
    expect(w.prefixCacheHitRatio).toBe(0.5);
    expect(computeWindow(undefined, later, 2000).windowMs).toBe(0);
  });
});
