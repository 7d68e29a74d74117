import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer, type SimServerOptions } from '../../../src/sim/index.js';
import { chatBody, metric, postJson, scrape, waitFor } from '../../helpers/sim-http.js';

// vLLM's buckets (reference/perf.md §8.1), written out here so the test checks the source.
const TTFT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
  160, 640, 2560,
];
const ITL_BUCKETS_S = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
];
const REQUEST_LATENCY_BUCKETS_S = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
async function start(options: SimServerOptions): Promise<SimServer> {
  sim = await startSimServer({ model: 'm', ...options });
  return sim;
}
const M = 'model_name="m"';

const HISTOGRAMS: [string, number[]][] = [
  ['vllm:time_to_first_token_seconds', TTFT_BUCKETS_S],
  ['vllm:inter_token_latency_seconds', ITL_BUCKETS_S],
  ['vllm:time_per_output_token_seconds', ITL_BUCKETS_S],
  ['vllm:e2e_request_latency_seconds', REQUEST_LATENCY_BUCKETS_S],
  ['vllm:request_queue_time_seconds', REQUEST_LATENCY_BUCKETS_S],
  ['vllm:request_prefill_time_seconds', REQUEST_LATENCY_BUCKETS_S],
  ['vllm:request_decode_time_seconds', REQUEST_LATENCY_BUCKETS_S],
  ['vllm:request_inference_time_seconds', REQUEST_LATENCY_BUCKETS_S],
];
const GAUGES_AND_COUNTERS = [
  'vllm:num_requests_running',
  'vllm:num_requests_waiting',
  'vllm:kv_cache_usage_perc',
  'vllm:gpu_cache_usage_perc',
  'vllm:prefix_cache_queries_total',
  'vllm:prefix_cache_hits_total',
  'vllm:num_preemptions_total',
  'vllm:prompt_tokens_total',
  'vllm:generation_tokens_total',
];

describe('simulator /metrics', () => {
  it('exports every required vLLM metric with its labels and buckets', async () => {
    const s = await start({ speed: 1000, enableLora: true, maxLoras: 2 });
    const text = await scrape(s.url);
    for (const name of GAUGES_AND_COUNTERS) expect(metric(text, name, M, 'engine="0"')).toBe(0);
    for (const reason of ['stop', 'length', 'abort'])
      expect(metric(text, 'vllm:request_success_total', M, `finished_reason="${reason}"`)).toBe(0);
    for (const [name, buckets] of HISTOGRAMS) {
      const les = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"`, 'gm'))].map(
        (m) => m[1],
      );
      expect(les, name).toEqual([...buckets.map(String), '+Inf']);
    }
    expect(text).toMatch(
      /^vllm:cache_config_info\{[^}]*block_size="16"[^}]*num_gpu_blocks="25000"[^}]*\} 1$/m,
    );
    const lora = /^vllm:lora_requests_info\{([^}]*)\} (\S+)$/m.exec(text);
    expect(lora?.[1]).toContain('max_lora="2"');
    expect(lora?.[1]).toContain('waiting_lora_adapters=""');
    expect(lora?.[1]).toContain('running_lora_adapters=""');
    expect(Math.abs(Number(lora?.[2]) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('parses with promtool (only vLLM’s own naming lints)', async () => {
    const s = await start({ speed: 1000, enableLora: true });
    await postJson(s.url, '/v1/chat/completions', chatBody('hello', 4));
    const out = spawnSync('promtool', ['check', 'metrics'], {
      input: await scrape(s.url),
      encoding: 'utf8',
    });
    const report = `${out.stdout}${out.stderr}`;
    expect(report).not.toContain('error while linting');
    // promtool exits 0 when clean, 3 for lint findings, 1 for a parse error.
    expect([0, 3]).toContain(out.status);
    const lints = report.split('\n').filter((l) => l.trim() !== '');
    for (const line of lints)
      expect(line).toMatch(
        /metric names should not contain ':'|vllm:iteration_tokens_total non-counter metrics should not have "_total" suffix/,
      );
  });

  it('TTFT grows with uncached prompt tokens and drops when the prefix is cached', async () => {
    const s = await start({ speed: 1000 });
    const ttftSum = async (): Promise<number> =>
      metric(await scrape(s.url), 'vllm:time_to_first_token_seconds_sum', M);
    const measure = async (content: string): Promise<number> => {
      const before = await ttftSum();
      const r = await postJson(s.url, '/v1/chat/completions', chatBody(content, 2));
      expect(r.status).toBe(200);
      return (await ttftSum()) - before;
    };
    const short = await measure('x'.repeat(400));
    const long = await measure('y'.repeat(32_000));
    const cached = await measure('y'.repeat(32_000));
    expect(long).toBeGreaterThan(3 * short);
    expect(cached).toBeLessThan(long / 3);
    const text = await scrape(s.url);
    const queries = metric(text, 'vllm:prefix_cache_queries_total', M);
    const hits = metric(text, 'vllm:prefix_cache_hits_total', M);
    expect(hits).toBeGreaterThan(7900);
    expect(queries).toBeGreaterThan(16_000);
    expect(metric(text, 'vllm:prompt_tokens_total', M)).toBe(queries);
    expect(metric(text, 'vllm:generation_tokens_total', M)).toBe(6);
  });

  it('queues requests past max_num_seqs and shows KV usage while they run', async () => {
    const s = await start({ speed: 2, maxNumSeqs: 2 });
    const requests = Array.from({ length: 6 }, (_, i) =>
      postJson(s.url, '/v1/completions', {
        prompt: `p${i} ${'z'.repeat(300)}`,
        max_tokens: 100,
        ignore_eos: true,
      }),
    );
    let waiting = 0;
    let usage = 0;
    await waitFor(async () => {
      const text = await scrape(s.url);
      waiting = metric(text, 'vllm:num_requests_waiting', M);
      usage = metric(text, 'vllm:kv_cache_usage_perc', M);
      return waiting > 0 && metric(text, 'vllm:num_requests_running', M) === 2;
    });
    expect(waiting).toBeGreaterThan(0);
    expect(usage).toBeGreaterThan(0);
    for (const r of await Promise.all(requests)) expect(r.status).toBe(200);
    const text = await scrape(s.url);
    expect(metric(text, 'vllm:kv_cache_usage_perc', M)).toBe(0);
    expect(metric(text, 'vllm:request_queue_time_seconds_sum', M)).toBeGreaterThan(0.5);
    expect(metric(text, 'vllm:request_success_total', M, 'finished_reason="length"')).toBe(6);
  });

  it('preempts when the KV cache is too small, and every request still completes', async () => {
    // Speed 5: each request lasts ~185 ms of wall time, so the four overlap.
    const s = await start({ speed: 5, numGpuBlocks: 20 });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        postJson(s.url, '/v1/completions', {
          prompt: `q${i}`.repeat(30),
          max_tokens: 120,
          ignore_eos: true,
        }),
      ),
    );
    for (const r of results) expect(r.json.usage.completion_tokens).toBe(120);
    expect(metric(await scrape(s.url), 'vllm:num_preemptions_total', M)).toBeGreaterThan(0);
  });
});
