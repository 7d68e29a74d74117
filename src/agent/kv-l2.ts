/**
 * L2 = peers (issue #14): when a local client's get or longest-prefix misses in this node's L1
 * store, the block service asks here. We ask the leader's global index which peers hold the
 * missing chain, fetch it from the best holder (the next one if that fails) with the peer flag
 * (the peer answers from its own L1, never asks further), and hand the bytes back to be served.
 * Every failure — no leader, no holder, a peer that died mid-transfer, a timeout — is a miss: the
 * engine recomputes, it never sees an error.
 *
 * HOT ingestion (what is kept): AIBrix ingests into L2 only blocks that cross S3-FIFO's promotion
 * threshold (accessed again after insertion, threshold 1). We apply the same rule in the other
 * direction: a block fetched from a peer is served but not kept the first time; once this node
 * has fetched it `keepAfterFetches` times (default 2: it came back, so it is hot here) a copy goes
 * into the local store under its policy. A one-off prompt thus never churns this node's L1, and a
 * prefix that keeps coming here stops crossing the network. The fetch counts live in a bounded
 * map (oldest forgotten first).
 */
import { hasCode, toError, type Logger } from '../shared/index.js';
import type { BlockKey, BlockMissSource, BlockStore } from '../kvcache/index.js';
import type { KvBlockHash, KvHolder } from '../protocol/index.js';

/** How L2 fetches: where lookups and blocks come from, and its bounds. */
export interface KvL2Options {
  readonly lookups: {
    lookup(chain: readonly KvBlockHash[], signal?: AbortSignal): Promise<readonly KvHolder[]>;
  };
  readonly client: {
    getMany(
      url: string,
      keys: readonly BlockKey[],
      options: { readonly signal?: AbortSignal; readonly timeoutMs?: number },
    ): Promise<Map<BlockKey, Uint8Array>>;
  };
  readonly store: BlockStore;
  /** This node: its own entry in an answer is skipped. */
  readonly node: string;
  /** Fetches of a block on this node before a copy is kept (1: keep every fetched block). */
  readonly keepAfterFetches: number;
  /** Bound of one peer fetch, ms. */
  readonly fetchTimeoutMs: number;
  /** Holders tried per miss, best first; default 2. */
  readonly maxHolders?: number;
  /** Blocks whose fetch counts are remembered; default 65 536. */
  readonly maxTracked?: number;
  readonly log: Logger;
}

/** What L2 did, for metrics and tests. */
export interface KvL2Stats {
  fetchedBlocks: number;
  keptBlocks: number;
  failedFetches: number;
}

/** The agent's L2 (see the file comment). */
export class KvL2 implements BlockMissSource {
  readonly stats: KvL2Stats = { fetchedBlocks: 0, keptBlocks: 0, failedFetches: 0 };
  /** Off while this node does not share across nodes (kv.configure's `shared`): every ask misses. */
  enabled = true;
  private readonly fetchCounts = new Map<BlockKey, number>();
  private readonly options: KvL2Options;

  constructor(options: KvL2Options) {
    this.options = options;
  }

  /** Blocks of `chain` fetched from peers (empty on any failure). */
  async fetch(
    chain: readonly BlockKey[],
    signal: AbortSignal,
  ): Promise<ReadonlyMap<BlockKey, Uint8Array>> {
    const holders = await this.holders(chain, signal);
    for (const holder of holders.slice(0, this.options.maxHolders ?? 2)) {
      if (signal.aborted) break;
      try {
        const found = await this.options.client.getMany(
          holder.nativeUrl,
          chain.slice(0, holder.blocks),
          { signal, timeoutMs: this.options.fetchTimeoutMs },
        );
        if (found.size === 0) continue;
        this.stats.fetchedBlocks += found.size;
        for (const [key, bytes] of found) this.maybeKeep(key, bytes);
        return found;
      } catch (err) {
        this.stats.failedFetches++;
        this.options.log.debug(
          { err: toError(err), peer: holder.node },
          'L2 fetch failed; trying the next holder or missing',
        );
      }
    }
    return new Map();
  }

  /** How many leading blocks of `chain` a peer holds (0 on any failure). */
  async prefix(chain: readonly BlockKey[], signal: AbortSignal): Promise<number> {
    const holders = await this.holders(chain, signal);
    return holders.reduce((best, h) => Math.max(best, Math.min(h.blocks, chain.length)), 0);
  }

  private async holders(
    chain: readonly BlockKey[],
    signal: AbortSignal,
  ): Promise<readonly KvHolder[]> {
    if (chain.length === 0 || !this.enabled) return [];
    try {
      const holders = await this.options.lookups.lookup(chain, signal);
      return holders.filter((h) => h.node !== this.options.node && h.blocks > 0);
    } catch (err) {
      this.options.log.debug({ err: toError(err) }, 'L2 lookup failed; a miss');
      return [];
    }
  }

  /** The HOT rule: keep a local copy once this node has fetched the block often enough. */
  private maybeKeep(key: BlockKey, bytes: Uint8Array): void {
    const seen = (this.fetchCounts.get(key) ?? 0) + 1;
    this.fetchCounts.delete(key);
    if (seen < this.options.keepAfterFetches) {
      this.fetchCounts.set(key, seen);
      const max = this.options.maxTracked ?? 65_536;
      if (this.fetchCounts.size > max) {
        const oldest = this.fetchCounts.keys().next().value as BlockKey;
        this.fetchCounts.delete(oldest);
      }
      return;
    }
    try {
      if (this.options.store.put(key, bytes) === 'stored') this.stats.keptBlocks++;
    } catch (err) {
      if (!hasCode(err, 'KV_BLOCK_TOO_LARGE')) throw err;
    }
  }
}
