/**
 * The (block, source) pairs under the global index, in typed arrays: one pair per source that
 * holds a block, found by (hash, source id) through an open-addressing table, and threaded on two
 * doubly linked lists: its source's blocks (oldest stored first) and its block's holders.
 *
 * Why typed arrays: at 1,000 nodes × 8 engines the index holds ~800k pairs and changes ~200k a
 * second. Kept as JS Sets and arrays, every 52-bit key was a heap number: lookups chased
 * pointers and each change allocated, so store/remove took 45 % of the leader's CPU and the
 * garbage collector another 20 % (issue #18). Here a change allocates nothing.
 *
 * A pair is 32 bytes of one buffer: its hash (float64), its source id and its four links
 * (int32 each), so following a link touches one cache line, not one per field. -1 is "none" in
 * every link.
 *
 * As with BlockTable, the memory may be shared with a reader on another thread (`attach`); the
 * pool and the pair table move to new buffers as they grow, which bumps `generation`.
 */
import { mixBlockHash, type BlockBufferAllocator } from './block-table.js';

const EMPTY = -1;

/** Pair p: hash at f64[4p]; source, srcPrev, srcNext, holdPrev, holdNext at i32[8p + 2..6]. */
const SOURCE = 2;
const SRC_PREV = 3;
const SRC_NEXT = 4;
const HOLD_PREV = 5;
const HOLD_NEXT = 6;

export class BlockPairs {
  readonly #allocate: BlockBufferAllocator;
  #f64: Float64Array = new Float64Array(0);
  #i32: Int32Array = new Int32Array(0);
  /** Pair table: pair index or EMPTY; at most half full; doubles as it fills. */
  #slots: Int32Array;
  #mask: number;
  /** Freed pairs, chained through their srcNext. */
  #free = EMPTY;
  /** Pairs ever allocated (the pool's high-water mark). */
  #allocated = 0;
  #live = 0;
  /** Bumped whenever the pool or the pair table moves to a new buffer. */
  generation = 0;

  /** `initialSlots`: a power of two (tests use small ones to make probe runs collide). */
  constructor(initialSlots = 1024, allocate: BlockBufferAllocator = (n) => new ArrayBuffer(n)) {
    this.#allocate = allocate;
    this.#slots = this.#newSlots(initialSlots);
    this.#mask = initialSlots - 1;
  }

  /**
   * A read-only view over another instance's `pool` and `table` buffers (e.g. shared by the worker
   * thread that writes them): find, hashOf, sourceOf and the links read what it last stored.
   */
  static attach(pool: ArrayBufferLike, table: ArrayBufferLike): BlockPairs {
    const pairs = new BlockPairs(1);
    pairs.#f64 = new Float64Array(pool);
    pairs.#i32 = new Int32Array(pool);
    pairs.#slots = new Int32Array(table);
    pairs.#mask = pairs.#slots.length - 1;
    return pairs;
  }

  /** The pairs' memory (32 bytes each). */
  get pool(): ArrayBufferLike {
    return this.#f64.buffer;
  }

  /** The (hash, source) → pair table's memory. */
  get table(): ArrayBufferLike {
    return this.#slots.buffer;
  }

  /** Pairs held. */
  get size(): number {
    return this.#live;
  }

  hashOf(p: number): number {
    return this.#f64[4 * p] as number;
  }

  sourceOf(p: number): number {
    return this.#i32[8 * p + SOURCE] as number;
  }

  /** The source's list: the previous (older) pair. */
  srcPrev(p: number): number {
    return this.#i32[8 * p + SRC_PREV] as number;
  }

  /** The source's list: the next (newer) pair. */
  srcNext(p: number): number {
    return this.#i32[8 * p + SRC_NEXT] as number;
  }

  /** The block's holder list: previous and next. */
  holdPrev(p: number): number {
    return this.#i32[8 * p + HOLD_PREV] as number;
  }

  holdNext(p: number): number {
    return this.#i32[8 * p + HOLD_NEXT] as number;
  }

  setSrcLinks(p: number, prev: number, next: number): void {
    this.#i32[8 * p + SRC_PREV] = prev;
    this.#i32[8 * p + SRC_NEXT] = next;
  }

  setSrcPrev(p: number, prev: number): void {
    this.#i32[8 * p + SRC_PREV] = prev;
  }

  setSrcNext(p: number, next: number): void {
    this.#i32[8 * p + SRC_NEXT] = next;
  }

  setHoldPrev(p: number, prev: number): void {
    this.#i32[8 * p + HOLD_PREV] = prev;
  }

  setHoldNext(p: number, next: number): void {
    this.#i32[8 * p + HOLD_NEXT] = next;
  }

  /** The pair of (hash, source), or -1. */
  find(hash: number, sourceId: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = mixBlockHash(hash, sourceId) & mask; ; i = (i + 1) & mask) {
      const p = slots[i] as number;
      if (p === EMPTY) return EMPTY;
      if (this.#f64[4 * p] === hash && this.#i32[8 * p + SOURCE] === sourceId) return p;
    }
  }

  /** A new pair for (hash, source), indexed, with every link -1. The caller checked it is absent. */
  add(hash: number, sourceId: number): number {
    if (2 * (this.#live + 1) > this.#slots.length) this.#rehash(this.#slots.length * 2);
    let p = this.#free;
    if (p !== EMPTY) this.#free = this.srcNext(p);
    else {
      if (8 * this.#allocated === this.#i32.length) this.#growPool();
      p = this.#allocated++;
    }
    const at = 8 * p;
    this.#f64[4 * p] = hash;
    this.#i32[at + SOURCE] = sourceId;
    this.#i32.fill(EMPTY, at + SRC_PREV, at + HOLD_NEXT + 1);
    const mask = this.#mask;
    let i = mixBlockHash(hash, sourceId) & mask;
    while (this.#slots[i] !== EMPTY) i = (i + 1) & mask;
    this.#slots[i] = p;
    this.#live++;
    return p;
  }

  /** Unindexes and frees the pair; the caller unlinked it from both lists first. */
  delete(p: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let gap = this.#home(p);
    while (slots[gap] !== p) gap = (gap + 1) & mask;
    // Backward shift: later members of the probe run move into the gap unless their home lies
    // cyclically in (gap, j].
    for (let j = (gap + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const q = slots[j] as number;
      const home = this.#home(q);
      if (gap <= j ? gap < home && home <= j : gap < home || home <= j) continue;
      slots[gap] = q;
      gap = j;
    }
    slots[gap] = EMPTY;
    this.setSrcNext(p, this.#free);
    this.#free = p;
    this.#live--;
  }

  #home(p: number): number {
    return mixBlockHash(this.#f64[4 * p] as number, this.#i32[8 * p + SOURCE]) & this.#mask;
  }

  #growPool(): void {
    const pairs = Math.max(1024, 2 * this.#allocated);
    const buffer = this.#allocate(32 * pairs);
    new Uint8Array(buffer).set(new Uint8Array(this.#f64.buffer));
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.generation++;
  }

  #newSlots(capacity: number): Int32Array {
    return new Int32Array(this.#allocate(4 * capacity)).fill(EMPTY);
  }

  #rehash(capacity: number): void {
    const old = this.#slots;
    this.#slots = this.#newSlots(capacity);
    this.#mask = capacity - 1;
    this.generation++;
    for (const p of old) {
      if (p === EMPTY) continue;
      let i = this.#home(p);
      while (this.#slots[i] !== EMPTY) i = (i + 1) & this.#mask;
      this.#slots[i] = p;
    }
  }
}
