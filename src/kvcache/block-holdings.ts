/**
 * The storage under the global block index: which sources (an engine's GPU cache, a node's L1
 * store) hold which block hashes, both ways. Blocks live in a BlockTable, (block, source) pairs
 * in BlockPairs; each pair is on its source's list (oldest stored first) and on its block's
 * holder list. Nothing here allocates per change (see block-pairs.ts for why).
 *
 * Bounds: `maxEntries` distinct blocks over all sources (the block the table's CLOCK picks, one
 * not stored again lately, leaves every holder), and `maxBlocksPerNode` (block, source) pairs per
 * node (the node's largest source drops its oldest block). Both are counted in `evictions`.
 */
import { BlockPairs } from './block-pairs.js';
import { BlockTable, type BlockBufferAllocator } from './block-table.js';

/** One holder of blocks: an engine's GPU cache or a node's L1 store. */
export interface BlockSource {
  readonly id: number;
  readonly node: string;
  readonly tier: 'gpu' | 'l1';
  /** The engine, for tier gpu. */
  readonly engineId: string | undefined;
  /** Blocks it holds. */
  readonly blockCount: number;
}

/** Bounds of the holdings. */
export interface BlockHoldingsBounds {
  readonly maxEntries: number;
  readonly maxBlocksPerNode: number;
}

/** How the holdings share their memory with a reader on another thread (shared-block-reads.ts). */
export interface BlockHoldingsSharing {
  /** Allocates the tables' memory (SharedArrayBuffers to share it). */
  readonly allocate?: BlockBufferAllocator;
  /** Told of every source added or dropped, so a reader can name the ids it finds. */
  readonly onSource?: (source: BlockSource, added: boolean) => void;
}

/** The buffers the holdings live in, as a reader attaches to them. */
export interface BlockHoldingsBuffers {
  readonly table: ArrayBufferLike;
  readonly pairPool: ArrayBufferLike;
  readonly pairTable: ArrayBufferLike;
}

/** Evictions by cause, for metrics. */
export interface BlockEvictions {
  /** Blocks dropped from every holder because the index was at `maxEntries`. */
  entries: number;
  /** (block, source) pairs dropped because their node was at `maxBlocksPerNode`. */
  nodeBound: number;
}

const NONE = -1;

interface SourceRecord extends BlockSource {
  blockCount: number;
  /** Its oldest and newest pair. */
  oldest: number;
  newest: number;
  readonly nodeRecord: NodeRecord;
}

interface NodeRecord {
  readonly sources: Set<SourceRecord>;
  blocks: number;
}

export class BlockHoldings {
  readonly #bounds: BlockHoldingsBounds;
  readonly #blocks: BlockTable;
  readonly #pairs: BlockPairs;
  readonly #onSource: BlockHoldingsSharing['onSource'];
  readonly #sources = new Map<number, SourceRecord>();
  readonly #nodes = new Map<string, NodeRecord>();
  #nextId = 1;
  readonly evictions: BlockEvictions = { entries: 0, nodeBound: 0 };

  constructor(bounds: BlockHoldingsBounds, sharing: BlockHoldingsSharing = {}) {
    this.#bounds = bounds;
    this.#blocks = new BlockTable(bounds.maxEntries, sharing.allocate);
    this.#pairs = new BlockPairs(undefined, sharing.allocate);
    this.#onSource = sharing.onSource;
  }

  /** Bumped whenever {@link buffers} changes (a table grew). */
  get generation(): number {
    return this.#blocks.generation + this.#pairs.generation;
  }

