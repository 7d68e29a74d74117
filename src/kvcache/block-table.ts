/**
 * The global index's blocks: open addressing with linear probing over typed arrays, each slot a
 * block hash with the head of its holder list (pairs in BlockPairs) and the holder count.
 *
 * Why not a `Map<number, number[]>`: at 1,000 nodes × 8 engines the index holds ~800k blocks. A
 * Map keyed by 52-bit hashes keeps each key as a heap number, so a random lookup chases pointers
 * (~0.8 µs measured at 800k entries), and the delete + set that kept its insertion order as
 * recency cost ~2 µs (issue #18). Here a lookup reads one or two adjacent slots.
 *
 * Recency is CLOCK (second chance), the usual approximation of LRU: a store sets the slot's
 * reference bit; at the bound the hand sweeps the slots, clearing set bits, and evicts the first
 * block whose bit is clear, i.e. one not stored again since the hand last passed it.
 *
 * Deletion shifts the following run of the probe chain back (no tombstones), so lookups never
 * slow down with churn. Slots move on insert (growth) and delete: a slot number is valid only
 * until the next change. `head` and `count` are public fields (replaced when the table grows)
 * because BlockHoldings links holders through them per block. Load stays at or below 1/2; the
 * table doubles as it fills, up to the size that `maxEntries` needs.
 */

const EMPTY = -1;
const MIN_CAPACITY = 1024;
const TWO_POW_32 = 4294967296;

/** Smallest power of two ≥ n. */
const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(n, 2)));

/**
 * Mixes a non-negative safe-integer hash (and a salt, e.g. a source id) into 32 bits; both
 * halves of the hash count, since infernode's hashes use 52 bits.
 */
export function mixBlockHash(hash: number, salt = 0): number {
  const lo = hash >>> 0;
  const hi = (Math.floor(hash / TWO_POW_32) | 0) ^ Math.imul(salt, 0x27d4eb2d);
  let x = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 15;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

export class BlockTable {
  readonly #maxCapacity: number;
  #mask: number;
  #keys: Float64Array;
  /** The first pair of the slot's holder list (-1: none). */
  head: Int32Array;
  /** How many sources hold the slot's block. */
  count: Int32Array;
  #referenced: Uint8Array;
  #size = 0;
  #hand = 0;

  /** `maxEntries`: the most blocks the caller will keep (it evicts before going over). */
  constructor(maxEntries: number) {
    this.#maxCapacity = pow2AtLeast(2 * maxEntries);
    const capacity = Math.min(MIN_CAPACITY, this.#maxCapacity);
    this.#mask = capacity - 1;
    this.#keys = new Float64Array(capacity).fill(EMPTY);
    this.head = new Int32Array(capacity).fill(EMPTY);
    this.count = new Int32Array(capacity);
    this.#referenced = new Uint8Array(capacity);
  }

  /** The block hash in `slot`. */
  hashAt(slot: number): number {
    return this.#keys[slot] as number;
  }

  /** Blocks in the table. */
  get size(): number {
    return this.#size;
  }

  /** The block's slot, or -1. */
  slotOf(hash: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    for (let i = mixBlockHash(hash) & mask; ; i = (i + 1) & mask) {
      const key = keys[i] as number;
      if (key === hash) return i;
      if (key === EMPTY) return -1;
    }
  }

  /** The block's slot, added (no holders) when absent; marks it recently stored. */
  touch(hash: number): number {
    if (2 * (this.#size + 1) > this.#keys.length && this.#keys.length < this.#maxCapacity)
      this.#grow();
    const keys = this.#keys;
    const mask = this.#mask;
    let i = mixBlockHash(hash) & mask;
    for (; keys[i] !== EMPTY; i = (i + 1) & mask) {
      if (keys[i] === hash) {
        this.#referenced[i] = 1;
        return i;
      }
    }
    keys[i] = hash;
    this.head[i] = EMPTY;
    this.count[i] = 0;
    this.#referenced[i] = 1;
    this.#size++;
    return i;
  }

  /** Removes the block in `slot` (other slots may move). */
  deleteSlot(slot: number): void {
    const keys = this.#keys;
    const mask = this.#mask;
    let gap = slot;
    // Backward shift: later members of the probe run move into the gap unless their home lies
    // cyclically in (gap, j].
    for (let j = (slot + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = mixBlockHash(keys[j] as number) & mask;
      if (gap <= j ? gap < home && home <= j : gap < home || home <= j) continue;
      keys[gap] = keys[j] as number;
      this.head[gap] = this.head[j] as number;
      this.count[gap] = this.count[j] as number;
      this.#referenced[gap] = this.#referenced[j] as number;
      gap = j;
    }
    keys[gap] = EMPTY;
    this.head[gap] = EMPTY;
    this.count[gap] = 0;
    this.#referenced[gap] = 0;
    this.#size--;
  }

  /**
   * The slot of the block the CLOCK hand picks to leave next (see the file comment), -1 when the
   * table is empty. It stays in the table: the caller removes its holders, which deletes it.
   */
  victim(): number {
    if (this.#size === 0) return EMPTY;
    const keys = this.#keys;
    const mask = this.#mask;
    for (;;) {
      const i = (this.#hand = (this.#hand + 1) & mask);
      if (keys[i] === EMPTY) continue;
      if (this.#referenced[i] === 0) return i;
      this.#referenced[i] = 0;
    }
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldHead = this.head;
    const oldCount = this.count;
    const oldReferenced = this.#referenced;
    const capacity = oldKeys.length * 2;
    this.#mask = capacity - 1;
    this.#keys = new Float64Array(capacity).fill(EMPTY);
    this.head = new Int32Array(capacity).fill(EMPTY);
    this.count = new Int32Array(capacity);
    this.#referenced = new Uint8Array(capacity);
    this.#hand = 0;
    for (let s = 0; s < oldKeys.length; s++) {
      const key = oldKeys[s] as number;
      if (key === EMPTY) continue;
      let i = mixBlockHash(key) & this.#mask;
      while (this.#keys[i] !== EMPTY) i = (i + 1) & this.#mask;
      this.#keys[i] = key;
      this.head[i] = oldHead[s] as number;
      this.count[i] = oldCount[s] as number;
      this.#referenced[i] = oldReferenced[s] as number;
    }
  }
}
