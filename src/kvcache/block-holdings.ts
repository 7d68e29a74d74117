/**
 * The storage under the global block index: which sources (an engine's GPU cache, a node's L1
 * store) hold which block hashes, both ways. A block's entry lists its holders' source ids; a
 * source keeps its hashes in a Set whose insertion order is the order they were stored, so the
 * oldest is the first. The entry map's insertion order is recency too (a store moves the entry
 * to the end), so the least recently stored block is always the first key: O(1) eviction.
 *
 * Bounds: `maxEntries` distinct blocks over all sources (the least recently stored block leaves
 * every holder), and `maxBlocksPerNode` (block, source) pairs per node (the node's largest
 * source drops its oldest block). Both are counted in `evictions`.
 */

/** One holder of blocks: an engine's GPU cache or a node's L1 store. */
export interface BlockSource {
  readonly id: number;
  readonly node: string;
  readonly tier: 'gpu' | 'l1';
  /** The engine, for tier gpu. */
  readonly engineId: string | undefined;
  /** Its block hashes, oldest stored first. */
  readonly blocks: Set<number>;
}

/** Bounds of the holdings. */
export interface BlockHoldingsBounds {
  readonly maxEntries: number;
  readonly maxBlocksPerNode: number;
}

/** Evictions by cause, for metrics. */
export interface BlockEvictions {
  /** Blocks dropped from every holder because the index was at `maxEntries`. */
  entries: number;
  /** (block, source) pairs dropped because their node was at `maxBlocksPerNode`. */
  nodeBound: number;
}

export class BlockHoldings {
  readonly #bounds: BlockHoldingsBounds;
  /** Block hash → the ids of the sources holding it; insertion order = least recently stored first. */
  readonly #entries = new Map<number, number[]>();
  readonly #sources = new Map<number, BlockSource>();
  /** Node → its sources and their total block count. */
  readonly #nodes = new Map<string, { sources: Set<BlockSource>; blocks: number }>();
  #nextId = 1;
  readonly evictions: BlockEvictions = { entries: 0, nodeBound: 0 };

  constructor(bounds: BlockHoldingsBounds) {
    this.#bounds = bounds;
  }

  /** Distinct blocks indexed. */
  get entries(): number {
    return this.#entries.size;
  }

  /** Blocks (pairs) the node's sources hold together. */
  nodeBlocks(node: string): number {
    return this.#nodes.get(node)?.blocks ?? 0;
  }

  /** A new, empty source. */
  addSource(node: string, tier: 'gpu' | 'l1', engineId: string | undefined): BlockSource {
    const source: BlockSource = { id: this.#nextId++, node, tier, engineId, blocks: new Set() };
    this.#sources.set(source.id, source);
    let rec = this.#nodes.get(node);
    if (rec === undefined) this.#nodes.set(node, (rec = { sources: new Set(), blocks: 0 }));
    rec.sources.add(source);
    return source;
  }

  /** Drops every block of the source and the source itself. */
  dropSource(source: BlockSource): void {
    this.clear(source);
    this.#sources.delete(source.id);
    const rec = this.#nodes.get(source.node);
    rec?.sources.delete(source);
    if (rec?.sources.size === 0) this.#nodes.delete(source.node);
  }

  /** Drops every block of the source; the source stays. */
  clear(source: BlockSource): void {
    for (const hash of [...source.blocks]) this.remove(source, hash);
  }

  /** The source no longer holds `hash` (a no-op when it did not). */
  remove(source: BlockSource, hash: number): void {
    if (!source.blocks.delete(hash)) return;
    const rec = this.#nodes.get(source.node);
    if (rec !== undefined) rec.blocks--;
    const holders = this.#entries.get(hash);
    if (holders === undefined) return;
    const at = holders.indexOf(source.id);
    if (at >= 0) holders.splice(at, 1);
    if (holders.length === 0) this.#entries.delete(hash);
  }

  /** The source holds `hash`, stored just now (refreshes its recency when already held). */
  store(source: BlockSource, hash: number): void {
    let holders = this.#entries.get(hash);
    if (holders === undefined) holders = [];
    else this.#entries.delete(hash); // re-inserted below: most recent
    this.#entries.set(hash, holders);
    if (source.blocks.has(hash)) {
      source.blocks.delete(hash);
      source.blocks.add(hash);
      return;
    }
    source.blocks.add(hash);
    holders.push(source.id);
    const rec = this.#nodes.get(source.node);
    if (rec !== undefined) rec.blocks++;
    this.#enforceBounds(source.node);
  }

  /** The ids of the sources holding `hash`; undefined when none does. */
  holders(hash: number): readonly number[] | undefined {
    return this.#entries.get(hash);
  }

  #enforceBounds(node: string): void {
    while (this.#entries.size > this.#bounds.maxEntries) {
      const oldest = this.#entries.keys().next().value as number;
      for (const id of [...(this.#entries.get(oldest) ?? [])]) {
        const source = this.#sources.get(id);
        if (source !== undefined) this.remove(source, oldest);
      }
      this.#entries.delete(oldest);
      this.evictions.entries++;
    }
    const rec = this.#nodes.get(node);
    while (rec !== undefined && rec.blocks > this.#bounds.maxBlocksPerNode) {
      let largest: BlockSource | undefined;
      for (const s of rec.sources)
        if (largest === undefined || s.blocks.size > largest.blocks.size) largest = s;
      const oldest = largest?.blocks.values().next().value;
      if (largest === undefined || oldest === undefined) break;
      this.remove(largest, oldest);
      this.evictions.nodeBound++;
    }
  }
}
