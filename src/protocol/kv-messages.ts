/**
 * KV messages between agents and the leader (DESIGN.md §4.2, §4.4; issue #14).
 *
 * Agents tell the leader which KV blocks their node holds, per tier: `gpu` blocks come from each
 * engine's KV events (vLLM's BlockStored / BlockRemoved / AllBlocksCleared), `l1` blocks from the
 * agent's own DRAM store. The leader folds them into one global index (block hash → engines and
 * nodes) that precise prefix routing and L2 lookups read.
 *
 * Keys are infernode's chained 52-bit block hashes (src/kvcache hashBlocks), never an engine's own
 * hash: the agent translates each BlockStored from its token ids and parent, so the index and the
 * gateway agree whatever hash function an engine was started with.
 *
 * Ordering: `kv` messages carry their own seq per connection, starting at 1 after each `hello`.
 * The first `kv` message of a connection has `reset: true` (drop everything this node reported
 * before, then apply). A gap in seq makes the leader send `kv.resync`; the agent answers with a
 * fresh `reset` followed by its whole holdings, in as many messages as the bounds require.
 */

/** A KV block key: infernode's chained block hash, a safe integer below 2^52. */
export type KvBlockHash = number;

/** Where a reported block lives: an engine's GPU cache or the node agent's DRAM store. */
export type KvTier = 'gpu' | 'l1';

/** Changes of one source on the node, applied in the order: cleared, removed, stored. */
export interface KvSourceDelta {
  readonly tier: KvTier;
  /** The engine (EngineReport.id) for tier `gpu`; absent for `l1`. */
  readonly engineId?: string;
  /** The source lost everything it held (AllBlocksCleared, an engine restart, a store reset). */
  readonly cleared?: true;
  readonly removed?: readonly KvBlockHash[];
  readonly stored?: readonly KvBlockHash[];
}

/** How the node's block service is reached and how full its store is. */
export interface KvStoreReport {
  /** The native block service, `ikv://host:port` (peers and engines on the node use it). */
  readonly nativeUrl: string;
  /** The LMCache-compatible listener, `lm://host:port`, when enabled. */
  readonly lmcacheUrl?: string;
  readonly budgetBytes: number;
  readonly usedBytes: number;
  readonly blocks: number;
  /** Whether this node serves its blocks to peers (KVCache sharing). */
  readonly shared: boolean;
  /** Blocks asked of the block service since the agent started, found or not, per tier. */
  readonly lookups?: KvLookupCounts;
}

/** Cumulative block lookups per tier (l1: this node's store; l2: fetched from a peer). */
export interface KvLookupCounts {
  readonly l1Hits: number;
  readonly l1Misses: number;
  readonly l2Hits: number;
  readonly l2Misses: number;
}

/** agent → leader: a batch of block changes, and the store's state when it changed. */
export interface KvMessage {
  readonly v: 1;
  readonly type: 'kv';
  /** 1, 2, 3… per connection; a gap means lost changes. */
  readonly seq: number;
  /** Drop everything this node reported before applying this message. */
  readonly reset?: true;
  readonly deltas: readonly KvSourceDelta[];
  readonly store?: KvStoreReport;
}

/** leader → agent: the leader lost track (a seq gap, an index rebuilt); send everything again. */
export interface KvResyncMessage {
  readonly v: 1;
  readonly type: 'kv.resync';
  readonly reason: string;
}

/** agent → leader: which peers hold the leading blocks of this chain (an L1 miss; L2 lookup). */
export interface KvLookupMessage {
  readonly v: 1;
  readonly type: 'kv.lookup';
  /** Chosen by the agent, echoed in the answer; unique among its pending lookups. */
  readonly id: string;
  /** A chain of block hashes in prefix order (the first missing block and the ones after it). */
  readonly hashes: readonly KvBlockHash[];
}

/** One peer that holds blocks of a looked-up chain in its L1 store. */
export interface KvHolder {
  readonly node: string;
  /** The peer's native block service (`ikv://host:port`). */
  readonly nativeUrl: string;
  /** How many leading blocks of the asked chain the peer holds (≥ 1). */
  readonly blocks: number;
}

/** leader → agent: the answer to `kv.lookup`, best holder first; empty when no peer has them. */
export interface KvLookupResultMessage {
  readonly v: 1;
  readonly type: 'kv.lookup.result';
  readonly id: string;
  readonly holders: readonly KvHolder[];
}

/** Bounds on what one KV message may carry. */
export const KV_MESSAGE_LIMITS = {
  /** Block hashes in one `kv` message, over all its deltas (≈ 150 KiB of JSON). */
  hashesPerMessage: 8192,
  deltasPerMessage: 512,
  /**
   * Hashes in one lookup: 8192 blocks = 131k tokens at 16 tokens per block, a whole long
   * context (the same bound as a `kv` message, ≈ 150 KiB of JSON). It was 512 (8k tokens): an L2
   * fetch then stopped at 8k tokens of a conversation whose prompts run to 14k on average and
   * 123k at most (the Mooncake trace), and the engine recomputed the rest.
   */
  hashesPerLookup: 8192,
  holdersPerLookup: 16,
} as const;
