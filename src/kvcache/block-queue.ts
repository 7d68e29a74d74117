/**
 * An intrusive doubly linked FIFO of policy nodes, as AIBrix's S3FIFOQueue: O(1) append at the
 * head, pop at the tail and erase anywhere, with the queue's byte total kept alongside. A JS Map
 * used as an ordered queue is not O(1) to pop from its front (V8 leaves deleted slots as holes
 * a fresh iterator must skip), so eviction order lives here instead.
 */
import type { BlockKey } from './eviction-policy.js';

/** One key in one queue of a policy; `hot` is the policy's access counter for it. */
export interface QueueNode {
  readonly key: BlockKey;
  bytes: number;
  hot: number;
  prev: QueueNode | undefined;
  next: QueueNode | undefined;
  queue: BlockQueue | undefined;
}

/** A new node belonging to no queue yet. */
export function queueNode(key: BlockKey, bytes: number): QueueNode {
  return { key, bytes, hot: 0, prev: undefined, next: undefined, queue: undefined };
}

/** Newest at the head, oldest at the tail; `bytes` is the sum of its nodes' bytes. */
export class BlockQueue {
  private head: QueueNode | undefined;
  private tail: QueueNode | undefined;
  /** Nodes in the queue. */
  length = 0;
  /** Sum of the nodes' bytes. */
  bytes = 0;

  /** Puts `node` at the head (the newest end). */
  append(node: QueueNode): void {
    node.next = this.head;
    node.prev = undefined;
    node.queue = this;
    if (this.head !== undefined) this.head.prev = node;
    this.head = node;
    this.tail ??= node;
    this.length++;
    this.bytes += node.bytes;
  }

  /** Takes the oldest node off the tail. */
  pop(): QueueNode | undefined {
    const node = this.tail;
    if (node !== undefined) this.erase(node);
    return node;
  }

  /** Unlinks `node`, which must be in this queue. */
  erase(node: QueueNode): void {
    if (node.prev !== undefined) node.prev.next = node.next;
    if (node.next !== undefined) node.next.prev = node.prev;
    if (this.head === node) this.head = node.next;
    if (this.tail === node) this.tail = node.prev;
    node.next = undefined;
    node.prev = undefined;
    node.queue = undefined;
    this.length--;
    this.bytes -= node.bytes;
  }

  /** Keys oldest first (for tests and debugging; O(n)). */
  keysOldestFirst(): BlockKey[] {
    const keys: BlockKey[] = [];
    for (let n = this.tail; n !== undefined; n = n.prev) keys.push(n.key);
    return keys;
  }
}
