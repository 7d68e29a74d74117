/**
 * The shapes the global block index reads: an agent's `kv` batch and store report, and what a
 * lookup returns. They mirror src/protocol/kv-messages.ts field for field (KvMessage,
 * KvSourceDelta, KvStoreReport, KvHolder) but live here because this room sits below protocol:
 * the protocol's messages are assignable to them, so the leader passes them in unchanged.
 */

/** Changes of one source on a node (an engine's GPU cache or the node's L1 store). */
export interface KvBatchDelta {
  readonly tier: 'gpu' | 'l1';
  /** The engine for tier `gpu`; absent for `l1`. */
  readonly engineId?: string;
  readonly cleared?: true;
  readonly removed?: readonly number[];
  readonly stored?: readonly number[];
}

/** The node's block service and how full its store is (the latest one is kept). */
export interface KvStoreState {
  readonly nativeUrl: string;
  readonly lmcacheUrl?: string;
  readonly budgetBytes: number;
  readonly usedBytes: number;
  readonly blocks: number;
  /** Whether this node serves its blocks to peers: only shared nodes are lookup answers. */
  readonly shared: boolean;
  /** Block lookups since the agent started, per tier (the console's L1/L2 hit ratios). */
  readonly lookups?: {
    readonly l1Hits: number;
    readonly l1Misses: number;
    readonly l2Hits: number;
    readonly l2Misses: number;
  };
}

/** One `kv` batch of a node: its per-connection seq, an optional reset, deltas, store state. */
export interface KvBatch {
  readonly seq: number;
  readonly reset?: true;
  readonly deltas: readonly KvBatchDelta[];
  readonly store?: KvStoreState;
}

/** A peer holding leading blocks of a looked-up chain in its L1 store. */
export interface KvHolderInfo {
  readonly node: string;
  readonly nativeUrl: string;
  readonly blocks: number;
}

/**
 * What applying a batch did: `applied`; `gap` (a seq was skipped or the node never reset: ask the
 * agent for `kv.resync`, and its batches are ignored until a reset); `ignored` (still waiting
 * for that reset, or the node table is full).
 */
export type KvApplyOutcome = 'applied' | 'gap' | 'ignored';
