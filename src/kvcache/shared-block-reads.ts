/**
 * Precise-routing reads of a global block index that another thread applies changes to (issue
 * #18: at 1,000 nodes the apply was 30 % of the leader's main thread). The writer keeps its
 * holdings in SharedArrayBuffers (GlobalBlockIndexOptions.sharing); this side attaches read-only
 * views to them (BlockTable.attach, BlockPairs.attach) and walks them as BlockIndexReads does.
 *
 * Reads race the writer. They stay safe: every loop is bounded, an index out of range reads
 * `undefined`, which matches nothing, and the tables are never more than half full, so a probe
 * always ends. They are mostly consistent: the writer bumps a counter before and after each
 * change (odd while writing), and a read that saw it move is retried, at most twice, then kept.
 * A kept racy read can be off by the blocks that change touched, for one pick; routing treats
 * the index as a hint that is ~100 ms behind the engines anyway.
 *
 * Source ids are named (engine id, node) by the writer's source events, which arrive after the
 * change that made them: a holder not yet named is skipped, as a block not yet reported would be.
 */
import type { BlockHoldingsBuffers } from './block-holdings.js';
import { BlockPairs } from './block-pairs.js';
import { BlockTable } from './block-table.js';
import { BlockSampler, walkCandidates, walkHolders, type ChainHoldings } from './chain-walks.js';
import type { PreciseBlockView } from './precise-block-view.js';
import { rankPeerHolders } from './block-index-reads.js';
import type { KvHolderInfo, KvStoreState } from './kv-batch.js';

/** What a source id stands for. */
export interface SharedSource {
  readonly tier: 'gpu' | 'l1';
  readonly node: string;
  /** The engine, for tier gpu. */
  readonly engineId: string | undefined;
}

/** Slot of the writer's change counter in the control array. */
export const WRITES_SLOT = 0;
const ATTEMPTS = 3;
const NONE = -1;

/** Marks one change on the writer's side (see the file comment). */
export function writing<T>(control: Int32Array, change: () => T): T {
  Atomics.add(control, WRITES_SLOT, 1);
  try {
    return change();
  } finally {
    Atomics.add(control, WRITES_SLOT, 1);
  }
}

/** See the file comment. */
export class SharedBlockReads implements PreciseBlockView {
  readonly #control: Int32Array;
  readonly #sampler: BlockSampler;
  #table: BlockTable | undefined;
  #pairs: BlockPairs | undefined;
  readonly #sources = new Map<number, SharedSource>();
  /** Engine id → its GPU source id. */
  readonly #engines = new Map<string, number>();
  /** Node → its L1 source's id. */
  readonly #l1Nodes = new Map<string, number>();
  readonly #chain: ChainHoldings;

  /** `control`: the writer's change counter (WRITES_SLOT); `sampleEvery` as the writer's. */
  constructor(control: Int32Array, sampleEvery = 1) {
    this.#control = control;
    this.#sampler = new BlockSampler(sampleEvery);
    this.#chain = {
      holders: (hash) => this.#holders(hash),
      holds: (id, hash) => this.#pairs !== undefined && this.#pairs.find(hash, id) !== NONE,
      keeps: (hash) => this.#sampler.keeps(hash),
    };
  }

  /** Reads from these buffers from now on (the writer's tables moved, or first attach). */
  attach(buffers: BlockHoldingsBuffers): void {
    this.#table = BlockTable.attach(buffers.table);
    this.#pairs = BlockPairs.attach(buffers.pairPool, buffers.pairTable);
  }

  /** The writer added (or dropped) a source. */
  source(id: number, source: SharedSource | undefined): void {
    const old = this.#sources.get(id);
    if (old?.engineId !== undefined && this.#engines.get(old.engineId) === id)
      this.#engines.delete(old.engineId);
    if (old?.tier === 'l1' && this.#l1Nodes.get(old.node) === id) this.#l1Nodes.delete(old.node);
    if (source === undefined) {
      this.#sources.delete(id);
      return;
    }
    this.#sources.set(id, source);
    if (source.tier === 'gpu' && source.engineId !== undefined)
      this.#engines.set(source.engineId, id);
    if (source.tier === 'l1') this.#l1Nodes.set(source.node, id);
  }

  /** Forgets everything (the writer starts over, empty). */
  clear(): void {
    this.#table = undefined;
    this.#pairs = undefined;
    this.#sources.clear();
    this.#engines.clear();
    this.#l1Nodes.clear();
  }

  hasL1Store(node: string): boolean {
    return this.#l1Nodes.has(node);
  }

  publishes(engineId: string): boolean {
    return this.#engines.has(engineId);
  }

  gpuPrefixHolders(chain: readonly number[]): Map<string, number> {
    return this.#read(() =>
      walkHolders(this.#chain, chain, 0, (id) => {
        const s = this.#sources.get(id);
        return s?.tier === 'gpu' ? s.engineId : undefined;
      }),
    );
  }

  l1PrefixHolders(chain: readonly number[], from = 0): Map<string, number> {
    return this.#read(() =>
      walkHolders(this.#chain, chain, from, (id) => {
        const s = this.#sources.get(id);
        return s?.tier === 'l1' ? s.node : undefined;
      }),
    );
  }

  /** Per engine asked (same order), its GPU prefix of `chain` (gpuPrefixHolders per candidate). */
  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    const ids = engineIds.map((id) => this.#engines.get(id) ?? NONE);
    return this.#read(() => walkCandidates(this.#chain, chain, ids));
  }

  /** Per node asked (same order), its L1 run of `chain` from `from`. */
  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from = 0): Int32Array {
    const ids = nodes.map((n) => this.#l1Nodes.get(n) ?? NONE);
    return this.#read(() => walkCandidates(this.#chain, chain, ids, from));
  }

  /**
   * An agent's L2 lookup (BlockIndexReads.lookup): the peers among `stores` (the nodes' latest
   * store reports) that share and hold leading blocks of `chain` in L1, best first.
   */
  peerHolders(
    chain: readonly number[],
    stores: ReadonlyMap<string, KvStoreState>,
    excludeNode: string | undefined,
    maxHolders: number,
  ): KvHolderInfo[] {
    const peers = [...stores].filter(
      ([node, store]) => node !== excludeNode && store.shared && this.#l1Nodes.has(node),
    );
    if (peers.length === 0) return [];
    const counts = this.l1PrefixBlocks(
      chain,
      peers.map(([node]) => node),
    );
    return rankPeerHolders(peers, counts, maxHolders);
  }

  #read<T>(read: () => T): T {
    for (let attempt = 1; ; attempt++) {
      const before = Atomics.load(this.#control, WRITES_SLOT);
      const result = read();
      const stable = (before & 1) === 0 && Atomics.load(this.#control, WRITES_SLOT) === before;
      if (stable || attempt === ATTEMPTS) return result;
    }
  }

  /**
   * The sources holding `hash`. A holder list longer than any real one (each source holds a block
   * once) can only be a list the writer was relinking: the walk stops there.
   */
  #holders(hash: number): number[] | undefined {
    const table = this.#table;
    const pairs = this.#pairs;
    if (table === undefined || pairs === undefined) return undefined;
    const slot = table.slotOf(hash);
    if (slot === NONE) return undefined;
    const bound = 1024 + 4 * this.#sources.size;
    const ids: number[] = [];
    for (let p = table.head(slot); p >= 0 && ids.length < bound; p = pairs.holdNext(p))
      ids.push(pairs.sourceOf(p));
    return ids;
  }
}
