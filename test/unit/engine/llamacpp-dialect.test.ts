import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeLlamaCpp, parsePrometheusText } from '../../../src/engine/index.js';

// Figures of metrics-after.txt, read off the capture (prompt = evaluated + cached tokens).
const AFTER_PROMPT_TOKENS = 75 + 12;
const AFTER_CACHED_TOKENS = 12;
const AFTER_GENERATED_TOKENS = 1216;

/** llama-server /metrics texts (see test/fixtures/llama-server/SOURCES.md). */
const capture = (name: string) =>
  normalizeLlamaCpp(
    parsePrometheusText(readFileSync(`test/fixtures/llama-server/${name}.txt`, 'utf8')).samples,
  );

describe('normalizeLlamaCpp on llama-server /metrics texts', () => {
  it('reads an idle server as idle: zeros it reports, not zeros it lacks', () => {
    const idle = capture('metrics-idle');
    expect(idle.numRequestsRunning).toBe(0);
    expect(idle.numRequestsWaiting).toBe(0);
    expect(idle.promptTokensTotal).toBe(0);
    expect(idle.generationTokensTotal).toBe(0);
  });

  it('maps busy slots to running and requests waiting for a slot to waiting', () => {
    const busy = capture('metrics-busy');
    expect(busy.numRequestsRunning).toBe(2);
    expect(busy.numRequestsWaiting).toBe(1);
  });

  it('counts every prompt token (evaluated + reused from cache) and generated tokens', () => {
    const after = capture('metrics-after');
    expect(after.promptTokensTotal).toBe(AFTER_PROMPT_TOKENS);
    expect(after.generationTokensTotal).toBe(AFTER_GENERATED_TOKENS);
    expect(after.prefixCacheHitsTotal).toBe(AFTER_CACHED_TOKENS);
    expect(after.prefixCacheQueriesTotal).toBe(AFTER_PROMPT_TOKENS);
    expect(after.numRequestsRunning).toBe(0);
  });

  it('leaves what llama.cpp does not expose unknown, never 0', () => {
    const after = capture('metrics-after');
    expect(after.kvCacheUsageRatio).toBeUndefined();
    expect(after.kvCapacityTokens).toBeUndefined();
    expect(after.requestSuccessTotal).toBeUndefined();
    expect(after.numPreemptionsTotal).toBeUndefined();
    expect(after.ttftSeconds).toBeUndefined();
    expect(after.e2eSeconds).toBeUndefined();
    expect(after.lora).toBeUndefined();
  });
});

describe('normalizeLlamaCpp on other builds', () => {
  it('reads the KV usage ratio of older builds, clamped to 0–1', () => {
    const { samples } = parsePrometheusText(
      'llamacpp:kv_cache_usage_ratio 1.5\nllamacpp:requests_processing 1\n',
    );
    expect(normalizeLlamaCpp(samples).kvCacheUsageRatio).toBe(1);
  });

  it('leaves prefix-cache figures unknown without the cached-token counter', () => {
    const { samples } = parsePrometheusText('llamacpp:prompt_tokens_total 40\n');
    const scrape = normalizeLlamaCpp(samples);
    expect(scrape.promptTokensTotal).toBe(40);
    expect(scrape.prefixCacheQueriesTotal).toBeUndefined();
    expect(scrape.prefixCacheHitsTotal).toBeUndefined();
  });

  it('knows nothing from a vLLM exposition', () => {
    const { samples } = parsePrometheusText('vllm:num_requests_running{engine="0"} 3\n');
    expect(Object.values(normalizeLlamaCpp(samples)).every((v) => v === undefined)).toBe(true);
  });
});
