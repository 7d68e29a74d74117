/**
 * `infernode bench routing-pick`: what one routing decision costs the gateway. A `prefix-cache`
 * pick over 64 endpoints for a 16k-token prompt, timed whole — tokenization, block hashing,
 * index match, score fusion and the post-route index update — against a 0.5 ms budget, plus the
 * stand-in tokenizer + block hash throughput against a 500 MB/s-per-core budget.
 */
import os from 'node:os';
import { defineCommand } from '../shared/index.js';
import { tokenize } from '../engine/index.js';
import { PrefixIndex, hashBlocks } from '../kvcache/index.js';
import {
  createRoutingState,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  type EndpointLoad,
  type RoutingRequest,
  type StrategyMix,
} from '../routing/index.js';
import { SeededRng, int, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';

const spec = {
  picks: int(2000, 'timed picks per strategy', { min: 10 }),
  endpoints: int(64, 'candidate endpoints', { min: 2, max: 4096 }),
  promptTokens: int(16_384, 'prompt length in stand-in tokens (4 bytes each)', { min: 16 }),
  out: str('bench/results/routing-pick.json', 'result file'),
};

/** Deterministic ASCII text of `chars` characters, different per `topic`. */
function text(topic: string, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const part = `${topic} paragraph ${i}: the quick brown fox jumps over the lazy dog. `;
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, chars);
}

function endpointsOf(n: number, rng: SeededRng): EndpointLoad[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `node-${i % 8}/engine-${i}`,
    name: `engine-${i}`,
    model: 'm',
    node: `node-${i % 8}`,
    ready: true,
    healthy: true,
    inFlight: Math.floor(rng.next() * 4),
    pendingPrefillTokens: Math.floor(rng.next() * 4) * 8192,
    metrics: undefined,
    stale: false,
    adapters: [],
    maxLoras: 0,
  }));
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

interface PickTiming {
  /** Wall-clock percentiles of single picks (include the noise of a shared machine). */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Process CPU time per pick (user + system, all threads, GC included), ms: what a pick costs. */
  readonly cpuMsPerPick: number;
}

/**
 * Times `picks` picks. Warm: prompts cycle over 8 long documents, each with a fresh question
 * (long matches, hot index). Cold: every prompt starts differently (no match; every block is new
 * to the index, so the post-route update inserts and evicts all of them).
 */
function timePicks(
  mix: StrategyMix,
  endpoints: EndpointLoad[],
  docs: string[],
  picks: number,
  cold = false,
): PickTiming {
  const config = defaultRoutingConfig();
  const ctx = {
    rng: new SeededRng(42),
    state: createRoutingState(config),
    prefixIndex: new PrefixIndex(config.prefixCache),
  };
  const request = (i: number): RoutingRequest => {
    const doc = docs[i % docs.length] ?? '';
    const promptText = cold ? `request ${i}: ${doc}` : `${doc} question ${i}?`;
    return {
      model: 'm',
      baseModel: 'm',
      adapter: undefined,
      promptText,
      promptTokens: Math.ceil(promptText.length / 4),
      maxTokens: 128,
      user: undefined,
      sessionId: undefined,
      requestId: `r${i}`,
    };
  };
  for (let i = 0; i < 200; i++) pick({ nowMs: i, endpoints }, request(i), mix, ctx);
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < picks; i++) {
    const r = request(i + 200);
    const t0 = performance.now();
    pick({ nowMs: 200 + i, endpoints }, r, mix, ctx);
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    meanMs: Number(mean.toFixed(4)),
    p50Ms: Number(quantile(sorted, 0.5).toFixed(4)),
    p99Ms: Number(quantile(sorted, 0.99).toFixed(4)),
    cpuMsPerPick: Number(((cpu.user + cpu.system) / 1000 / picks).toFixed(4)),
  };
}

/** MB/s of tokenize + hashBlocks (16-token blocks) over `text`, best of 5 rounds. */
function hashMegabytesPerSecond(body: string): { tokenizeAndHash: number; hashOnly: number } {
  const bytes = Buffer.byteLength(body);
  const tokens = tokenize(body);
  let best = { tokenizeAndHash: 0, hashOnly: 0 };
  for (let round = 0; round < 5; round++) {
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) hashBlocks(tokenize(body), 16);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) hashBlocks(tokens, 16);
    const t2 = performance.now();
    const both = (bytes * n) / ((t1 - t0) / 1000) / 1e6;
    const only = (bytes * n) / ((t2 - t1) / 1000) / 1e6;
    best = {
      tokenizeAndHash: Math.max(best.tokenizeAndHash, both),
      hashOnly: Math.max(best.hashOnly, only),
    };
  }
  return { tokenizeAndHash: Math.round(best.tokenizeAndHash), hashOnly: Math.round(best.hashOnly) };
}

function mixOf(spec: string): StrategyMix {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

/** The `routing-pick` bench scenario. */
export const routingPickBench = defineCommand({
  name: 'routing-pick',
  summary:
    'cost of one prefix-cache routing decision (64 endpoints, 16k-token prompt) and hashing MB/s',
  usage: 'infernode bench routing-pick [--picks 2000] [--endpoints 64] [--prompt-tokens 16384]',
  envPrefix: 'BENCH_ROUTING_PICK',
  spec,
  async run({ config }) {
    const chars = config.promptTokens * 4;
    const docs = Array.from({ length: 8 }, (_, d) => text(`document-${d}`, chars - 16));
    const endpoints = endpointsOf(config.endpoints, new SeededRng(7));
    const prefix = timePicks(mixOf('prefix-cache'), endpoints, docs, config.picks);
    const prefixCold = timePicks(mixOf('prefix-cache'), endpoints, docs, config.picks, true);
    const auto = timePicks(mixOf('auto'), endpoints, docs, config.picks);
    const leastRequest = timePicks(mixOf('least-request'), endpoints, docs, config.picks);
    const hashing = hashMegabytesPerSecond(docs[0] ?? '');
    const pickBudgetMs = 0.5;
    const hashBudgetMBps = 500;
    const result = {
      endpoints: config.endpoints,
      promptTokens: config.promptTokens,
      picks: config.picks,
      prefixCachePick: prefix,
      prefixCacheColdPick: prefixCold,
      autoPick: auto,
      leastRequestPick: leastRequest,
      pickBudgetMs,
      prefixCacheP50BudgetRatio: Number((prefix.p50Ms / pickBudgetMs).toFixed(3)),
      prefixCacheCpuBudgetRatio: Number((prefix.cpuMsPerPick / pickBudgetMs).toFixed(3)),
      loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
      hashingMBps: hashing,
      hashBudgetMBps,
      hashingBudgetRatio: Number((hashing.tokenizeAndHash / hashBudgetMBps).toFixed(3)),
      note: 'pick time includes tokenization, block hashing, index match and the post-route index update',
    };
    const path = await writeBenchResult(
      config.out,
      `infernode bench routing-pick --picks ${config.picks} --endpoints ${config.endpoints} --prompt-tokens ${config.promptTokens}`,
      result,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${path}\n`);
    return prefix.cpuMsPerPick < pickBudgetMs && hashing.tokenizeAndHash >= hashBudgetMBps ? 0 : 1;
  },
});
