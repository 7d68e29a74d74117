/**
 * The engine core's per-request KV block bookkeeping, apart from its scheduling as vLLM V1 keeps
 * its KVCacheManager beside its Scheduler: finds a request's cached prefix, allocates blocks as it
 * grows, registers its full prompt blocks in the prefix cache (reporting them as KV events) and
 * frees them. Which request runs, waits or is preempted is decided in engine-core.ts.
 */
import type { BlockPool } from './block-pool.js';
import { reportStoredRun } from './block-stored-event.js';
import type { CoreRequest, KvCacheEventSink } from './core-types.js';

/** A request's longest cached prefix, as block ids, and how many of them sit on the free list. */
export interface CachedPrefix {
  readonly hits: number[];
  /** Hits that are free (evictable): taking them lowers the free count. */
  readonly evictable: number;
}

/** Allocates, caches and frees the KV blocks of the engine core's requests. */
export class KvCacheManager {
  readonly #pool: BlockPool;
  readonly #blockSizeTokens: number;
  readonly #events: KvCacheEventSink | undefined;

  /** @param events told of prefix-cache changes (vLLM KV events), when enabled. */
  constructor(pool: BlockPool, blockSizeTokens: number, events?: KvCacheEventSink) {
    this.#pool = pool;
    this.#blockSizeTokens = blockSizeTokens;
    this.#events = events;
  }

  /** The longest run of `req`'s block hashes in the prefix cache, at most `maxHitBlocks` long. */
  findCachedPrefix(req: CoreRequest, maxHitBlocks: number): CachedPrefix {
    const hits: number[] = [];
    let evictable = 0;
    for (const hash of req.spec.blockHashes) {
      if (hits.length >= maxHitBlocks) break;
      const id = this.#pool.lookup(hash);
      if (id < 0) break;
      hits.push(id);
      if (this.#pool.isFree(id)) evictable++;
    }
    return { hits, evictable };
  }

  /** Ensures `req` holds blocks for `tokens` tokens; false (holding what it had) if none free. */
  grow(req: CoreRequest, tokens: number): boolean {
    const need = Math.ceil(tokens / this.#blockSizeTokens) - req.blockIds.length;
    if (need > this.#pool.numFree) return false;
    for (let i = 0; i < need; i++) req.blockIds.push(this.#pool.allocate());
    return true;
  }

  /** Registers `req`'s newly computed full prompt blocks in the prefix cache. */
  cacheFullPromptBlocks(req: CoreRequest): void {
    const bs = this.#blockSizeTokens;
    const full = Math.min(
      Math.floor(Math.min(req.numComputedTokens, req.spec.promptLength) / bs),
      req.spec.blockHashes.length,
    );
    // Each run of newly registered blocks is one BlockStored (vLLM cache_full_blocks).
    let runStart = -1;
    for (let b = req.numHashedBlocks; b < full; b++) {
      const registered = this.#pool.cache(
        req.blockIds[b] as number,
        req.spec.blockHashes[b] as number,
      );
      if (registered && runStart < 0) runStart = b;
      if (!registered && runStart >= 0) {
        reportStoredRun(this.#events, req.spec, bs, runStart, b);
        runStart = -1;
      }
    }
    if (runStart >= 0) reportStoredRun(this.#events, req.spec, bs, runStart, full);
    if (full > req.numHashedBlocks) req.numHashedBlocks = full;
  }

  /** Gives back every block `req` holds (cached ones stay findable until evicted). */
  free(req: CoreRequest): void {
    this.#pool.releaseAll(req.blockIds);
    req.blockIds = [];
    req.numHashedBlocks = 0;
  }
}
