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
 * The arrays are public fields, not accessors, because the hot paths read them per block; only
 * this file and BlockHoldings write them. They are replaced when the pool grows: read them from
 * the object each time, never keep one. -1 is "none" in every link.
 */
import { mixBlockHash } from './block-table.js';

const EMPTY = -1;
const mixPair = (hash: number, sourceId: number): number => mixBlockHash(hash, sourceId);

const grown = <T extends Int32Array | Float64Array>(a: T, size: number, fill?: number): T => {
  const out = new (a.constructor as new (n: number) => T)(size);
  if (fill !== undefined) out.fill(fill);
  out.set(a);
  return out;
};

export class BlockPairs {
  hash = new Float64Array(0);
  source = new Int32Array(0);
  /** The source's list: previous (older) and next (newer) pair. */
  srcPrev = new Int32Array(0);
  srcNext = new Int32Array(0);
  /** The block's holder list. */
  holdPrev = new Int32Array(0);
  holdNext = new Int32Array(0);
  /** Pair table: pair index or EMPTY; at most half full; doubles as it fills. */
  #slots: Int32Array;
  #mask: number;
  /** Freed pairs, chained through srcNext. */
  #free = EMPTY;
  /** Pairs ever allocated (the pool's high-water mark). */
  #allocated = 0;
  #live = 0;

  /** `initialSlots`: a power of two (tests use small ones to make probe runs collide). */
  constructor(initialSlots = 1024) {
    this.#slots = new Int32Array(initialSlots).fill(EMPTY);
    this.#mask = initialSlots - 1;
  }

  /** Pairs held. */
  get size(): number {
    return this.#live;
  }

  /** The pair of (hash, source), or -1. */
  find(hash: number, sourceId: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = mixPair(hash, sourceId) & mask; ; i = (i + 1) & mask) {
      const p = slots[i] as number;
      if (p === EMPTY) return EMPTY;
      if (this.hash[p] === hash && this.source[p] === sourceId) return p;
    }
  }

  /** A new pair for (hash, source), indexed, with every link -1. The caller checked it is absent. */
  add(hash: number, sourceId: number): number {
    if (2 * (this.#live + 1) > this.#slots.length) this.#rehash(this.#slots.length * 2);
    let p = this.#free;
    if (p !== EMPTY) this.#free = this.srcNext[p] as number;
    else {
      if (this.#allocated === this.hash.length) this.#growPool();
      p = this.#allocated++;
    }
    this.hash[p] = hash;
    this.source[p] = sourceId;
    this.srcPrev[p] = this.srcNext[p] = this.holdPrev[p] = this.holdNext[p] = EMPTY;
    const mask = this.#mask;
    let i = mixPair(hash, sourceId) & mask;
    while (this.#slots[i] !== EMPTY) i = (i + 1) & mask;
    this.#slots[i] = p;
    this.#live++;
    return p;
  }

  /** Unindexes and frees the pair; the caller unlinked it from both lists first. */
  delete(p: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let gap = mixPair(this.hash[p] as number, this.source[p] as number) & mask;
    while (slots[gap] !== p) gap = (gap + 1) & mask;
    // Backward shift: later members of the probe run move into the gap unless their home lies
    // cyclically in (gap, j].
    for (let j = (gap + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const q = slots[j] as number;
      const home = mixPair(this.hash[q] as number, this.source[q] as number) & mask;
      if (gap <= j ? gap < home && home <= j : gap < home || home <= j) continue;
      slots[gap] = q;
      gap = j;
    }
    slots[gap] = EMPTY;
    this.srcNext[p] = this.#free;
    this.#free = p;
    this.#live--;
  }

  #growPool(): void {
    const size = Math.max(1024, this.hash.length * 2);
    this.hash = grown(this.hash, size);
    this.source = grown(this.source, size);
    this.srcPrev = grown(this.srcPrev, size);
    this.srcNext = grown(this.srcNext, size);
    this.holdPrev = grown(this.holdPrev, size);
    this.holdNext = grown(this.holdNext, size);
  }

  #rehash(capacity: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(capacity).fill(EMPTY);
    this.#mask = capacity - 1;
    for (const p of old) {
      if (p === EMPTY) continue;
      let i = mixPair(this.hash[p] as number, this.source[p] as number) & this.#mask;
      while (this.#slots[i] !== EMPTY) i = (i + 1) & this.#mask;
      this.#slots[i] = p;
    }
  }
}
