/**
 * The leader's global KV block index (DESIGN.md §4.4, issue #14): block hash → the engines
 * holding it in their GPU cache and the nodes holding it in their agent's L1 store, built from the
 * agents' `kv` batches. Precise prefix routing reads it (PreciseBlockView) and agents' L2 lookups
 * ask it which peer holds a chain.
 *
 * Per node, batches are applied in seq order from a reset (kv-batch-order.ts); a gap is reported
 * to the caller, which asks for a resync. Per delta the order is cleared, removed, stored.
 *
 * A leader failover loses nothing for longer than one resync: a new leader starts empty and every
 * agent's first batch after the welcome is a reset with its full holdings.
 *
 * Bounded: `maxEntries` blocks, `maxBlocksPerNode` pairs per node (see BlockHoldings), `maxNodes`
 * node records. Pure: no clock, no I/O.
 */
import {
  BlockHoldings,
  type BlockEvictions,
  type BlockHoldingsBuffers,
  type BlockHoldingsSharing,
  type BlockSource,
} from './block-holdings.js';
import { BlockIndexReads, type IndexedNode, type KvNodeSummary } from './block-index-reads.js';
import { BlockSampler } from './chain-walks.js';
import { admitKvBatch } from './kv-batch-order.js';
import type {
  KvApplyOutcome,
  KvBatch,
  KvBatchDelta,
  KvHolderInfo,
  KvStoreState,
} from './kv-batch.js';
import type { PreciseBlockView } from './precise-block-view.js';

export type { KvEngineSummary, KvNodeSummary } from './block-index-reads.js';

/** Bounds of the global block index. */
export interface GlobalBlockIndexOptions {
  /** Distinct blocks kept, all sources together; one not stored again lately leaves first (CLOCK). */
  readonly maxEntries: number;
  /** (block, source) pairs kept per node; its largest source drops its oldest block. */
  readonly maxBlocksPerNode: number;
  /** Node records kept; batches of further nodes are ignored. Default 10000. */
  readonly maxNodes?: number;
  /** Holders one lookup returns at most. Default 16 (KV_MESSAGE_LIMITS.holdersPerLookup). */
  readonly maxHolders?: number;
  /**
   * Keep one block in this many (chosen by hash; chain-walks.ts): the index's work and memory
   * shrink by the factor, prefix lengths are known to within about as many blocks. Default 1.
   */
  readonly sampleEvery?: number;
  /** Shares the holdings' memory with a reader on another thread (the leader's worker). */
  readonly sharing?: BlockHoldingsSharing;
}

/** Counters of what the index did, for metrics. */
export interface GlobalBlockIndexCounters {
  applied: number;
  gaps: number;
  ignored: number;
  lookups: number;
}

export class GlobalBlockIndex implements PreciseBlockView {
  readonly #holdings: BlockHoldings;
  readonly #nodes = new Map<string, IndexedNode>();
  /** What routing, L2 lookups and the control API read (over the same maps). */
  readonly #reads: BlockIndexReads;
  /** Engine id → its GPU source (an engine reports from one node at a time). */
  readonly #engines = new Map<string, BlockSource>();
  readonly #maxNodes: number;
  readonly #sampler: BlockSampler;
  readonly counters: GlobalBlockIndexCounters = { applied: 0, gaps: 0, ignored: 0, lookups: 0 };

