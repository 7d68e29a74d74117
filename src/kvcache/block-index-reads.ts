/**
 * The read half of the leader's global block index (global-block-index.ts): what precise prefix
 * routing asks (PreciseBlockView), which peers an agent's L2 lookup may fetch from, and the
 * per-node summary of the control API and console. Apart from the index because none of it
 * changes the index: it reads the same holdings, node records and engine map the index keeps.
 */
import type { BlockHoldings, BlockSource } from './block-holdings.js';
import {
  walkCandidates,
  walkHolders,
  type BlockSampler,
  type ChainHoldings,
} from './chain-walks.js';
import type { KvHolderInfo, KvStoreState } from './kv-batch.js';
import type { KvBatchOrder } from './kv-batch-order.js';
import type { PreciseBlockView } from './precise-block-view.js';

/** What the index keeps of one node. */
export interface IndexedNode extends KvBatchOrder {
  store: KvStoreState | undefined;
  l1: BlockSource | undefined;
  readonly engines: Map<string, BlockSource>;
}

/** One engine's GPU holdings, for the control API. */
export interface KvEngineSummary {
  readonly engineId: string;
  readonly node: string;
  readonly blocks: number;
}

/** One node's holdings and store report, for the control API. */
export interface KvNodeSummary {
  readonly node: string;
  readonly awaitingReset: boolean;
  readonly store: KvStoreState | undefined;
  readonly l1Blocks: number;
  readonly engines: readonly KvEngineSummary[];
}

/** What the reads are over (the index's own maps, shared, not copied). */
export interface BlockIndexReadsOptions {
  readonly holdings: BlockHoldings;
  /** Which blocks the index keeps: the walks check only those. */
  readonly sampler: BlockSampler;
  readonly nodes: ReadonlyMap<string, IndexedNode>;
  /** Engine id → its GPU source. */
  readonly engines: ReadonlyMap<string, BlockSource>;
  /** Holders one lookup returns at most. */
  readonly maxHolders: number;
}

/** See the file comment. */
export class BlockIndexReads implements PreciseBlockView {
  readonly #o: BlockIndexReadsOptions;
  /** The holdings as the chain walks read them, through the sampler. */
  readonly #chain: ChainHoldings;

  constructor(options: BlockIndexReadsOptions) {
    this.#o = options;
    const { holdings, sampler } = options;
    this.#chain = {
      holders: (hash) => holdings.holders(hash),
      holds: (id, hash) => holdings.holds(id, hash),
      keeps: (hash) => sampler.keeps(hash),
    };
  }

  hasL1Store(node: string): boolean {
    return this.#o.nodes.get(node)?.l1 !== undefined;
  }

  publishes(engineId: string): boolean {
    return this.#o.engines.has(engineId);
  }

  /**
   * Per engine asked (same order), how many leading blocks of `chain` its GPU cache holds. The
   * candidates' side of gpuPrefixHolders: tests and the reference pick ask this way.
   */
  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    const { engines } = this.#o;
    return walkCandidates(
      this.#chain,
      chain,
      engineIds.map((id) => engines.get(id)?.id ?? -1),
    );
  }

  /** Per node asked (same order), its L1 run of `chain` from `from` (l1PrefixHolders, per node). */
  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from = 0): Int32Array {
    const records = this.#o.nodes;
    return walkCandidates(
      this.#chain,
      chain,
      nodes.map((n) => records.get(n)?.l1?.id ?? -1),
      from,
    );
  }

  gpuPrefixHolders(chain: readonly number[]): Map<string, number> {
    const { holdings } = this.#o;
    return walkHolders(this.#chain, chain, 0, (id) => {
      const source = holdings.source(id);
      return source?.tier === 'gpu' ? source.engineId : undefined;
    });
  }

  l1PrefixHolders(chain: readonly number[], from = 0): Map<string, number> {
    const { holdings } = this.#o;
    return walkHolders(this.#chain, chain, from, (id) => {
      const source = holdings.source(id);
      return source?.tier === 'l1' ? source.node : undefined;
    });
  }

  /**
   * Peers that hold leading blocks of `chain` in their L1 store and share them (their store
   * report says `shared`), most blocks first (then by name), at most `maxHolders`; `excludeNode`
   * (the asker) is left out.
   */
  lookup(chain: readonly number[], excludeNode?: string): KvHolderInfo[] {
    const peers = [...this.#o.nodes].filter(
      ([node, rec]) => node !== excludeNode && rec.store?.shared === true && rec.l1 !== undefined,
    );
    const counts = walkCandidates(
      this.#chain,
      chain,
      peers.map(([, rec]) => rec.l1?.id ?? -1),
    );
    return rankPeerHolders(
      peers.map(([node, rec]) => [node, rec.store]),
      counts,
      this.#o.maxHolders,
    );
  }

  /** Per node (sorted by name, at most `maxNodes`) its store report and block counts. */
  summary(maxNodes: number): KvNodeSummary[] {
    const records = this.#o.nodes;
    return [...records.keys()]
      .sort()
      .slice(0, maxNodes)
      .map((node) => {
        const rec = records.get(node) as IndexedNode;
        return {
          node,
          awaitingReset: rec.awaitingReset,
          store: rec.store,
          l1Blocks: rec.l1?.blockCount ?? 0,
          engines: [...rec.engines.values()].map((s) => ({
            engineId: s.engineId ?? '',
            node,
            blocks: s.blockCount,
          })),
        };
      });
  }
}

/**
 * An L2 lookup's answer from each peer's count of leading blocks (same order as `peers`): those
 * holding any, most blocks first (then by name), at most `maxHolders`.
 */
export function rankPeerHolders(
  peers: readonly (readonly [node: string, store: KvStoreState | undefined])[],
  counts: ArrayLike<number>,
  maxHolders: number,
): KvHolderInfo[] {
  return peers
    .map(([node, store], i) => ({
      node,
      nativeUrl: store?.nativeUrl ?? '',
      blocks: counts[i] ?? 0,
    }))
    .filter((h) => h.blocks > 0)
    .sort((a, b) => b.blocks - a.blocks || (a.node < b.node ? -1 : 1))
    .slice(0, maxHolders);
}
