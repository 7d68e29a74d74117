/**
 * The L1 store's table of blocks and the lifetime of their slab slots: a block is held (findable)
 * until it is evicted or deleted, and pinned while a reader holds a view of its bytes; its slot
 * goes back to the allocator only once it is neither. Apart from block-store.ts because that rule
 * (a socket may go on writing from a slot whose block was evicted meanwhile) is one invariant of
 * its own, whatever the eviction policy and counters around it.
 */
import type { BlockKey } from './eviction-policy.js';
import type { SlabAllocator, Slot } from './slab-allocator.js';

/** One block in the table. */
export interface HeldBlock {
  readonly slot: Slot;
  readonly length: number;
  pins: number;
  /** Still findable; false once evicted or deleted (its slot waits for the last release). */
  held: boolean;
}

export class HeldBlocks {
  readonly #allocator: SlabAllocator;
  readonly #blocks = new Map<BlockKey, HeldBlock>();
  #heldBytes = 0;
  #slotBytes = 0;
  #pinnedViews = 0;

  constructor(allocator: SlabAllocator) {
    this.#allocator = allocator;
  }

  /** Blocks held now. */
  get size(): number {
    return this.#blocks.size;
  }

  /** Bytes of the blocks held now. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Bytes of the slots not yet freed (held blocks, and unheld ones still pinned). */
  get slotBytes(): number {
    return this.#slotBytes;
  }

  /** Views handed out and not released yet. */
  get pinnedViews(): number {
    return this.#pinnedViews;
  }

  get(key: BlockKey): HeldBlock | undefined {
    return this.#blocks.get(key);
  }

  has(key: BlockKey): boolean {
    return this.#blocks.has(key);
  }

  /** Every key held now, oldest added first. */
  keys(): IterableIterator<BlockKey> {
    return this.#blocks.keys();
  }

  /** Every block held now, oldest added first. */
  entries(): IterableIterator<[BlockKey, HeldBlock]> {
    return this.#blocks.entries();
  }

  /** Holds a block whose bytes were just copied into `slot`. */
  add(key: BlockKey, slot: Slot, length: number): void {
    this.#blocks.set(key, { slot, length, pins: 0, held: true });
    this.#heldBytes += length;
    this.#slotBytes += slot.size;
  }

  /** Pins the block for one reader; the function returned unpins it (idempotent). */
  pin(block: HeldBlock): () => void {
    block.pins++;
    this.#pinnedViews++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      block.pins--;
      this.#pinnedViews--;
      if (block.pins === 0 && !block.held) this.#freeSlot(block);
    };
  }

  /** Makes the block unfindable; its slot is freed now, or at its last release when pinned. */
  unhold(key: BlockKey, block: HeldBlock): void {
    this.#blocks.delete(key);
    block.held = false;
    this.#heldBytes -= block.length;
    if (block.pins === 0) this.#freeSlot(block);
  }

  #freeSlot(block: HeldBlock): void {
    this.#allocator.free(block.slot);
    this.#slotBytes -= block.slot.size;
  }
}