  constructor(options: GlobalBlockIndexOptions) {
    this.#holdings = new BlockHoldings(options, options.sharing);
    this.#maxNodes = options.maxNodes ?? 10_000;
    this.#sampler = new BlockSampler(options.sampleEvery);
    this.#reads = new BlockIndexReads({
      holdings: this.#holdings,
      sampler: this.#sampler,
      nodes: this.#nodes,
      engines: this.#engines,
      maxHolders: options.maxHolders ?? 16,
    });
  }

  /** One block in this many is kept (GlobalBlockIndexOptions.sampleEvery). */
  get sampleEvery(): number {
    return this.#sampler.every;
  }

  /** Distinct blocks indexed. */
  get entries(): number {
    return this.#holdings.entries;
  }

  /** Nodes with a record (reported at least once, not dropped). */
  get nodeCount(): number {
    return this.#nodes.size;
  }

  /** Engines whose GPU cache is indexed. */
  get engineCount(): number {
    return this.#engines.size;
  }

  /** Evictions by cause. */
  get evictions(): Readonly<BlockEvictions> {
    return this.#holdings.evictions;
  }

  /** Where the holdings live, and a number bumped whenever that changes (see `sharing`). */
  get buffersGeneration(): number {
    return this.#holdings.generation;
  }

  buffers(): BlockHoldingsBuffers {
    return this.#holdings.buffers();
  }

  /** Applies one node's batch (see the file comment for seq, reset and gap handling). */
  apply(node: string, batch: KvBatch): KvApplyOutcome {
    let rec = this.#nodes.get(node);
    if (rec === undefined) {
      if (this.#nodes.size >= this.#maxNodes) return this.#ignore();
      rec = {
        lastSeq: 0,
        awaitingReset: true,
        resyncAsked: false,
        store: undefined,
        l1: undefined,
        engines: new Map(),
      };
      this.#nodes.set(node, rec);
    }
    const order = admitKvBatch(rec, batch);
    if (order === 'ignore') return this.#ignore();
    if (order === 'gap') {
      this.counters.gaps++;
      return 'gap';
    }
    if (order === 'reset') this.#dropHoldings(rec);
    for (const delta of batch.deltas) this.#applyDelta(node, rec, delta);
    if (batch.store !== undefined) rec.store = batch.store;
    this.counters.applied++;
    return 'applied';
  }

  /**
   * The node's connection closed: its holdings stay (the engines still hold those blocks), but
   * its next connection must start with a reset.
   */
  disconnected(node: string): void {
    const rec = this.#nodes.get(node);
    if (rec === undefined) return;
    rec.awaitingReset = true;
    rec.resyncAsked = false;
  }

  /** Forgets the node and everything it reported (agent lost for good, node deleted). */
  dropNode(node: string): void {
    const rec = this.#nodes.get(node);
    if (rec === undefined) return;
    this.#dropHoldings(rec);
    this.#nodes.delete(node);
  }

  /** Forgets the engine's GPU holdings (the engine was removed from the cluster). */
  dropEngine(engineId: string): void {
    const source = this.#engines.get(engineId);
    if (source === undefined) return;
    this.#nodes.get(source.node)?.engines.delete(engineId);
    this.#engines.delete(engineId);
    this.#holdings.dropSource(source);
  }

  /** Engines whose GPU cache is indexed. */
  engineIds(): string[] {
    return [...this.#engines.keys()];
  }

  /** Engines whose GPU cache the node reported. */
  enginesOn(node: string): string[] {
    return [...(this.#nodes.get(node)?.engines.keys() ?? [])];
  }

  /** Nodes with a record. */
  nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  /** The node's latest store report. */
  storeOf(node: string): KvStoreState | undefined {
    return this.#nodes.get(node)?.store;
  }

  // The reads (block-index-reads.ts): PreciseBlockView for precise routing, the same per
  // candidate, then L2 lookups and the API.

  publishes(engineId: string): boolean {
    return this.#reads.publishes(engineId);
  }

  hasL1Store(node: string): boolean {
    return this.#reads.hasL1Store(node);
  }

  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    return this.#reads.gpuPrefixBlocks(chain, engineIds);
  }

  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from = 0): Int32Array {
    return this.#reads.l1PrefixBlocks(chain, nodes, from);
  }

  gpuPrefixHolders(chain: readonly number[]): Map<string, number> {
    return this.#reads.gpuPrefixHolders(chain);
  }

  l1PrefixHolders(chain: readonly number[], from = 0): Map<string, number> {
    return this.#reads.l1PrefixHolders(chain, from);
  }

  /** Sharing peers holding leading blocks of `chain` in L1, most first (BlockIndexReads.lookup). */
  lookup(chain: readonly number[], excludeNode?: string): KvHolderInfo[] {
    this.counters.lookups++;
    return this.#reads.lookup(chain, excludeNode);
  }

  /** Per node (sorted by name, at most `maxNodes`) its store report and block counts. */
  summary(maxNodes: number): KvNodeSummary[] {
    return this.#reads.summary(maxNodes);
  }

  #applyDelta(node: string, rec: IndexedNode, delta: KvBatchDelta): void {
    const source = this.#sourceFor(node, rec, delta);
    if (delta.cleared === true) this.#holdings.clear(source);
    const sampler = this.#sampler;
    for (const hash of delta.removed ?? [])
      if (sampler.keeps(hash)) this.#holdings.remove(source, hash);
    for (const hash of delta.stored ?? [])
      if (sampler.keeps(hash)) this.#holdings.store(source, hash);
  }

  #sourceFor(node: string, rec: IndexedNode, delta: KvBatchDelta): BlockSource {
    if (delta.tier === 'l1') return (rec.l1 ??= this.#holdings.addSource(node, 'l1', undefined));
    const engineId = delta.engineId ?? '';
    let source = rec.engines.get(engineId);
    if (source !== undefined) return source;
    // An engine now reported by another node moved: what the old node said of it is void.
    this.dropEngine(engineId);
    source = this.#holdings.addSource(node, 'gpu', engineId);
    rec.engines.set(engineId, source);
    this.#engines.set(engineId, source);
    return source;
  }

  #dropHoldings(rec: IndexedNode): void {
    if (rec.l1 !== undefined) this.#holdings.dropSource(rec.l1);
    rec.l1 = undefined;
    for (const id of [...rec.engines.keys()]) this.dropEngine(id);
  }

  #ignore(): KvApplyOutcome {
    this.counters.ignored++;
    return 'ignored';
  }
}
