/**
 * `bench kv` trace section: where each run's prompt tokens came from, per tier, read from the
 * exposition texts after the replay. GPU prefix hits from the engines' vLLM counters; the L1/L2
 * path from the engines' KV connector (external prefix cache tokens, fetch decisions, bytes real
 * and modeled) and from the agents' block services (blocks served from L1, fetched from a peer as
 * L2, misses, evictions). Pure.
 *
 * The simulator's connector enters a loaded prefix into the GPU cache before the request's
 * admission, so the admission counts those tokens in `vllm:prefix_cache_hits_total` as well as
 * the connector in `vllm:external_prefix_cache_hits_total` (vLLM counts the two apart). The GPU
 * tier here is the first less the second, and the total is the first alone: no token twice.
 */
import { parsePrometheusText } from '../engine/index.js';
import { summarizeHistogram, type GatewayOwnSummary } from './latency-stats.js';

const LOOKUP = 'infernode_sim_kv_lookup_seconds';
const AGENT_GET_PREFIX = 'infernode_kv_get_prefix_seconds';

/** Hit ratios and counts per tier, summed over every engine and every agent. */
export interface TierStats {
  /**
   * Prompt tokens found in the GPU prefix cache that the connector did not just load there
   * (vllm:prefix_cache_hits − vllm:external_prefix_cache_hits), ÷ queried tokens.
   */
  readonly gpuHitRatio: number;
  readonly gpuHitTokens: number;
  readonly queriedTokens: number;
  /** vllm:external_prefix_cache_hits ÷ queries (tokens): prefixes loaded through the connector. */
  readonly externalHitRatio: number;
  readonly externalHitTokens: number;
  /** Every prompt token not computed (GPU hits, loaded ones included once) ÷ queried tokens. */
  readonly totalHitRatio: number;
  /** The connector's lookups by outcome (fetched, recomputed, miss, failed). */
  readonly fetchDecisions: Readonly<Record<string, number>>;
  /** Agents: blocks served from the node's own L1 store, and fetched from a peer (L2). */
  readonly l1HitBlocks: number;
  readonly l1MissBlocks: number;
  readonly l2FetchBlocks: number;
  readonly l2MissBlocks: number;
  /** l1 hits ÷ (l1 hits + l1 misses): blocks the connector asked the agents for. */
  readonly l1HitRatio: number;
  /** l2 fetches ÷ l1 misses: of what the node lacked, how much a peer served. */
  readonly l2FetchRatio: number;
  readonly l1Evictions: number;
  readonly offloadedBlocks: number;
  readonly offloadDroppedBlocks: number;
  /** The connector's bytes: modeled = the true KV size, real = what crossed the sockets. */
  readonly offloadedBytes: { readonly modeled: number; readonly real: number };
  readonly fetchedBytes: { readonly modeled: number; readonly real: number };
  /** The connector's lookup wall time (get-prefix round trip or deadline), ms: all, by outcome. */
  readonly lookupWallMs: GatewayOwnSummary;
  readonly lookupWallMsByOutcome: Readonly<Record<string, GatewayOwnSummary>>;
  /**
   * The agents' side of those lookups, ms: from the decoded frame to the reply, by the last tier
   * asked (l1, or l2 when continued over peers). The rest of the wall time is sockets and the
   * agents' event loops before the frame was read.
   */
  readonly agentGetPrefixMs: Readonly<Record<string, GatewayOwnSummary>>;
}

