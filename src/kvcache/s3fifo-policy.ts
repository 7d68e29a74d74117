/**
 * S3-FIFO as AIBrix configures and implements it (`l1/eviction_policy/s3fifo.py`), byte-weighted:
 * - A new key enters the small FIFO (0.3 of the capacity); a key found in the ghost queue enters
 *   main directly with hotness 0 and is reported hot.
 * - A read adds 1 to the key's hotness, capped at 3. Reads never move a key.
 * - "Promotion threshold 1": when a key reaches the small FIFO's tail it moves to main (hotness
 *   reset to 0) if it was read at least `promotionThreshold` times while in small; otherwise it
 *   is evicted and its key goes to the ghost queue. The read that takes a small key's hotness to
 *   the threshold is the one reported hot.
 * - Main is a CLOCK: its tail is evicted if its hotness is 0, else re-inserted at the head with
 *   hotness − 1.
 * - Each eviction step evicts from small while small holds more than its share (or main is
 *   empty), else from main; a promotion that pushes main past its share evicts from main.
 * - A re-put of a resident key moves it to the head of the queue it is in, hotness kept.
 * The ghost queue remembers each evicted key's bytes and is trimmed (oldest first) to the main
 * FIFO's capacity. AIBrix means the same bound but drops the value before appending, so its
 * ghost weighs 0 bytes and is never trimmed: an unbounded queue we do not copy.
 */
import { BlockQueue, queueNode, type QueueNode } from './block-queue.js';
import type { BlockKey, EvictionPolicy, EvictionPolicyOptions } from './eviction-policy.js';

/** AIBrix caps hotness at 3 (2-bit CLOCK). */
const MAX_HOTNESS = 3;

/** AIBrix's defaults for the small FIFO share and the promotion threshold. */
export const S3FIFO_DEFAULTS = { smallRatio: 0.3, promotionThreshold: 1 } as const;

class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo' as const;
  readonly capacityBytes: number;
  private readonly smallCapacity: number;
  private readonly mainCapacity: number;
  private readonly threshold: number;
  private readonly nodes = new Map<BlockKey, QueueNode>();
  private readonly small = new BlockQueue();
  private readonly main = new BlockQueue();
  private readonly ghost = new BlockQueue();
  private readonly options: EvictionPolicyOptions;

  constructor(options: EvictionPolicyOptions) {
    this.options = options;
    this.capacityBytes = options.capacityBytes;
    const ratio = options.s3fifo?.smallRatio ?? S3FIFO_DEFAULTS.smallRatio;
    const threshold = options.s3fifo?.promotionThreshold ?? S3FIFO_DEFAULTS.promotionThreshold;
    if (!(ratio > 0 && ratio < 1)) throw new RangeError('s3fifo smallRatio must be in (0, 1)');
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_HOTNESS)
      throw new RangeError('s3fifo promotionThreshold must be 1, 2 or 3');
    this.threshold = threshold;
    this.smallCapacity = Math.floor(this.capacityBytes * ratio);
    this.mainCapacity = this.capacityBytes - this.smallCapacity;
  }

  get usedBytes(): number {
    return this.small.bytes + this.main.bytes;
  }

  get size(): number {
    return this.small.length + this.main.length;
  }

  has(key: BlockKey): boolean {
    const node = this.nodes.get(key);
    return node !== undefined && node.queue !== this.ghost;
  }

  access(key: BlockKey): boolean {
    const node = this.nodes.get(key);
    if (node === undefined || node.queue === this.ghost) return false;
    if (node.queue === this.small && node.hot === this.threshold - 1)
      this.options.onHot?.(key, node.bytes);
    node.hot = Math.min(node.hot + 1, MAX_HOTNESS);
    return true;
  }

  insert(key: BlockKey, bytes: number): boolean {
    if (bytes > this.capacityBytes) return false;
    const node = this.nodes.get(key);
    if (node === undefined) {
      const fresh = queueNode(key, bytes);
      this.nodes.set(key, fresh);
      this.small.append(fresh);
    } else if (node.queue === this.ghost) {
      this.ghost.erase(node);
      node.bytes = bytes;
      node.hot = 0;
      this.main.append(node);
      this.options.onHot?.(key, bytes);
    } else {
      const queue = node.queue as BlockQueue;
      queue.erase(node);
      node.bytes = bytes;
      queue.append(node);
    }
    while (this.usedBytes > this.capacityBytes) this.evictStep();
    return true;
  }

  remove(key: BlockKey): boolean {
    const node = this.nodes.get(key);
    if (node === undefined) return false;
    const queue = node.queue as BlockQueue;
    queue.erase(node);
    this.nodes.delete(key);
    return queue !== this.ghost;
  }

  evictOne(): boolean {
    const before = this.size;
    while (this.size === before && before > 0) this.evictStep();
    return this.size < before;
  }

  /** Oldest first, per queue (tests and debugging). */
  snapshot(): { small: BlockKey[]; main: BlockKey[]; ghost: BlockKey[] } {
    return {
      small: this.small.keysOldestFirst(),
      main: this.main.keysOldestFirst(),
      ghost: this.ghost.keysOldestFirst(),
    };
  }

  /** One pass of AIBrix's eviction loop: may evict, promote, or give a main key another lap. */
  private evictStep(): void {
    if (this.small.bytes > this.smallCapacity || this.main.length === 0) this.evictFromSmall();
    else this.evictFromMain();
  }

  private evictFromSmall(): void {
    const node = this.small.pop();
    if (node === undefined) return;
    if (node.hot >= this.threshold) {
      node.hot = 0;
      this.main.append(node);
      while (this.main.bytes > this.mainCapacity) this.evictFromMain();
      return;
    }
    this.options.onEvict?.(node.key, node.bytes);
    node.hot = 0;
    this.ghost.append(node);
    while (this.ghost.bytes > this.mainCapacity) {
      const old = this.ghost.pop() as QueueNode;
      this.nodes.delete(old.key);
    }
  }

  private evictFromMain(): void {
    const node = this.main.pop();
    if (node === undefined) return;
    if (node.hot >= 1) {
      node.hot--;
      this.main.append(node);
      return;
    }
    this.nodes.delete(node.key);
    this.options.onEvict?.(node.key, node.bytes);
  }
}

/** A byte-budgeted S3-FIFO policy (AIBrix's default L1 policy). */
export function createS3FifoPolicy(options: EvictionPolicyOptions): EvictionPolicy {
  return new S3FifoPolicy(options);
}