  /** Where the holdings live now (see BlockHoldingsSharing). */
  buffers(): BlockHoldingsBuffers {
    return { table: this.#blocks.buffer, pairPool: this.#pairs.pool, pairTable: this.#pairs.table };
  }

  /** Distinct blocks indexed. */
  get entries(): number {
    return this.#blocks.size;
  }

  /** Blocks (pairs) the node's sources hold together. */
  nodeBlocks(node: string): number {
    return this.#nodes.get(node)?.blocks ?? 0;
  }

  /** A new, empty source. */
  addSource(node: string, tier: 'gpu' | 'l1', engineId: string | undefined): BlockSource {
    let nodeRecord = this.#nodes.get(node);
    if (nodeRecord === undefined)
      this.#nodes.set(node, (nodeRecord = { sources: new Set(), blocks: 0 }));
    const source: SourceRecord = {
      id: this.#nextId++,
      node,
      tier,
      engineId,
      blockCount: 0,
      oldest: NONE,
      newest: NONE,
      nodeRecord,
    };
    this.#sources.set(source.id, source);
    nodeRecord.sources.add(source);
    this.#onSource?.(source, true);
    return source;
  }

  /** Drops every block of the source and the source itself. */
  dropSource(source: BlockSource): void {
    const rec = this.#sources.get(source.id);
    if (rec === undefined) return;
    this.clear(rec);
    this.#sources.delete(rec.id);
    rec.nodeRecord.sources.delete(rec);
    if (rec.nodeRecord.sources.size === 0) this.#nodes.delete(rec.node);
    this.#onSource?.(rec, false);
  }

  /** Drops every block of the source; the source stays. */
  clear(source: BlockSource): void {
    const rec = this.#sources.get(source.id);
    while (rec !== undefined && rec.oldest !== NONE) this.#removePair(rec, rec.oldest);
  }

  /** The source no longer holds `hash` (a no-op when it did not). */
  remove(source: BlockSource, hash: number): void {
    const p = this.#pairs.find(hash, source.id);
    const rec = this.#sources.get(source.id);
    if (p !== NONE && rec !== undefined) this.#removePair(rec, p);
  }

  /** The source holds `hash`, stored just now (refreshes its recency when already held). */
  store(source: BlockSource, hash: number): void {
    const rec = this.#sources.get(source.id);
    if (rec === undefined) return;
    const blocks = this.#blocks;
    const pairs = this.#pairs;
    const slot = blocks.touch(hash);
    // A block with no holder (touch just added it) has no pair to look for.
    let p = blocks.holderCount(slot) === 0 ? NONE : pairs.find(hash, rec.id);
    if (p !== NONE) {
      this.#unlinkFromSource(rec, p);
      this.#linkToSource(rec, p);
      return;
    }
    p = pairs.add(hash, rec.id);
    this.#linkToSource(rec, p);
    const head = blocks.head(slot);
    pairs.setHoldNext(p, head);
    if (head !== NONE) pairs.setHoldPrev(head, p);
    blocks.setHead(slot, p);
    blocks.addHolders(slot, 1);
    rec.nodeRecord.blocks++;
    this.#enforceBounds(rec.nodeRecord);
  }

  /** Whether the source holds `hash`. */
  holds(sourceId: number, hash: number): boolean {
    return this.#pairs.find(hash, sourceId) !== NONE;
  }

  /** The source of `id`, while it exists. */
  source(id: number): BlockSource | undefined {
    return this.#sources.get(id);
  }

  /** The ids of the sources holding `hash`; undefined when none does. */
  holders(hash: number): number[] | undefined {
    const slot = this.#blocks.slotOf(hash);
    if (slot === NONE) return undefined;
    const ids: number[] = [];
    for (let p = this.#blocks.head(slot); p !== NONE; p = this.#pairs.holdNext(p))
      ids.push(this.#pairs.sourceOf(p));
    return ids;
  }

  #linkToSource(rec: SourceRecord, p: number): void {
    this.#pairs.setSrcLinks(p, rec.newest, NONE);
    if (rec.newest !== NONE) this.#pairs.setSrcNext(rec.newest, p);
    else rec.oldest = p;
    rec.newest = p;
    rec.blockCount++;
  }

  #unlinkFromSource(rec: SourceRecord, p: number): void {
    const pairs = this.#pairs;
    const prev = pairs.srcPrev(p);
    const next = pairs.srcNext(p);
    if (prev !== NONE) pairs.setSrcNext(prev, next);
    else rec.oldest = next;
    if (next !== NONE) pairs.setSrcPrev(next, prev);
    else rec.newest = prev;
    rec.blockCount--;
  }

  /** Unlinks the pair from both lists, frees it, and drops its block when no holder is left. */
  #removePair(rec: SourceRecord, p: number): void {
    const pairs = this.#pairs;
    const blocks = this.#blocks;
    this.#unlinkFromSource(rec, p);
    rec.nodeRecord.blocks--;
    const slot = blocks.slotOf(pairs.hashOf(p));
    const prev = pairs.holdPrev(p);
    const next = pairs.holdNext(p);
    if (prev !== NONE) pairs.setHoldNext(prev, next);
    else blocks.setHead(slot, next);
    if (next !== NONE) pairs.setHoldPrev(next, prev);
    pairs.delete(p);
    if (blocks.addHolders(slot, -1) === 0) blocks.deleteSlot(slot);
  }

  #enforceBounds(nodeRecord: NodeRecord): void {
    while (this.#blocks.size > this.#bounds.maxEntries) {
      const slot = this.#blocks.victim();
      // The slot stays put until its last holder leaves, which deletes the block.
      for (let left = this.#blocks.holderCount(slot); left > 0; left--) {
        const p = this.#blocks.head(slot);
        this.#removePair(this.#sources.get(this.#pairs.sourceOf(p)) as SourceRecord, p);
      }
      this.evictions.entries++;
    }
    while (nodeRecord.blocks > this.#bounds.maxBlocksPerNode) {
      let largest: SourceRecord | undefined;
      for (const s of nodeRecord.sources)
        if (largest === undefined || s.blockCount > largest.blockCount) largest = s;
      if (largest === undefined || largest.oldest === NONE) break;
      this.#removePair(largest, largest.oldest);
      this.evictions.nodeBound++;
    }
  }
}
