import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { runServeBench } from '../../../src/bench/serve-bench.js';
import { buildWorkload, type ServeBenchConfig } from '../../../src/bench/serve-plan.js';
import { metric, scrape } from '../../helpers/sim-http.js';

const MODEL = 'bench-model';

let sim: SimServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await sim?.close();
  sim = undefined;
});

function config(baseUrl: string, over: Partial<ServeBenchConfig> = {}): ServeBenchConfig {
  return {
    baseUrl,
    endpoint: '/v1/completions',
    model: '',
    apiKey: '',
    workload: 'random',
    numPrompts: 12,
    inputLen: 64,
    outputLen: 16,
    rangeRatio: 0.5,
    prefixLen: 0,
    maxContext: 8192,
    trace: '',
    speed: 1,
    requestRate: 'inf',
    burstiness: 1,
    maxConcurrency: 0,
    sweep: '',
    warmup: 2,
    percentiles: '50,90,99',
    goodput: '',
    seed: 1,
    timeout: 120,
    ignoreEos: true,
    out: '',
    ...over,
  };
}

const counters = async (url: string) => {
  const text = await scrape(url);
  return {
    requests: metric(text, 'vllm:request_success_total'),
    prompt: metric(text, 'vllm:prompt_tokens_total'),
    generated: metric(text, 'vllm:generation_tokens_total'),
  };
};

const quiet = (): void => void vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

describe('bench serve against the simulator', () => {
  it('reports counts and token totals that match what the simulator served, per sweep point', async () => {
    sim = await startSimServer({ speed: 200, model: MODEL });
    quiet();
    const c = config(sim.url, { sweep: 'concurrency=1,4', goodput: 'ttft:600000' });
    const planned = buildWorkload(c);
    const before = await counters(sim.url);
    const { model, points } = await runServeBench(c, new AbortController().signal);
    const after = await counters(sim.url);

    expect(model).toBe(MODEL); // found through /v1/models
    expect(points.map((p) => [p.label, p.maxConcurrency])).toEqual([
      ['concurrency=1', 1],
      ['concurrency=4', 4],
    ]);
    const plannedOut = planned.reduce((a, r) => a + r.outputTokens, 0);
    const warmOut = planned.slice(0, 2).reduce((a, r) => a + r.outputTokens, 0);
    for (const p of points) {
      const m = p.metrics;
      expect(m.completed).toBe(12);
      expect(m.failed).toBe(0);
      expect(m.totalOutputTokens).toBe(plannedOut); // ignore_eos: exactly max_tokens each
      expect(m.goodRequests).toBe(12);
      expect(m.maxConcurrentRequests).toBeLessThanOrEqual(p.maxConcurrency);
      expect(m.ttftMs.mean).toBeGreaterThan(0);
      expect(m.tpotMs.mean).toBeGreaterThan(0);
      expect(m.e2elMs.percentiles.p99).toBeGreaterThanOrEqual(m.e2elMs.median);
      // Throughput divides by the exact duration; the report rounds durationS to the ms, so a
      // short point (tens of ms here) may differ by that rounding and no more.
      const roundingSlack = (m.totalOutputTokens * 0.0005) / (m.durationS - 0.0005) + 0.01;
      expect(Math.abs(m.outputThroughput * m.durationS - m.totalOutputTokens)).toBeLessThanOrEqual(
        roundingSlack,
      );
    }
    // The simulator saw every measured and warm-up request and the same token totals.
    expect(after.requests - before.requests).toBe(2 * (12 + 2));
    expect(after.generated - before.generated).toBe(2 * (plannedOut + warmOut));
    const reportedIn = points.reduce((a, p) => a + p.metrics.totalInputTokens, 0);
    const warmIn = (after.prompt - before.prompt - reportedIn) / 2;
    expect(warmIn).toBeGreaterThan(0);
    expect(Number.isInteger(warmIn)).toBe(true);
  });

  it('streams chat completions of the sharegpt-synth set at a Poisson rate', async () => {
    sim = await startSimServer({ speed: 200, model: MODEL });
    quiet();
    const c = config(sim.url, {
      endpoint: '/v1/chat/completions',
      workload: 'sharegpt-synth',
      model: MODEL,
      numPrompts: 10,
      requestRate: '50',
      warmup: 0,
    });
    const before = await counters(sim.url);
    const { points } = await runServeBench(c, new AbortController().signal);
    const after = await counters(sim.url);
    const m = points[0]!.metrics;
    expect(m.completed).toBe(10);
    expect(m.totalOutputTokens).toBe(after.generated - before.generated);
    expect(m.totalInputTokens).toBe(after.prompt - before.prompt);
    // One text chunk per token from the simulator: ITL gaps = output tokens − completed.
    expect(m.itlMs.mean).toBeGreaterThan(0);
  });

  it('counts failures by reason and keeps going', async () => {
    sim = await startSimServer({ speed: 1, model: MODEL });
    quiet();
    const wrongModel = await runServeBench(
      config(sim.url, { model: 'no-such-model', numPrompts: 3, warmup: 0 }),
      new AbortController().signal,
    );
    expect(wrongModel.points[0]!.metrics).toMatchObject({
      completed: 0,
      failed: 3,
      failures: { 'http 404': 3 },
    });

    const slow = await runServeBench(
      config(sim.url, {
        model: MODEL,
        numPrompts: 2,
        warmup: 0,
        outputLen: 5000,
        rangeRatio: 0,
        timeout: 0.2,
      }),
      new AbortController().signal,
    );
    expect(slow.points[0]!.metrics.failures).toEqual({ timeout: 2 });
  });
});
