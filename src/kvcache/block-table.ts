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
 * A slot is 16 bytes of one buffer: the hash (float64), the head of its holder list (int32) and
 * its holder count with the reference bit (int32, count × 2 + bit), so a lookup and the update
 * that follows touch one cache line; separate arrays per field cost a cache miss each.
 *
 * Deletion shifts the following run of the probe chain back (no tombstones), so lookups never
 * slow down with churn. Slots move on insert (growth) and delete: a slot number is valid only
 * until the next change. Load stays at or below 1/2; the table doubles as it fills, up to the
 * size that `maxEntries` needs.
 *
 * The buffer may be shared (an `allocate` that returns SharedArrayBuffers): the leader applies
 * changes in a worker thread and reads on its main thread through `BlockTable.attach`
 * (shared-block-reads.ts). Growth replaces the buffer and bumps `generation`.
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

/** Allocates a table's or pool's memory: an ArrayBuffer, or a SharedArrayBuffer to share it. */
export type BlockBufferAllocator = (bytes: number) => ArrayBufferLike;

const localBuffer: BlockBufferAllocator = (bytes) => new ArrayBuffer(bytes);

export class BlockTable {
  readonly #maxCapacity: number;
  readonly #allocate: BlockBufferAllocator;
  #mask: number;
  /** Slot i: hash at f64[2i]; head at i32[4i + 2]; count × 2 + reference bit at i32[4i + 3]. */
  #f64: Float64Array;
  #i32: Int32Array;
  #size = 0;
  #hand = 0;
  /** Bumped whenever the table moves to a new buffer. */
  generation = 0;

  /** `maxEntries`: the most blocks the caller will keep (it evicts before going over). */
  constructor(maxEntries: number, allocate: BlockBufferAllocator = localBuffer) {
    this.#maxCapacity = pow2AtLeast(2 * maxEntries);
    this.#allocate = allocate;
    const capacity = Math.min(MIN_CAPACITY, this.#maxCapacity);
    this.#mask = capacity - 1;
    [this.#f64, this.#i32] = slots(allocate, capacity);
  }

  /**
   * A read-only table over another table's `buffer` (e.g. shared by a worker thread that writes
   * it): slotOf, head, hashAt and holderCount read what the writer last stored there.
   */
  static attach(buffer: ArrayBufferLike): BlockTable {
    const table = new BlockTable(1, () => new ArrayBuffer(16));
    table.#f64 = new Float64Array(buffer);
    table.#i32 = new Int32Array(buffer);
    table.#mask = buffer.byteLength / 16 - 1;
    return table;
  }

  /** The memory the slots live in (replaced on growth: see `generation`). */
  get buffer(): ArrayBufferLike {
    return this.#f64.buffer;
  }

  /** Blocks in the table. */
  get size(): number {
    return this.#size;
  }

  /** The block hash in `slot`. */
  hashAt(slot: number): number {
    return this.#f64[2 * slot] as number;
  }

  /** The first pair of the slot's holder list (-1: none). */
  head(slot: number): number {
    return this.#i32[4 * slot + 2] as number;
  }

  setHead(slot: number, pair: number): void {
    this.#i32[4 * slot + 2] = pair;
  }

  /** How many sources hold the slot's block. */
  holderCount(slot: number): number {
    return (this.#i32[4 * slot + 3] as number) >> 1;
  }

  /** Adds `delta` (±1) to the holder count; returns the new count. */
  addHolders(slot: number, delta: number): number {
    const meta = (this.#i32[4 * slot + 3] as number) + 2 * delta;
    this.#i32[4 * slot + 3] = meta;
    return meta >> 1;
  }

  /** The block's slot, or -1. */
  slotOf(hash: number): number {
    const f64 = this.#f64;
    const mask = this.#mask;
    for (let i = mixBlockHash(hash) & mask; ; i = (i + 1) & mask) {
      const key = f64[2 * i] as number;
      if (key === hash) return i;
      if (key === EMPTY) return -1;
    }
  }

  /** The block's slot, added (no holders) when absent; marks it recently stored. */
  touch(hash: number): number {
    if (2 * (this.#size + 1) > this.#mask + 1 && this.#mask + 1 < this.#maxCapacity) this.#grow();
    const f64 = this.#f64;
    const i32 = this.#i32;
    const mask = this.#mask;
    let i = mixBlockHash(hash) & mask;
    for (; f64[2 * i] !== EMPTY; i = (i + 1) & mask) {
      if (f64[2 * i] === hash) {
        i32[4 * i + 3] = (i32[4 * i + 3] as number) | 1;
        return i;
      }
    }
    f64[2 * i] = hash;
    i32[4 * i + 2] = EMPTY;
    i32[4 * i + 3] = 1; // no holders, referenced
    this.#size++;
    return i;
  }

  /** Removes the block in `slot` (other slots may move). */
  deleteSlot(slot: number): void {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const mask = this.#mask;
    let gap = slot;
    // Backward shift: later members of the probe run move into the gap unless their home lies
    // cyclically in (gap, j].
    for (let j = (slot + 1) & mask; f64[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = mixBlockHash(f64[2 * j] as number) & mask;
      if (gap <= j ? gap < home && home <= j : gap < home || home <= j) continue;
      f64[2 * gap] = f64[2 * j] as number;
      i32[4 * gap + 2] = i32[4 * j + 2] as number;
      i32[4 * gap + 3] = i32[4 * j + 3] as number;
      gap = j;
    }
    f64[2 * gap] = EMPTY;
    i32[4 * gap + 2] = EMPTY;
    i32[4 * gap + 3] = 0;
    this.#size--;
  }

  /**
   * The slot of the block the CLOCK hand picks to leave next (see the file comment), -1 when the
   * table is empty. It stays in the table: the caller removes its holders, which deletes it.
   */
  victim(): number {
    if (this.#size === 0) return EMPTY;
    const f64 = this.#f64;
    const i32 = this.#i32;
    const mask = this.#mask;
    for (;;) {
      const i = (this.#hand = (this.#hand + 1) & mask);
      if (f64[2 * i] === EMPTY) continue;
      const meta = i32[4 * i + 3] as number;
      if ((meta & 1) === 0) return i;
      i32[4 * i + 3] = meta & ~1;
    }
  }

  #grow(): void {
    const oldF64 = this.#f64;
    const oldI32 = this.#i32;
    const capacity = 2 * (this.#mask + 1);
    this.#mask = capacity - 1;
    [this.#f64, this.#i32] = slots(this.#allocate, capacity);
    this.generation++;
    this.#hand = 0;
    for (let s = 0; 2 * s < oldF64.length; s++) {
      const key = oldF64[2 * s] as number;
      if (key === EMPTY) continue;
      let i = mixBlockHash(key) & this.#mask;
      while (this.#f64[2 * i] !== EMPTY) i = (i + 1) & this.#mask;
      this.#f64[2 * i] = key;
      this.#i32[4 * i + 2] = oldI32[4 * s + 2] as number;
      this.#i32[4 * i + 3] = oldI32[4 * s + 3] as number;
    }
  }
}

/** A zeroed table of `capacity` slots (every hash EMPTY), as its two views. */
function slots(allocate: BlockBufferAllocator, capacity: number): [Float64Array, Int32Array] {
  const buffer = allocate(16 * capacity);
  const f64 = new Float64Array(buffer);
  for (let i = 0; i < capacity; i++) f64[2 * i] = EMPTY;
  return [f64, new Int32Array(buffer)];
}
