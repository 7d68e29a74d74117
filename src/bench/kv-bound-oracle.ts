/**
 * The pure half of `bench kv-bound`'s oracles, the upper bounds for any KV tier: which blocks of
 * the trace some engine has computed (so a perfect tier could hand them to any engine), and what
 * loading a request's known prefix costs. `oracle-free` loads at no cost; `oracle-link` pays the
 * transfer of the blocks' true KV bytes over the connector's modeled link and loads only when
 * that beats recomputing them — the simulator's own decision (kv-transfer-model.ts, perf.md
 * §3.4). Where the blocks then enter the engine is kv-bound-replay.ts.
 */
import { decideFetch, type BlockPool, type HardwareProfile } from '../sim/index.js';
import { BoundedKnownBlocks, type BoundedTierSpec, type KnownBlocks } from './kv-bound-l1.js';
import { NodeKnownBlocks } from './kv-bound-nodes.js';

/**
 * The hashes of every block some engine has computed. Bounded: it keeps at most `maxBlocks`
 * hashes and ignores the rest (a replayed trace window has a known, finite number of distinct
 * blocks; the bench sizes the bound above it and reports whether it was reached).
 */
export class ComputedBlocks implements KnownBlocks {
  readonly #known = new Set<number>();
  readonly #max: number;
  /** True once a hash was ignored because the set was full. */
  overflowed = false;

  constructor(maxBlocks: number) {
    this.#max = maxBlocks;
  }

  get size(): number {
    return this.#known.size;
  }

  /** Records the first `count` blocks of `chain` as computed. */
  add(chain: readonly number[], count = chain.length): void {
    for (let i = 0; i < count && i < chain.length; i++) {
      const hash = chain[i] as number;
      if (this.#known.has(hash)) continue;
      if (this.#known.size >= this.#max) {
        this.overflowed = true;
        return;
      }
      this.#known.add(hash);
    }
  }

  has(hash: number): boolean {
    return this.#known.has(hash);
  }

  holds(hash: number): boolean {
    return this.#known.has(hash);
  }

  /** Unbounded: a read changes nothing (nothing is ever evicted). */
  read(): void {
    return undefined;
  }
}

/**
 * Leading blocks of `chain` (at most `max`) that a perfect tier could supply to an engine whose
 * GPU cache is `pool` (on `node`): each is in that cache or the tier has it for that node.
 */
export function knownPrefixBlocks(
  chain: readonly number[],
  max: number,
  pool: BlockPool,
  computed: KnownBlocks,
  node?: string,
): number {
  let k = 0;
  while (k < max) {
    const hash = chain[k] as number;
    if (pool.lookup(hash) < 0 && !computed.has(hash, node)) break;
    k++;
  }
  return k;
}

/** Loadable blocks of a prompt: the last prompt token is always computed (the core's rule). */
export function maxPrefixBlocks(
  promptTokens: number,
  chainLength: number,
  blockSizeTokens: number,
): number {
  return Math.min(chainLength, Math.floor((promptTokens - 1) / blockSizeTokens));
}

/** How an oracle loads a prefix: at no cost, or over a modeled link. */
export type OracleCost =
  | { readonly kind: 'free' }
  | {
      readonly kind: 'link';
      readonly profile: HardwareProfile;
      /** Modeled link bandwidth, bytes/s (the connector's linkBytesPerS). */
      readonly linkBytesPerS: number;
      /** A tier of this size (`oracle-l1`); absent: unbounded (`oracle-link`). */
      readonly tier?: BoundedTierSpec;
      /** With `tier`: cut into one store per node (`oracle-l1-nodes`, kv-bound-nodes.ts). */
      readonly perNode?: { readonly keepAfterFetches: number };
    };

/** What the oracle loads for one request: blocks [fromBlock, toBlock) and the transfer time. */
export interface OracleLoad {
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Modeled transfer time, seconds (0 for `free`). */
  readonly transferS: number;
}

/**
 * The load of blocks [gpuHitBlocks, knownBlocks): none when there is nothing past the GPU hit,
 * or (over a link) when moving them is not faster than recomputing them.
 */
export function planOracleLoad(
  cost: OracleCost,
  gpuHitBlocks: number,
  knownBlocks: number,
  blockSizeTokens: number,
): OracleLoad | null {
  if (knownBlocks <= gpuHitBlocks) return null;
  if (cost.kind === 'free') return { fromBlock: gpuHitBlocks, toBlock: knownBlocks, transferS: 0 };
  const tokens = (knownBlocks - gpuHitBlocks) * blockSizeTokens;
  const decision = decideFetch(cost.profile, tokens, cost.linkBytesPerS);
  if (!decision.fetch) return null;
  return { fromBlock: gpuHitBlocks, toBlock: knownBlocks, transferS: decision.transferS };
}

/** The record of what the oracle's tier holds: unbounded, pooled and bounded, or per node. */
export function oracleTier(
  oracle: OracleCost | undefined,
  nodes: number,
  chainBlocks: number,
): KnownBlocks {
  if (oracle?.kind !== 'link' || oracle.tier === undefined) return new ComputedBlocks(chainBlocks);
  if (oracle.perNode === undefined) return new BoundedKnownBlocks(oracle.tier);
  return new NodeKnownBlocks({
    ...oracle.tier,
    nodes,
    keepAfterFetches: oracle.perNode.keepAfterFetches,
    maxFetchCounts: chainBlocks,
  });
}
