/**
 * The prefix-cache index's knobs (the leader's `routing.prefixCache` config section): its
 * spec, with defaults, units and bounds, and the validated shape. The routing config nests this
 * spec, so the flag and env var names stay `routing.prefixCache.*`.
 */
import { bool, int, num, str } from '../shared/index.js';

/** Every prefix-cache knob with its default (see routing/routing-config-spec.ts for why AIBrix's manifests). */
export const prefixCacheConfigSpec = {
  blockSizeTokens: int(16, 'prefix-cache block size in stand-in tokens (4 UTF-8 bytes each)', {
    min: 1,
    max: 4096,
  }),
  indexStrideBlocks: int(
    4,
    'index every Nth block only: matches count in N-block steps, index work and memory ÷ N',
    { min: 1, max: 64 },
  ),
  maxBlocks: int(200_000, 'prefix index capacity in indexed blocks, all endpoints (LRU)', {
    min: 1,
  }),
  defaultEndpointCapacityTokens: int(
    400_000,
    'KV capacity (tokens) assumed for an engine that does not report one; the index keeps at most this much per endpoint (LRU)',
    { min: 1 },
  ),
  maxEndpointsPerBlock: int(16, 'endpoints remembered per block; the oldest is dropped', {
    min: 1,
    max: 256,
  }),
  maxPromptBlocks: int(4096, 'blocks hashed per prompt (longer prompts match on their head)', {
    min: 1,
  }),
  entryTtlMs: int(1_200_000, 'a block routed to an endpoint longer ago than this is a miss', {
    min: 1,
  }),
  speculativeMs: int(
    10_000,
    'mode auto: precise scoring also credits an engine this gateway routed the prompt to this recently (ms), until its KV events can confirm it: a burst of a new prompt is not scattered while the first is still prefilling; 0 = events only',
    { min: 0 },
  ),
  imbalanceAbsCount: int(16, 'in-flight spread (max − min) above which only least-loaded count', {
    min: 0,
  }),
  stdDevFactor: num(2, 'prefix matches only on endpoints with in-flight ≤ mean + k·σ', {
    min: 0,
  }),
  mode: str(
    'auto',
    'auto: an engine that publishes KV events is scored from the global block index (GPU + its node’s L1), others from the approximate index; precise: the block index only; approximate: the approximate index only',
    { oneOf: ['auto', 'precise', 'approximate'] },
  ),
  kvBytesPerToken: int(131_072, 'KV bytes per token, for the L1 fetch cost (Llama-3-8B: 128 KiB)', {
    min: 1,
  }),
  l1FetchBytesPerSecond: num(
    2e9,
    'bandwidth of a fetch from the node’s L1 store, bytes/s (≈2 GB/s single TCP stream, perf.md §3.4)',
    { min: 1 },
  ),
  prefillMicrosPerToken: num(
    135,
    'prefill time per token when recomputed, µs (Llama-3-8B on A100 ≈135, on H100 ≈36; perf.md §3.4)',
    { min: 0.001 },
  ),
  resetOnHitRatioMismatch: bool(
    true,
    'forget an endpoint’s blocks when the engine’s hit ratio is far below what the index predicted in two scrape windows in a row',
  ),
  blockIndexSampleEvery: int(
    1,
    'the leader’s global KV block index keeps one block in N (by hash): its CPU and memory ÷ N, precise matches known to within ~N blocks, fewer L1/L2 hits (bench kv trace: external hits 14.4 → 12.2 % at 4); for leaders of ~1,000 nodes',
    { min: 1, max: 64 },
  ),
  blockIndexWorker: bool(
    true,
    'apply the leader’s global KV block index in a worker thread, routing reading its tables in shared memory (at 1,000 nodes the apply took ~30 % of the leader’s main thread); false: on the main thread',
  ),
} as const;

/** Prefix-cache knobs; see {@link prefixCacheConfigSpec} for units and defaults. */
export interface PrefixCacheConfig {
  readonly blockSizeTokens: number;
  readonly indexStrideBlocks: number;
  readonly maxBlocks: number;
  readonly defaultEndpointCapacityTokens: number;
  readonly maxEndpointsPerBlock: number;
  readonly maxPromptBlocks: number;
  readonly entryTtlMs: number;
  readonly speculativeMs: number;
  readonly imbalanceAbsCount: number;
  readonly stdDevFactor: number;
  readonly mode: PrefixCacheMode;
  readonly kvBytesPerToken: number;
  readonly l1FetchBytesPerSecond: number;
  readonly prefillMicrosPerToken: number;
  readonly resetOnHitRatioMismatch: boolean;
  readonly blockIndexSampleEvery: number;
  readonly blockIndexWorker: boolean;
}

/** Where `prefix-cache` reads what engines hold; see {@link prefixCacheConfigSpec}'s `mode`. */
export type PrefixCacheMode = 'auto' | 'precise' | 'approximate';

/**
 * What a block found in the node's L1 store is worth next to one in the engine's GPU cache: 1 −
 * fetch time ÷ recompute time per token (perf.md §3.4), so 0 when fetching is no faster than
 * recomputing (the engine recomputes; the block is worth nothing) and near 1 on a fast link.
 */
export function l1BlockWorth(config: PrefixCacheConfig): number {
  const fetchMicrosPerToken = (config.kvBytesPerToken / config.l1FetchBytesPerSecond) * 1e6;
  return Math.max(0, 1 - fetchMicrosPerToken / config.prefillMicrosPerToken);
}
