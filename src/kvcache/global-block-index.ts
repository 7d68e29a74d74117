/**
 * The leader's global KV block index (DESIGN.md §4.4, issue #14): block hash → the engines
 * holding it in their GPU cache and the nodes holding it in their agent's L1 store, built from the
 * agents' `kv` batches. Precise prefix routing reads it (PreciseBlockView) and agents' L2 lookups
 * ask it which peer holds a chain.
 *
 * Ordering, per node: batches carry a per-connection seq. A `reset` batch drops everything the
 * node reported and starts its seq over; any other batch must be the next seq. A skipped seq (or
 * a first batch that is not a reset) is a gap: `apply` says so, the caller sends `kv.resync`, and
 * the node's batches are ignored until its reset arrives, so a lost change never leaves the index
 * silently wrong. Per delta the order is cleared, removed, stored.
 *
 * A leader failover loses nothing for longer than one resync: a new leader starts empty and every
 * agent's first batch after the welcome is a reset with its full holdings.
 *
 * Bounded: `maxEntries` blocks, `maxBlocksPerNode` pairs per node (see BlockHoldings), `maxNodes`
 * node records. Pure: no clock, no I/O.
 */
import { BlockHoldings, type BlockEvictions, type BlockSource } from './block-holdings.js';
import { BlockSampler, walkCandidates, walkHolders, type ChainHoldings } from './chain-walks.js';
import type {
  KvApplyOutcome,
  KvBatch,
  KvBatchDelta,
  KvHolderInfo,
  KvStoreState,
} from './kv-batch.js';
import type { PreciseBlockView } from './precise-block-view.js';

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
}

interface NodeRecord {
  /** Seq of the last batch applied. */
  lastSeq: number;
  /** A gap (or a new connection) was seen: batches are ignored until a reset. */
  awaitingReset: boolean;
  /** A `kv.resync` was asked for since the last reset (asked once per gap). */
  resyncAsked: boolean;
  store: KvStoreState | undefined;
  l1: BlockSource | undefined;
  readonly engines: Map<string, BlockSource>;
}

/** Counters of what the index did, for metrics. */
export interface GlobalBlockIndexCounters {
  applied: number;
  gaps: number;
  ignored: number;
  lookups: number;
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

export class GlobalBlockIndex implements PreciseBlockView {
  readonly #holdings: BlockHoldings;
  readonly #nodes = new Map<string, NodeRecord>();
  /** Engine id → its GPU source (an engine reports from one node at a time). */
  readonly #engines = new Map<string, BlockSource>();
  readonly #maxNodes: number;
  readonly #maxHolders: number;
  readonly #sampler: BlockSampler;
  /** What the chain walks read: the holdings, through the sampler. */
  readonly #chain: ChainHoldings;
  readonly counters: GlobalBlockIndexCounters = { applied: 0, gaps: 0, ignored: 0, lookups: 0 };

  constructor(options: GlobalBlockIndexOptions) {
    this.#holdings = new BlockHoldings(options);
    this.#maxNodes = options.maxNodes ?? 10_000;
    this.#maxHolders = options.maxHolders ?? 16;
    this.#sampler = new BlockSampler(options.sampleEvery);
    const holdings = this.#holdings;
    const sampler = this.#sampler;
    this.#chain = {
      holders: (hash) => holdings.holders(hash),
      holds: (id, hash) => holdings.holds(id, hash),
      keeps: (hash) => sampler.keeps(hash),
    };
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
    if (batch.reset === true) {
      this.#dropHoldings(rec);
      rec.awaitingReset = false;
      rec.resyncAsked = false;
    } else if (rec.awaitingReset || batch.seq !== rec.lastSeq + 1) {
      // A node never heard from, a new connection, or a skipped seq: only a reset repairs it.
      // Ask once; until the reset arrives, the node's batches are ignored.
      rec.awaitingReset = true;
      if (rec.resyncAsked) return this.#ignore();
      rec.resyncAsked = true;
      this.counters.gaps++;
      return 'gap';
    }
    rec.lastSeq = batch.seq;
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