/** One histogram summed over processes: per value of `label`, bucket bound → cumulative count. */
class HistogramSums {
  readonly #name: string;
  readonly #label: string;
  readonly #by = new Map<string, { buckets: Map<number, number>; sum: number; count: number }>();
  constructor(name: string, label: string) {
    this.#name = name;
    this.#label = label;
  }
  add(name: string, labels: Readonly<Record<string, string>>, value: number): boolean {
    const base = this.#name;
    if (!name.startsWith(base)) return false;
    const key = labels[this.#label] ?? '';
    const h = this.#by.get(key) ?? { buckets: new Map<number, number>(), sum: 0, count: 0 };
    this.#by.set(key, h);
    if (name === `${base}_bucket`) {
      const le = Number(labels.le === '+Inf' ? Infinity : labels.le);
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + value);
    } else if (name === `${base}_sum`) h.sum += value;
    else if (name === `${base}_count`) h.count += value;
    return true;
  }
  summary(only?: string): GatewayOwnSummary {
    const buckets = new Map<number, number>();
    let sum = 0;
    let count = 0;
    for (const [o, h] of this.#by) {
      if (only !== undefined && o !== only) continue;
      for (const [le, c] of h.buckets) buckets.set(le, (buckets.get(le) ?? 0) + c);
      sum += h.sum;
      count += h.count;
    }
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
    return summarizeHistogram({ buckets: sorted, sum, count });
  }
  byLabel(): Record<string, GatewayOwnSummary> {
    const out: Record<string, GatewayOwnSummary> = {};
    for (const o of this.#by.keys()) out[o] = this.summary(o);
    return out;
  }
}

const ratio = (a: number, b: number): number =>
  b > 0 ? Math.round((a / b) * 10_000) / 10_000 : NaN;

/** Sums the tier counters over the engines' and the agents' /metrics texts. */
export function tierStats(
  engineTexts: readonly string[],
  agentTexts: readonly string[],
): TierStats {
  const sums = new Map<string, number>();
  const add = (key: string, v: number): void => void sums.set(key, (sums.get(key) ?? 0) + v);
  const decisions: Record<string, number> = {};
  const lookups = new HistogramSums(LOOKUP, 'outcome');
  const agentLookups = new HistogramSums(AGENT_GET_PREFIX, 'tier');
  for (const text of engineTexts) {
    for (const s of parsePrometheusText(text).samples) {
      if (lookups.add(s.name, s.labels, s.value)) continue;
      if (s.name === 'infernode_sim_kv_fetch_decisions_total') {
        const outcome = s.labels.outcome ?? '';
        decisions[outcome] = (decisions[outcome] ?? 0) + s.value;
      } else if (s.name.startsWith('infernode_sim_kv_') && s.labels.kind !== undefined) {
        add(`${s.name}:${s.labels.kind}`, s.value);
      } else add(s.name, s.value);
    }
  }
  for (const text of agentTexts) {
    for (const s of parsePrometheusText(text).samples) {
      if (agentLookups.add(s.name, s.labels, s.value)) continue;
      if (s.name === 'infernode_kv_hits_total' || s.name === 'infernode_kv_misses_total')
        add(`${s.name}:${s.labels.tier ?? ''}`, s.value);
      else if (s.name === 'infernode_kv_store_evictions_total') add(s.name, s.value);
    }
  }
  const get = (key: string): number => sums.get(key) ?? 0;
  const queried = get('vllm:prefix_cache_queries_total');
  const hits = get('vllm:prefix_cache_hits_total');
  const external = get('vllm:external_prefix_cache_hits_total');
  // Loaded tokens are in both counters (see the file comment); clamp for a load evicted unused.
  const gpu = Math.max(0, hits - external);
  const l1Hits = get('infernode_kv_hits_total:l1');
  const l1Misses = get('infernode_kv_misses_total:l1');
  const l2Hits = get('infernode_kv_hits_total:l2');
  return {
    gpuHitRatio: ratio(gpu, queried),
    gpuHitTokens: gpu,
    queriedTokens: queried,
    externalHitRatio: ratio(external, get('vllm:external_prefix_cache_queries_total')),
    externalHitTokens: external,
    totalHitRatio: ratio(Math.max(hits, external), queried),
    fetchDecisions: decisions,
    l1HitBlocks: l1Hits,
    l1MissBlocks: l1Misses,
    l2FetchBlocks: l2Hits,
    l2MissBlocks: get('infernode_kv_misses_total:l2'),
    l1HitRatio: ratio(l1Hits, l1Hits + l1Misses),
    l2FetchRatio: ratio(l2Hits, l1Misses),
    l1Evictions: get('infernode_kv_store_evictions_total'),
    offloadedBlocks: get('infernode_sim_kv_offloaded_blocks_total'),
    offloadDroppedBlocks: get('infernode_sim_kv_offload_dropped_blocks_total'),
    offloadedBytes: {
      modeled: get('infernode_sim_kv_offloaded_bytes_total:modeled'),
      real: get('infernode_sim_kv_offloaded_bytes_total:real'),
    },
    fetchedBytes: {
      modeled: get('infernode_sim_kv_fetched_bytes_total:modeled'),
      real: get('infernode_sim_kv_fetched_bytes_total:real'),
    },
    lookupWallMs: lookups.summary(),
    lookupWallMsByOutcome: lookups.byLabel(),
    agentGetPrefixMs: agentLookups.byLabel(),
  };
}
