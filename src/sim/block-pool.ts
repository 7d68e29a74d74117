/**
 * The simulator's KV cache: `numBlocks` blocks with reference counts, a prefix cache keyed by
 * chained block hash, and vLLM V1's free-block queue. A released block keeps its hash and stays
 * reusable until it reaches the head of the free queue and is handed out again (LRU eviction).
 * Pure and allocation-free per operation: typed arrays and an intrusive doubly linked list.
 */

import type { KvCacheEventSink } from './core-types.js';

const NONE = -1;

/** A bounded pool of KV blocks with prefix caching. */
export class BlockPool {
  /** Total blocks (vLLM's num_gpu_blocks). */
  readonly numBlocks: number;
  #refCount: Int32Array;
  #hash: Float64Array;
  #prev: Int32Array;
  #next: Int32Array;
  #head = NONE;
  #tail = NONE;
  #numFree = 0;
  #cached = new Map<number, number>();
  readonly #events: KvCacheEventSink | undefined;

  /**
   * @param numBlocks total blocks, ≥ 1.
   * @param events told of evictions and resets (vLLM's KV events), when enabled.
   */
  constructor(numBlocks: number, events?: KvCacheEventSink) {
    this.numBlocks = numBlocks;
    this.#events = events;
    this.#refCount = new Int32Array(numBlocks);
    this.#hash = new Float64Array(numBlocks).fill(NaN);
    this.#prev = new Int32Array(numBlocks).fill(NONE);
    this.#next = new Int32Array(numBlocks).fill(NONE);
    for (let id = 0; id < numBlocks; id++) this.#append(id);
  }

  /** Blocks not referenced by any request (cached or empty). */
  get numFree(): number {
    return this.#numFree;
  }

  /** Blocks referenced by at least one request. */
  get numUsed(): number {
    return this.numBlocks - this.#numFree;
  }

  /** Used fraction, 0–1: what vLLM reports as kv_cache_usage_perc. */
  get usageRatio(): number {
    return this.numUsed / this.numBlocks;
  }

  /** Blocks that currently hold a reusable prefix hash. */
  get numCachedBlocks(): number {
    return this.#cached.size;
  }

  /** The block holding `hash`, or -1. */
  lookup(hash: number): number {
    return this.#cached.get(hash) ?? NONE;
  }

  /** True when block `id` has no reference (a cache hit on it consumes a free block). */
  isFree(id: number): boolean {
    return this.#refCount[id] === 0;
  }

  /** Takes a reference on a cached block found by `lookup`. */
  touch(id: number): void {
    if (this.#refCount[id] === 0) this.#unlink(id);
    this.#refCount[id] = (this.#refCount[id] ?? 0) + 1;
  }

  /** Hands out the least recently freed block, evicting its hash. Returns -1 when none is free. */
  allocate(): number {
    const id = this.#head;
    if (id === NONE) return NONE;
    this.#unlink(id);
    const hash = this.#hash[id] as number;
    if (!Number.isNaN(hash)) {
      if (this.#cached.get(hash) === id) {
        this.#cached.delete(hash);
        this.#events?.blockRemoved(hash);
      }
      this.#hash[id] = NaN;
    }
    this.#refCount[id] = 1;
    return id;
  }

  /**
   * Drops one reference on each block, last block first, so a request's tail blocks are
   * evicted before its head blocks (the head is the part other requests share).
   */
  releaseAll(ids: readonly number[]): void {
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i] as number;
      const left = (this.#refCount[id] ?? 1) - 1;
      this.#refCount[id] = left;
      if (left === 0) this.#append(id);
    }
  }

  /**
   * Registers a full, computed block under its chained hash (first writer wins, as vLLM).
   * Returns whether it was registered (false: the hash or the block was cached already).
   */
  cache(id: number, hash: number): boolean {
    if (this.#cached.has(hash) || !Number.isNaN(this.#hash[id])) return false;
    this.#hash[id] = hash;
    this.#cached.set(hash, id);
    return true;
  }

  /**
   * Drops every cached hash (vLLM reset_prefix_cache). As vLLM, refuses (false) while any block
   * is in use: running requests still point at their cached blocks.
   */
  resetPrefixCache(): boolean {
    if (this.numUsed > 0) return false;
    for (const id of this.#cached.values()) this.#hash[id] = NaN;
    this.#cached.clear();
    this.#events?.allCleared();
    return true;
  }

  #append(id: number): void {
    this.#prev[id] = this.#tail;
    this.#next[id] = NONE;
    if (this.#tail === NONE) this.#head = id;
    else this.#next[this.#tail] = id;
    this.#tail = id;
    this.#numFree++;
  }

  #unlink(id: number): void {
    const prev = this.#prev[id] as number;
    const next = this.#next[id] as number;
    if (prev === NONE) this.#head = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#tail = prev;
    else this.#prev[next] = prev;
    this.#prev[id] = NONE;
    this.#next[id] = NONE;
    this.#numFree--;
  }
}
