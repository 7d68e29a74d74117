/**
 * Fixed-size slots carved out of large slabs, so the L1 store holds a few big buffers instead
 * of one Buffer per block (AIBrix's TensorPoolAllocator keeps ≤ 1 GiB slabs for the same
 * reason: fewer, larger allocations and no per-block GC pressure). Each slot size is a class; a
 * slab serves one class at a time and goes back to a shared pool, for any class, once all its
 * slots are free. Slabs are allocated lazily and never more than the byte budget allows; an
 * empty slab is kept (not released to the GC) so memory does not swing between the two.
 */

/** One slab: a buffer cut into `slotSize` slots, with the offsets of its free ones. */
interface Slab {
  readonly buffer: Uint8Array;
  slotSize: number;
  free: number[];
  used: number;
}

/** A slot handed out by the allocator: `size` bytes at `offset` of `slab.buffer`. */
export interface Slot {
  readonly slab: Slab;
  readonly offset: number;
  /** The slot's class size (≥ the block it holds). */
  readonly size: number;
}

/**
 * Slot classes by default: powers of two from 1 KiB to 64 MiB (a 16-token Llama-3-8B block is
 * 2 MiB; LMCache's default 256-token chunk of it is 32 MiB, kept whole). They start at 1 KiB, not
 * 4 KiB, because blocks scaled down for a bench (the KV connector's bytesFraction: 2 MiB ÷ 1024
 * = 2 KiB) would otherwise take twice their bytes and the store would hold half its budget's
 * worth.
 */
export const DEFAULT_SLOT_SIZES: readonly number[] = Array.from(
  { length: 17 },
  (_, i) => 1024 << i,
);

/** Slab size by default (the largest default slot fills one; a 2 MiB block fits 32 times). */
export const DEFAULT_SLAB_BYTES = 64 * 1024 * 1024;

/** How the allocator is sized. */
export interface SlabAllocatorOptions {
  /** Hard limit on slab memory, bytes. */
  readonly budgetBytes: number;
  readonly slotSizes?: readonly number[];
  readonly slabBytes?: number;
}

/** The slot allocator (see the file comment). */
export class SlabAllocator {
  /** Slot sizes in use, ascending (classes larger than a slab are dropped). */
  readonly slotSizes: readonly number[];
  /** Bytes per slab: the configured size, or the whole budget when that is smaller. */
  readonly slabBytes: number;
  /** Slabs the budget allows (lowered or raised by {@link SlabAllocator.setBudget}). */
  maxSlabs: number;
  private slabCount = 0;
  private readonly emptySlabs: Slab[] = [];
  /** Per class size, the slabs of that class with at least one free slot. */
  private readonly open = new Map<number, Slab[]>();

  constructor(options: SlabAllocatorOptions) {
    if (!Number.isSafeInteger(options.budgetBytes) || options.budgetBytes <= 0)
      throw new RangeError('slab budget must be a positive integer number of bytes');
    this.slabBytes = Math.min(options.slabBytes ?? DEFAULT_SLAB_BYTES, options.budgetBytes);
    this.maxSlabs = Math.floor(options.budgetBytes / this.slabBytes);
    const sizes = [...new Set(options.slotSizes ?? DEFAULT_SLOT_SIZES)].sort((a, b) => a - b);
    for (const size of sizes)
      if (!Number.isSafeInteger(size) || size <= 0)
        throw new RangeError(`slot size ${size} is not a positive integer`);
    this.slotSizes = sizes.filter((s) => s <= this.slabBytes);
    if (this.slotSizes.length === 0) throw new RangeError('no slot class fits in a slab');
    for (const size of this.slotSizes) this.open.set(size, []);
  }

  /** The largest block a slot can hold. */
  get maxBlockBytes(): number {
    return this.slotSizes[this.slotSizes.length - 1] as number;
  }

  /** Bytes of slabs allocated so far (≤ the budget). */
  get allocatedBytes(): number {
    return this.slabCount * this.slabBytes;
  }

  /** The class size that holds `bytes`, or undefined when it is larger than every class. */
  classFor(bytes: number): number | undefined {
    for (const size of this.slotSizes) if (size >= bytes) return size;
    return undefined;
  }

  /** A free slot for a block of `bytes`, or undefined when none is free and no slab can be made. */
  allocate(bytes: number): Slot | undefined {
    const size = this.classFor(bytes);
    if (size === undefined) return undefined;
    const open = this.open.get(size) as Slab[];
    let slab = open[open.length - 1];
    if (slab === undefined) {
      slab = this.takeSlab(size);
      if (slab === undefined) return undefined;
      open.push(slab);
    }
    const offset = slab.free.pop() as number;
    slab.used++;
    if (slab.free.length === 0) open.pop();
    return { slab, offset, size };
  }

  /** Gives `slot` back; a slab left with no used slot returns to the shared pool. */
  free(slot: Slot): void {
    const { slab } = slot;
    const open = this.open.get(slab.slotSize) as Slab[];
    slab.free.push(slot.offset);
    slab.used--;
    if (slab.free.length === 1) open.push(slab);
    if (slab.used === 0) {
      open.splice(open.indexOf(slab), 1);
      this.emptySlabs.push(slab);
      this.releaseSurplus();
    }
  }

  /**
   * A new budget: the slab size stays, the slab count follows (a budget under one slab holds
   * nothing). Empty slabs over the new count are dropped at once, others as they empty.
   */
  setBudget(budgetBytes: number): void {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes <= 0)
      throw new RangeError('slab budget must be a positive integer number of bytes');
    this.maxSlabs = Math.floor(budgetBytes / this.slabBytes);
    this.releaseSurplus();
  }

  private releaseSurplus(): void {
    // Dropped slabs go to the GC: this is how a smaller budget gives memory back.
    while (this.slabCount > this.maxSlabs && this.emptySlabs.pop() !== undefined) this.slabCount--;
  }

  /** The bytes of `slot`, `length` long (a view into its slab). */
  view(slot: Slot, length: number): Uint8Array {
    return slot.slab.buffer.subarray(slot.offset, slot.offset + length);
  }

  private takeSlab(slotSize: number): Slab | undefined {
    let slab = this.emptySlabs.pop();
    if (slab === undefined) {
      if (this.slabCount >= this.maxSlabs) return undefined;
      slab = { buffer: new Uint8Array(this.slabBytes), slotSize, free: [], used: 0 };
      this.slabCount++;
    }
    slab.slotSize = slotSize;
    const slots = Math.floor(this.slabBytes / slotSize);
    // Highest offset first, so pop() hands out the slab front to back.
    slab.free = Array.from({ length: slots }, (_, i) => (slots - 1 - i) * slotSize);
    return slab;
  }
}
