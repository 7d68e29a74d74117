/**
 * LRU as AIBrix's `l1/eviction_policy/lru.py`: a read or a re-put moves the key to the head,
 * the tail is evicted. A key is hot on its first read after it was put (AIBrix's hotness 0 → 1),
 * and a re-put makes it cold again.
 */
import { BlockQueue, queueNode, type QueueNode } from './block-queue.js';
import type { BlockKey, EvictionPolicy, EvictionPolicyOptions } from './eviction-policy.js';

class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly capacityBytes: number;
  private readonly nodes = new Map<BlockKey, QueueNode>();
  private readonly order = new BlockQueue();
  private readonly options: EvictionPolicyOptions;

  constructor(options: EvictionPolicyOptions) {
    this.options = options;
    this.capacityBytes = options.capacityBytes;
  }

  get usedBytes(): number {
    return this.order.bytes;
  }

  get size(): number {
    return this.order.length;
  }

  has(key: BlockKey): boolean {
    return this.nodes.has(key);
  }

  access(key: BlockKey): boolean {
    const node = this.nodes.get(key);
    if (node === undefined) return false;
    if (node.hot === 0) this.options.onHot?.(key, node.bytes);
    this.order.erase(node);
    this.order.append(node);
    node.hot = 1;
    return true;
  }

  insert(key: BlockKey, bytes: number): boolean {
    if (bytes > this.capacityBytes) return false;
    let node = this.nodes.get(key);
    if (node === undefined) {
      node = queueNode(key, bytes);
      this.nodes.set(key, node);
    } else {
      this.order.erase(node);
      node.bytes = bytes;
      node.hot = 0;
    }
    this.order.append(node);
    while (this.order.bytes > this.capacityBytes) this.evictOne();
    return true;
  }

  remove(key: BlockKey): boolean {
    const node = this.nodes.get(key);
    if (node === undefined) return false;
    this.order.erase(node);
    this.nodes.delete(key);
    return true;
  }

  evictOne(): boolean {
    const node = this.order.pop();
    if (node === undefined) return false;
    this.nodes.delete(node.key);
    this.options.onEvict?.(node.key, node.bytes);
    return true;
  }
}

/** A byte-budgeted LRU policy. */
export function createLruPolicy(options: EvictionPolicyOptions): EvictionPolicy {
  return new LruPolicy(options);
}