  /** Whether the engine publishes KV events (the index has a record of its GPU cache). */
  publishes(engineId: string): boolean {
    return this.#engines.has(engineId);
  }

  /** Per engine, the number of leading blocks of `chain` in its GPU cache. */
  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    return walkCandidates(
      this.#chain,
      chain,
      engineIds.map((id) => this.#engines.get(id)?.id ?? -1),
    );
  }

  /**
   * Per node, the number of consecutive blocks of `chain` from index `from` (0: its start) in its
   * L1 store. A store holds what engines evicted, so a prompt's hot first blocks are usually
   * still in GPU and not in L1: callers walk L1 from where an engine's GPU prefix ends.
   */
  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from = 0): Int32Array {
    return walkCandidates(
      this.#chain,
      chain,
      nodes.map((n) => this.#nodes.get(n)?.l1?.id ?? -1),
      from,
    );
  }

  /** See PreciseBlockView. */
  gpuPrefixHolders(chain: readonly number[]): Map<string, number> {
    return walkHolders(this.#chain, chain, 0, (id) => {
      const source = this.#holdings.source(id);
      return source?.tier === 'gpu' ? source.engineId : undefined;
    });
  }

  /** See PreciseBlockView. */
  l1PrefixHolders(chain: readonly number[], from = 0): Map<string, number> {
    return walkHolders(this.#chain, chain, from, (id) => {
      const source = this.#holdings.source(id);
      return source?.tier === 'l1' ? source.node : undefined;
    });
  }

  /**
   * Peers that hold leading blocks of `chain` in their L1 store and share them (their store
   * report says `shared`), most blocks first (then by name), at most `maxHolders`; `excludeNode`
   * (the asker) is left out.
   */
  lookup(chain: readonly number[], excludeNode?: string): KvHolderInfo[] {
    this.counters.lookups++;
    const peers = [...this.#nodes].filter(
      ([node, rec]) => node !== excludeNode && rec.store?.shared === true && rec.l1 !== undefined,
    );
    const counts = walkCandidates(
      this.#chain,
      chain,
      peers.map(([, rec]) => rec.l1?.id ?? -1),
    );
    return peers
      .map(([node, rec], i) => ({
        node,
        nativeUrl: rec.store?.nativeUrl ?? '',
        blocks: counts[i] ?? 0,
      }))
      .filter((h) => h.blocks > 0)
      .sort((a, b) => b.blocks - a.blocks || (a.node < b.node ? -1 : 1))
      .slice(0, this.#maxHolders);
  }

  /** Per node (sorted by name, at most `maxNodes`) its store report and block counts. */
  summary(maxNodes: number): KvNodeSummary[] {
    return [...this.#nodes.keys()]
      .sort()
      .slice(0, maxNodes)
      .map((node) => {
        const rec = this.#nodes.get(node) as NodeRecord;
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

  #applyDelta(node: string, rec: NodeRecord, delta: KvBatchDelta): void {
    const source = this.#sourceFor(node, rec, delta);
    if (delta.cleared === true) this.#holdings.clear(source);
    const sampler = this.#sampler;
    for (const hash of delta.removed ?? [])
      if (sampler.keeps(hash)) this.#holdings.remove(source, hash);
    for (const hash of delta.stored ?? [])
      if (sampler.keeps(hash)) this.#holdings.store(source, hash);
  }

  #sourceFor(node: string, rec: NodeRecord, delta: KvBatchDelta): BlockSource {
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

  #dropHoldings(rec: NodeRecord): void {
    if (rec.l1 !== undefined) this.#holdings.dropSource(rec.l1);
    rec.l1 = undefined;
    for (const id of [...rec.engines.keys()]) this.dropEngine(id);
  }

  #ignore(): KvApplyOutcome {
    this.counters.ignored++;
    return 'ignored';
  }
}
