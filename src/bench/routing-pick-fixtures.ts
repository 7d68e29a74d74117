/**
 * The world `bench routing-pick` times picks in: a fleet of engines for one model that report
 * metrics as agents do (KV usage, KV capacity, counters), long prompts over a few shared
 * documents, and — for the precise prefix mode — a global block index in which every engine
 * publishes KV events and a few engines hold each document.
 */
import { EMPTY_WINDOW, type EngineMetrics } from '../engine/index.js';
import { GlobalBlockIndex, promptBlockHashes, type PrefixCacheConfig } from '../kvcache/index.js';
import type { EndpointLoad, RoutingRequest } from '../routing/index.js';
import type { SeededRng } from '../shared/index.js';

/** Deterministic ASCII text of `chars` characters, different per `topic`. */
export function benchText(topic: string, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const part = `${topic} paragraph ${i}: the quick brown fox jumps over the lazy dog. `;
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, chars);
}

/** What an agent would report for an engine: KV usage `kvUsage`, an H100's KV capacity. */
function reportedMetrics(kvUsage: number, scrapedAtMs: number): EngineMetrics {
  const none = { sum: 0, count: 0 };
  return {
    scrapedAtMs,
    scrape: {
      numRequestsRunning: 2,
      numRequestsWaiting: 0,
      kvCacheUsageRatio: kvUsage,
      hasRequestCounters: true,
      prefixCacheQueriesTotal: 1_000_000,
      prefixCacheHitsTotal: 600_000,
      numPreemptionsTotal: 0,
      promptTokensTotal: 1_000_000,
      generationTokensTotal: 100_000,
      requestSuccessTotal: 1_000,
      ttftSeconds: none,
      itlSeconds: none,
      e2eSeconds: none,
      queueSeconds: none,
      prefillSeconds: none,
      decodeSeconds: none,
      lora: undefined,
      kvCapacityTokens: 400_000,
    },
    window: { ...EMPTY_WINDOW, windowMs: 10_000 },
  };
}

/** `n` ready, healthy engines of model `m` on 8-engine nodes, with random load and metrics. */
export function benchEndpoints(n: number, rng: SeededRng): EndpointLoad[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `node-${Math.floor(i / 8)}/engine-${i}`,
    name: `engine-${i}`,
    model: 'm',
    node: `node-${Math.floor(i / 8)}`,
    ready: true,
    healthy: true,
    inFlight: Math.floor(rng.next() * 4),
    pendingPrefillTokens: Math.floor(rng.next() * 4) * 8192,
    metrics: reportedMetrics(Math.round(rng.next() * 100) / 100, 1_000),
    stale: false,
    adapters: [],
    maxLoras: 0,
  }));
}

/** A request for model `m` with `promptText`, counted in stand-in tokens (4 bytes each). */
export function benchRequest(promptText: string, i: number): RoutingRequest {
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
}

/**
 * A global block index in which every engine publishes KV events (so precise mode scores them
 * all) and document d's whole chain sits in the GPU cache of 4 engines spread over the fleet.
 */
export function benchBlockIndex(
  endpoints: readonly EndpointLoad[],
  docs: readonly string[],
  config: PrefixCacheConfig,
): GlobalBlockIndex {
  const index = new GlobalBlockIndex({ maxEntries: 1_000_000, maxBlocksPerNode: 1_000_000 });
  const chains = docs.map((d) =>
    promptBlockHashes(d, config.blockSizeTokens, config.maxPromptBlocks, undefined),
  );
  const byNode = new Map<string, EndpointLoad[]>();
  for (const e of endpoints) byNode.set(e.node, [...(byNode.get(e.node) ?? []), e]);
  const holders = (d: number): Set<string> => {
    const step = Math.max(1, Math.floor(endpoints.length / 4));
    return new Set(
      [0, 1, 2, 3].map((k) => endpoints[(d * 7 + k * step) % endpoints.length]?.id ?? ''),
    );
  };
  for (const [node, engines] of byNode) {
    const deltas = engines.map((e) => ({
      tier: 'gpu' as const,
      engineId: e.id,
      stored: chains.flatMap((chain, d) => (holders(d).has(e.id) ? chain : [])),
    }));
    index.apply(node, { seq: 0, reset: true, deltas });
  }
  return index;
}
